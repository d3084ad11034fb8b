"""``devops_info``: a build or deployment CI sent to Jira, and whether it concerns an issue.

Jira Software's Builds and Deployments APIs (``getBuildByKey``,
``getDeploymentByKey``), reached over a client-credentials (2LO) connection
(:class:`jiragw.jira.resources.devops.DevOpsResource`). Those APIs look
entities up by key only (pipeline and build number; pipeline, environment and
deployment sequence number); Jira offers integrations no listing by issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput

from ..arguments import ISSUE_KEY
from ..render import short_date
from ..tool import Call, Op, Result, ToolSpec

__all__ = ["TOOLS"]


def _issue_keys(entity: Mapping[str, Any]) -> list[str]:
    keys = [str(k) for k in entity.get("issueKeys") or []]
    for assoc in entity.get("associations") or []:
        if isinstance(assoc, dict) and assoc.get("associationType") in ("issueKeys", "issueIdOrKeys"):
            keys += [str(v) for v in assoc.get("values") or []]
    return sorted(set(keys))


async def _devops(call: Call, args: Mapping[str, Any]) -> Result:
    kind, pipeline = str(args["kind"]), str(args["pipeline_id"])
    number = args.get("number")
    if not isinstance(number, int):
        raise InvalidInput("give 'number': the build number or the deployment sequence number")
    devops = call.jira.devops
    if kind == "build":
        entity = await devops.get_build(pipeline, number)
    else:
        if not args.get("environment_id"):
            raise InvalidInput("a deployment is named by pipeline_id, environment_id and number")
        entity = await devops.get_deployment(pipeline, str(args["environment_id"]), number)
    keys = _issue_keys(entity)
    env = entity.get("environment") or {}
    data: dict[str, Any] = {
        "kind": kind,
        "name": entity.get("displayName"),
        "state": entity.get("state"),
        "updated": short_date(entity.get("lastUpdated")),
        "url": entity.get("url"),
        "environment": env.get("displayName") if isinstance(env, dict) else None,
        "issues": keys,
    }
    issue = args.get("issue")
    if issue:
        data["concerns_issue"] = str(issue) in keys
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    text = f"{kind.capitalize()} {data.get('name', pipeline)}: {data.get('state', 'unknown')}"
    if data.get("environment"):
        text += f" in {data['environment']}"
    if data.get("updated"):
        text += f", updated {data['updated']}"
    text += f"\nIssues: {', '.join(keys) or 'none'}"
    if issue:
        text += f"\n{issue} {'is' if data['concerns_issue'] else 'is not'} among them."
    return Result(text, data)


# Jira's DevOps ids are free text of up to 255 characters; the SDK encodes them into the path.
PIPELINE_ID = {"type": "string", "minLength": 1, "maxLength": 255}

TOOLS = (
    ToolSpec(
        name="devops_info",
        title="Build or deployment of an issue",
        description=(
            "A build (pipeline_id + number) or deployment (pipeline_id "
            "+ environment_id + number) that CI sent "
            "to Jira: state, time, environment, the issues it concerns; "
            "with 'issue', whether it concerns that "
            "issue. Needs a client-credentials (2LO) connection."
        ),
        properties={
            "kind": {"type": "string", "enum": ["build", "deployment"]},
            "pipeline_id": PIPELINE_ID,
            "number": {"type": "integer", "minimum": 0},
            "environment_id": PIPELINE_ID,
            "issue": {**ISSUE_KEY, "description": "Issue key to check against."},
        },
        required=("kind", "pipeline_id", "number"),
        ops=(
            Op("GET", "/jira/builds/0.1/cloud/x/pipelines/p/builds/1"),
            Op("GET", "/jira/deployments/0.1/cloud/x/pipelines/p/environments/e/deployments/1"),
        ),
        handler=_devops,
    ),
)
