"""``jiragw devops {build,deployment}``: tell Jira about a CI build or deployment from a pipeline.

The data goes through the Builds / Deployments APIs
(:mod:`jiragw.jira.resources.devops`) over a connection holding an OAuth 2.0
client-credentials (2LO) grant, named with ``--connection`` (or picked by
:mod:`jiragw.cli.connection_choice`); the broker renews its token. Issue keys
come from ``--issue`` (repeatable) and, with ``--from-git``, from the current
branch name and the messages of the commits since ``--base`` (HEAD alone
without one; :mod:`jiragw.jira.git_keys`). The report lists the accepted and
rejected entities and the issue keys Jira does not know; the exit status is 1
when Jira rejected anything. The root command registers this group lazily
(its help texts name the SDK's values), so ``jiragw --help`` does not import it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer

from ..errors import InvalidInput
from ..jira.resources.devops import (
    BUILD_STATES,
    DEPLOYMENT_STATES,
    ENVIRONMENT_TYPES,
    Build,
    Deployment,
    DevOpsResource,
    SubmitResult,
    sequence_number,
)
from .command import App
from .connect_cmd import open_broker, run
from .connection_choice import CONNECTION_HELP, connection_for

__all__ = ["devops"]

devops = App(help="Send build and deployment data to Jira (2LO connection).")

Connection = Annotated[
    str | None,
    typer.Option(
        "--connection",
        "-c",
        metavar="NAME",
        help=f"A client-credentials (2LO) connection's name. {CONNECTION_HELP}",
    ),
]
Issues = Annotated[
    list[str] | None, typer.Option("--issue", "-i", metavar="KEY", help="An issue key (repeatable).")
]
FromGit = Annotated[
    bool, typer.Option("--from-git", help="Also take issue keys from the git branch and commit messages.")
]
Base = Annotated[
    str | None,
    typer.Option(
        "--base", metavar="REF", help="With --from-git: the commits since this ref (else HEAD only)."
    ),
]
Branch = Annotated[
    str | None,
    typer.Option(
        "--branch", metavar="BRANCH", help="With --from-git: the branch name (HEAD detached in CI)."
    ),
]
SequenceNumber = Annotated[
    int | None,
    typer.Option(
        "--update-sequence-number", metavar="N", help="Jira keeps the highest; default: epoch milliseconds."
    ),
]
Url = Annotated[str, typer.Option("--url", metavar="URL", help="Where the build or deployment can be seen.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]

_Entity = TypeVar("_Entity", Build, Deployment)


def _keys(issues: list[str] | None, from_git: bool, base: str | None, branch: str | None) -> list[str]:
    from ..jira.git_keys import keys_from_git, merge_keys

    given = [k.strip() for k in issues or [] if k.strip()]
    found = keys_from_git(base, branch=branch).keys if from_git else ()
    keys = merge_keys(given, found)
    if not keys:
        where = "in the git branch or commits" if from_git else "given"
        raise InvalidInput(f"no issue keys {where}: pass --issue KEY (repeatable) or --from-git")
    return keys


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)} (not {value!r})")
    return value


async def _submit(given: str | None, send: Callable[[DevOpsResource], Any]) -> SubmitResult:
    from ..jira.broker_credentials import BrokerCredentials
    from ..jira.context import ApiContext
    from ..jira.transport import Transport

    async with open_broker() as (broker, settings):
        name = await connection_for(broker, settings, given)
        conn = await broker.connection(name)
        if not conn.cloud_id:
            raise InvalidInput(f"connection {name!r} names no Jira Cloud site (cloudId); DevOps needs one")
        transport = Transport(broker.client, BrokerCredentials(broker, name), base_url=conn.api_base_url)
        resource = DevOpsResource(ApiContext(transport, conn.api_base_url, "cloud"), cloud_id=conn.cloud_id)
        result: SubmitResult = await send(resource)
        return result


def _send_one(
    what: str,
    connection: str | None,
    entity: _Entity,
    submit: Callable[[DevOpsResource, list[_Entity]], Awaitable[SubmitResult]],
    keys: list[str],
    as_json: bool,
) -> None:
    """Submit ``entity`` over ``connection`` with ``submit`` and report the outcome."""
    entity.to_json()  # the payload rules, before opening the store

    async def send(resource: DevOpsResource) -> SubmitResult:
        return await submit(resource, [entity])

    _report(what, run(_submit(connection, send)), keys, as_json)


def _report(what: str, result: SubmitResult, keys: list[str], as_json: bool) -> None:
    if as_json:
        payload = {
            "accepted": list(result.accepted),
            "rejected": [{"key": r.key, "errors": list(r.errors)} for r in result.rejected],
            "unknown_issue_keys": list(result.unknown_issue_keys),
            "issue_keys": keys,
        }
        typer.echo(json.dumps(payload))
    else:
        for key in result.accepted:
            typer.echo(f"accepted {what} {_label(key)}")
        for rejection in result.rejected:
            typer.echo(f"rejected {what} {_label(rejection.key)}: {'; '.join(rejection.errors)}", err=True)
        known = [k for k in keys if k not in result.unknown_issue_keys]
        if known:
            typer.echo(f"issue keys: {', '.join(known)}")
        if result.unknown_issue_keys:
            typer.echo(f"unknown issue keys (not in Jira): {', '.join(result.unknown_issue_keys)}", err=True)
    if result.rejected:
        raise typer.Exit(1)


def _sequence(given: int | None, now: datetime) -> int:
    return sequence_number(now) if given is None else given


def _label(key: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in key.items())


@devops.command("build")
def build_cmd(
    pipeline_id: Annotated[str, typer.Option("--pipeline-id", help="The pipeline (plan, workflow) id.")],
    build_number: Annotated[int, typer.Option("--build-number", help="The build's number in the pipeline.")],
    state: Annotated[
        str, typer.Option("--state", metavar="STATE", help=f"One of: {', '.join(BUILD_STATES)}.")
    ],
    url: Url,
    connection: Connection = None,
    display_name: Annotated[str | None, typer.Option("--display-name", help="Default: PIPELINE #N.")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    label: Annotated[str | None, typer.Option("--label")] = None,
    issue: Issues = None,
    from_git: FromGit = False,
    base: Base = None,
    branch: Branch = None,
    update_sequence_number: SequenceNumber = None,
    as_json: Json = False,
) -> None:
    """Submit one build (``state``: pending, in_progress, successful, failed, cancelled, unknown)."""
    now = datetime.now(UTC)
    keys = _keys(issue, from_git, base, branch)
    entity = Build(
        pipeline_id=pipeline_id,
        build_number=build_number,
        display_name=display_name or f"{pipeline_id} #{build_number}",
        url=url,
        state=_choice("--state", state, BUILD_STATES),
        issue_keys=keys,
        update_sequence_number=_sequence(update_sequence_number, now),
        last_updated=now,
        description=description,
        label=label,
    )
    _send_one("build", connection, entity, DevOpsResource.submit_builds, keys, as_json)


@devops.command("deployment")
def deployment_cmd(
    pipeline_id: Annotated[str, typer.Option("--pipeline-id", help="The deployment pipeline's id.")],
    deployment_number: Annotated[
        int, typer.Option("--deployment-number", help="The deployment's sequence number in the pipeline.")
    ],
    environment: Annotated[str, typer.Option("--environment", help="The environment's id.")],
    state: Annotated[
        str, typer.Option("--state", metavar="STATE", help=f"One of: {', '.join(DEPLOYMENT_STATES)}.")
    ],
    url: Url,
    connection: Connection = None,
    environment_type: Annotated[
        str,
        typer.Option("--environment-type", metavar="TYPE", help=f"One of: {', '.join(ENVIRONMENT_TYPES)}."),
    ] = "unmapped",
    environment_name: Annotated[str | None, typer.Option("--environment-name")] = None,
    pipeline_name: Annotated[str | None, typer.Option("--pipeline-name")] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Default: PIPELINE #N to ENVIRONMENT.")
    ] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    label: Annotated[str | None, typer.Option("--label")] = None,
    issue: Issues = None,
    from_git: FromGit = False,
    base: Base = None,
    branch: Branch = None,
    update_sequence_number: SequenceNumber = None,
    as_json: Json = False,
) -> None:
    """Submit one deployment of a pipeline to an environment."""
    now = datetime.now(UTC)
    keys = _keys(issue, from_git, base, branch)
    entity = Deployment(
        pipeline_id=pipeline_id,
        environment_id=environment,
        deployment_sequence_number=deployment_number,
        display_name=display_name or f"{pipeline_id} #{deployment_number} to {environment}",
        url=url,
        state=_choice("--state", state, DEPLOYMENT_STATES),
        issue_keys=keys,
        update_sequence_number=_sequence(update_sequence_number, now),
        last_updated=now,
        description=description or "",
        environment_type=_choice("--environment-type", environment_type, ENVIRONMENT_TYPES),
        environment_name=environment_name,
        pipeline_name=pipeline_name,
        label=label,
    )
    _send_one("deployment", connection, entity, DevOpsResource.submit_deployments, keys, as_json)
