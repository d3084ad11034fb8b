"""Jira Software's DevOps APIs: submit, get and delete builds and deployments over a 2LO connection.

Implements ``submitBuilds``, ``getBuildByKey``, ``deleteBuildByKey``,
``submitDeployments``, ``getDeploymentByKey`` and ``deleteDeploymentByKey`` of
the Jira Software OpenAPI document (``/builds/0.1``, ``/deployments/0.1``), as
an OAuth 2.0 client-credentials app reaches them:
``{api_url}/jira/{builds,deployments}/0.1/cloud/{cloudId}/...``.

The payload rules of ``BuildData`` / ``Deployment`` are checked here, before
any call, so a CI job learns what is wrong from a clear :class:`InvalidInput`
instead of a rejected entity: the required fields, the length limits, the
state and environment-type enums, ``schemaVersion`` 1.0, an integer
``updateSequenceNumber`` (Jira ignores an update whose number is not greater
than the stored one, so :func:`sequence_number` derives it from the clock),
1 to 100 issue keys per entity matching the API's key pattern, and at most 5
``properties``. Jira's answer is reported as :class:`SubmitResult`: accepted
entity keys, rejected ones with Jira's messages, and issue keys Jira does
not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from jiragw.errors import InvalidInput, UpstreamError

from ..context import ApiContext
from ..urlpath import path, segment
from ._wire import json_object

__all__ = [
    "BUILD_STATES",
    "DEPLOYMENT_STATES",
    "ENVIRONMENT_TYPES",
    "MAX_ISSUE_KEYS",
    "SCHEMA_VERSION",
    "Build",
    "Deployment",
    "DevOpsResource",
    "Rejection",
    "SubmitResult",
    "sequence_number",
]

SCHEMA_VERSION = "1.0"
MAX_ISSUE_KEYS = 100  # BuildData.issueKeys / Deployment issue keys: maxItems
MAX_PROPERTIES = 5
_NAME_MAX = 255
_URL_MAX = 2000
_INT64_MAX = 2**63 - 1
BUILD_STATES = ("pending", "in_progress", "successful", "failed", "cancelled", "unknown")
DEPLOYMENT_STATES = ("unknown", "pending", "in_progress", "cancelled", "failed", "rolled_back", "successful")
ENVIRONMENT_TYPES = ("unmapped", "development", "testing", "staging", "production")
_API_ISSUE_KEY = re.compile(r"^\w{1,255}-\d{1,255}$")  # the APIs' issueKeys item pattern
_EX_JIRA = re.compile(r"^(?P<api>.+)/ex/jira/(?P<cloud>[^/]+)/?$")

Kind = Literal["builds", "deployments"]


def sequence_number(now: datetime) -> int:
    """An ``updateSequenceNumber`` from the clock (epoch milliseconds), as the spec suggests."""
    return int(now.timestamp() * 1000)


class _Checks:
    """Collects a payload's problems, so one error names all of them."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def text(self, name: str, value: str | None, *, limit: int = _NAME_MAX, required: bool = True) -> None:
        if value is None or not value.strip():
            if required:
                self.errors.append(f"{name} is required")
        elif len(value) > limit:
            self.errors.append(f"{name} is longer than {limit} characters")

    def url(self, name: str, value: str | None, *, required: bool = True) -> None:
        self.text(name, value, limit=_URL_MAX, required=required)
        if value and not re.match(r"^https?://\S+$", value):
            self.errors.append(f"{name} must be an http(s) URL")

    def integer(self, name: str, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT64_MAX:
            self.errors.append(f"{name} must be a non-negative 64-bit integer")

    def choice(self, name: str, value: str, allowed: Sequence[str]) -> None:
        if value not in allowed:
            self.errors.append(f"{name} must be one of {', '.join(allowed)} (not {value!r})")

    def keys(self, keys: Sequence[str]) -> None:
        if not keys:
            self.errors.append("at least one issue key is required")
        elif len(keys) > MAX_ISSUE_KEYS:
            self.errors.append(
                f"{len(keys)} issue keys given; Jira accepts at most {MAX_ISSUE_KEYS} per entity"
            )
        bad = [k for k in keys if not _API_ISSUE_KEY.match(k)]
        if bad:
            self.errors.append(f"not issue keys: {', '.join(bad[:5])}")

    def no_overrides(self, extra: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        clash = sorted(set(extra) & (set(body) | {"issueKeys", "associations"}))
        if clash:
            self.errors.append(f"extra fields may not set {', '.join(clash)} (they have their own arguments)")

    def moment(self, name: str, value: datetime) -> None:
        if value.tzinfo is None:
            self.errors.append(f"{name} must carry a time zone")

    def raise_if_any(self, what: str, key: Mapping[str, Any]) -> None:
        if self.errors:
            raise InvalidInput(
                f"{what} {dict(key)} is not valid: {'; '.join(self.errors)}",
                details={"key": dict(key), "errors": list(self.errors)},
            )


def _unique(keys: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.strip() for k in keys))


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Build:
    """One build of a pipeline (``BuildData``)."""

    pipeline_id: str
    build_number: int
    display_name: str
    url: str
    state: str
    issue_keys: Sequence[str]
    update_sequence_number: int
    last_updated: datetime
    description: str | None = None
    label: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # testInfo, references, ... as Jira spells them

    @property
    def key(self) -> dict[str, Any]:
        return {"pipelineId": self.pipeline_id, "buildNumber": self.build_number}

    def to_json(self) -> dict[str, Any]:
        """The ``BuildData`` object, or :class:`InvalidInput` naming every rule it breaks."""
        keys = _unique(self.issue_keys)
        check = _Checks()
        check.text("pipelineId", self.pipeline_id)
        check.integer("buildNumber", self.build_number)
        check.integer("updateSequenceNumber", self.update_sequence_number)
        check.text("displayName", self.display_name)
        check.text("description", self.description, required=False)
        check.text("label", self.label, required=False)
        check.url("url", self.url)
        check.choice("state", self.state, BUILD_STATES)
        check.moment("lastUpdated", self.last_updated)
        check.keys(keys)
        body: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "pipelineId": self.pipeline_id,
            "buildNumber": self.build_number,
            "updateSequenceNumber": self.update_sequence_number,
            "displayName": self.display_name,
            "url": self.url,
            "state": self.state,
            "lastUpdated": _stamp(self.last_updated),
            "issueKeys": list(keys),
        }
        if self.description:
            body["description"] = self.description
        if self.label:
            body["label"] = self.label
        check.no_overrides(self.extra, body)
        check.raise_if_any("build", self.key)
        return {**self.extra, **body}


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment of a pipeline to an environment (``Deployment``)."""

    pipeline_id: str
    environment_id: str
    deployment_sequence_number: int
    display_name: str
    url: str
    state: str
    issue_keys: Sequence[str]
    update_sequence_number: int
    last_updated: datetime
    description: str = ""  # required by Jira: the display name stands in when empty
    environment_type: str = "unmapped"
    environment_name: str | None = None  # defaults to the environment id
    pipeline_name: str | None = None  # defaults to the pipeline id
    pipeline_url: str | None = None  # defaults to the deployment's url
    label: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> dict[str, Any]:
        return {
            "pipelineId": self.pipeline_id,
            "environmentId": self.environment_id,
            "deploymentSequenceNumber": self.deployment_sequence_number,
        }

    def to_json(self) -> dict[str, Any]:
        """The ``Deployment`` object, or :class:`InvalidInput` naming every rule it breaks."""
        keys = _unique(self.issue_keys)
        check = _Checks()
        check.text("pipeline.id", self.pipeline_id)
        check.text("environment.id", self.environment_id)
        check.text("pipeline.displayName", self.pipeline_name, required=False)
        check.text("environment.displayName", self.environment_name, required=False)
        check.url("pipeline.url", self.pipeline_url, required=False)
        check.integer("deploymentSequenceNumber", self.deployment_sequence_number)
        check.integer("updateSequenceNumber", self.update_sequence_number)
        check.text("displayName", self.display_name)
        check.text("description", self.description, required=False)
        check.text("label", self.label, required=False)
        check.url("url", self.url)
        check.choice("state", self.state, DEPLOYMENT_STATES)
        check.choice("environment.type", self.environment_type, ENVIRONMENT_TYPES)
        check.moment("lastUpdated", self.last_updated)
        check.keys(keys)
        body: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "deploymentSequenceNumber": self.deployment_sequence_number,
            "updateSequenceNumber": self.update_sequence_number,
            "associations": [{"associationType": "issueIdOrKeys", "values": list(keys)}],
            "displayName": self.display_name,
            "url": self.url,
            "description": self.description or self.display_name,
            "lastUpdated": _stamp(self.last_updated),
            "state": self.state,
            "pipeline": {
                "id": self.pipeline_id,
                "displayName": self.pipeline_name or self.pipeline_id,
                "url": self.pipeline_url or self.url,
            },
            "environment": {
                "id": self.environment_id,
                "displayName": self.environment_name or self.environment_id,
                "type": self.environment_type,
            },
        }
        if self.label:
            body["label"] = self.label
        check.no_overrides(self.extra, body)
        check.raise_if_any("deployment", self.key)
        return {**self.extra, **body}


@dataclass(frozen=True, slots=True)
class Rejection:
    """An entity Jira refused, with its messages."""

    key: dict[str, Any]
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """Jira's answer to a bulk submit."""

    accepted: tuple[dict[str, Any], ...]
    rejected: tuple[Rejection, ...]
    unknown_issue_keys: tuple[str, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether every entity was accepted (unknown issue keys do not reject an entity)."""
        return not self.rejected

    @classmethod
    def from_json(cls, kind: Kind, body: Any) -> SubmitResult:
        if not isinstance(body, dict):
            raise UpstreamError(f"Jira answered a {kind} submission with something other than an object")
        name = kind.capitalize()
        accepted = body.get(f"accepted{name}") or []
        rejected = body.get(f"rejected{name}") or []
        unknown = body.get("unknownIssueKeys") or []
        rejections = tuple(
            Rejection(
                key=dict(r.get("key") or {}),
                errors=tuple(
                    str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in r.get("errors") or []
                ),
            )
            for r in rejected
            if isinstance(r, dict)
        )
        return cls(
            accepted=tuple(dict(a) for a in accepted if isinstance(a, dict)),
            rejected=rejections,
            unknown_issue_keys=tuple(str(k) for k in unknown),
            raw=body,
        )


def _properties(properties: Mapping[str, str] | None) -> dict[str, str] | None:
    if not properties:
        return None
    errors = []
    if len(properties) > MAX_PROPERTIES:
        errors.append(f"at most {MAX_PROPERTIES} properties are allowed, not {len(properties)}")
    for name, value in properties.items():
        if not name or ":" in name or name.startswith("_"):
            errors.append(f"property name {name!r} must be non-empty, without ':' and not start with '_'")
        if len(value) > _NAME_MAX:
            errors.append(f"property {name!r} is longer than {_NAME_MAX} characters")
    if errors:
        raise InvalidInput(f"properties are not valid: {'; '.join(errors)}", details={"errors": errors})
    return dict(properties)


class DevOpsResource:
    """Builds and deployments of one site, reached through the API gateway with a 2LO token.

    ``ctx.base_url`` is the API root (``https://api.atlassian.com``) with
    ``cloud_id`` naming the site, or ``{api}/ex/jira/{cloudId}`` (the cloud id
    is then read from it).
    """

    def __init__(self, ctx: ApiContext, *, cloud_id: str | None = None) -> None:
        self.ctx = ctx
        found = _EX_JIRA.match(ctx.base_url)
        self.api_url = found.group("api") if found else ctx.base_url.rstrip("/")
        self.cloud_id = cloud_id or (found.group("cloud") if found else None)

    def _url(self, kind: Kind, where: str) -> str:
        if not self.cloud_id:
            raise InvalidInput("the DevOps APIs need the site's cloudId; the connection has none")
        return f"{self.api_url}/jira/{kind}/0.1/cloud/{segment(self.cloud_id)}{where}"

    async def _submit(
        self, kind: Kind, entities: list[dict[str, Any]], properties: Mapping[str, str] | None
    ) -> SubmitResult:
        if not entities:
            raise InvalidInput(f"nothing to submit: give at least one of the {kind}")
        body: dict[str, Any] = {kind: entities}
        props = _properties(properties)
        if props:
            body["properties"] = props
        answer = await self.ctx.transport.request_json("POST", self._url(kind, "/bulk"), json=body)
        return SubmitResult.from_json(kind, answer)

    async def submit_builds(
        self, builds: Sequence[Build], *, properties: Mapping[str, str] | None = None
    ) -> SubmitResult:
        """Insert or update builds (every build checked before the call)."""
        return await self._submit("builds", [b.to_json() for b in builds], properties)

    async def submit_deployments(
        self, deployments: Sequence[Deployment], *, properties: Mapping[str, str] | None = None
    ) -> SubmitResult:
        """Insert or update deployments (every deployment checked before the call)."""
        return await self._submit("deployments", [d.to_json() for d in deployments], properties)

    def _build_url(self, pipeline_id: str, build_number: int) -> str:
        return self._url("builds", path("/pipelines/{}/builds/{}", pipeline_id, int(build_number)))

    def _deployment_url(self, pipeline_id: str, environment_id: str, sequence: int) -> str:
        template = "/pipelines/{}/environments/{}/deployments/{}"
        return self._url("deployments", path(template, pipeline_id, environment_id, int(sequence)))

    async def get_build(self, pipeline_id: str, build_number: int) -> dict[str, Any]:
        """The stored build, as Jira returns it (``NotFound`` when there is none)."""
        return json_object(await self.ctx.transport.get_json(self._build_url(pipeline_id, build_number)))

    async def delete_build(self, pipeline_id: str, build_number: int) -> None:
        await self.ctx.transport.request_json("DELETE", self._build_url(pipeline_id, build_number))

    async def get_deployment(self, pipeline_id: str, environment_id: str, sequence: int) -> dict[str, Any]:
        """The stored deployment, as Jira returns it (``NotFound`` when there is none)."""
        url = self._deployment_url(pipeline_id, environment_id, sequence)
        return json_object(await self.ctx.transport.get_json(url))

    async def delete_deployment(self, pipeline_id: str, environment_id: str, sequence: int) -> None:
        url = self._deployment_url(pipeline_id, environment_id, sequence)
        await self.ctx.transport.request_json("DELETE", url)
