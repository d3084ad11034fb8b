"""Jira Software's DevOps APIs for builds and deployments, behind the API gateway.

Implements ``submitBuilds``, ``getBuildByKey``, ``deleteBuildByKey``,
``submitDeployments``, ``getDeploymentByKey`` and ``deleteDeploymentByKey``
of Atlassian's Jira Software OpenAPI document (``/builds/0.1``,
``/deployments/0.1``), as reached with an OAuth 2.0 token at
``/jira/{builds,deployments}/0.1/cloud/{cloudId}/...``: a client-credentials
(2LO) token, or a 3LO token holding ``manage:jira-data-provider``. A bulk
submit answers 202 with ``accepted*``/``rejected*`` entities and
``unknownIssueKeys``; a request that is not ``{"builds": [...]}`` answers 400
with ``[{"message": ...}]``. An entity is rejected when a required field is
missing or it names no or more than 100 issue keys; an older
``updateSequenceNumber`` never overwrites a newer one. Pipeline and
environment ids are free text: the by-key routes match the raw path, so an
id holding ``/`` is addressed with ``%2F`` (see :mod:`jiragw.sandbox.http.rawpath`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..state.model import Instance
from .apps import DEVOPS_SCOPE
from .errors import OAuthHttpError
from .gateway import UNAUTHORIZED
from .plumbing import Call, json_reply, oauth_route

__all__ = ["devops_routes"]

MAX_ISSUE_KEYS = 100
_ISSUE_KEY = re.compile(r"^\w{1,255}-\d{1,255}$")


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str  # "builds" | "deployments"
    collection: str  # the request's list property
    required: tuple[str, ...]

    def key(self, entity: dict[str, Any]) -> dict[str, Any] | None:
        if self.name == "builds":
            pid, number = entity.get("pipelineId"), entity.get("buildNumber")
            ok = isinstance(pid, str) and isinstance(number, int)
            return {"pipelineId": pid, "buildNumber": number} if ok else None
        pipeline, env = entity.get("pipeline"), entity.get("environment")
        pid = pipeline.get("id") if isinstance(pipeline, dict) else None
        eid = env.get("id") if isinstance(env, dict) else None
        seq = entity.get("deploymentSequenceNumber")
        if isinstance(pid, str) and isinstance(eid, str) and isinstance(seq, int):
            return {"pipelineId": pid, "environmentId": eid, "deploymentSequenceNumber": seq}
        return None


BUILDS = _Kind(
    "builds",
    "builds",
    ("pipelineId", "buildNumber", "updateSequenceNumber", "displayName", "url", "state", "lastUpdated"),
)
DEPLOYMENTS = _Kind(
    "deployments",
    "deployments",
    (
        "deploymentSequenceNumber",
        "updateSequenceNumber",
        "displayName",
        "url",
        "description",
        "lastUpdated",
        "state",
        "pipeline",
        "environment",
    ),
)


def _storage_key(*parts: str | int) -> str:
    # Each part percent-encoded, as in the by-key URL: ids may contain "/", and
    # ("a/b", "c") must not meet ("a", "b/c").
    return "/".join(quote(str(part), safe="") for part in parts)


def _site(call: Call) -> Instance:
    """The site named by the path, when the bearer token may write DevOps data to it."""
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    found = call.oauth.cloud.access(token.strip(), call.now) if scheme.lower() == "bearer" else None
    cloud_id = call.request.path_params["cloudId"]
    site = call.sandbox.site_by_cloud_id(cloud_id)
    if found is None or found.expired:
        raise OAuthHttpError(401, {"code": 401, "message": UNAUTHORIZED})
    call.credential = f"oauth:{found.grant.client_id[:64]}"
    if DEVOPS_SCOPE not in found.grant.scopes or site is None or cloud_id not in found.grant.resources:
        raise OAuthHttpError(
            403, [{"message": "The token is not allowed to access DevOps data of this site."}]
        )
    return site


def _issue_keys(kind: _Kind, entity: dict[str, Any]) -> list[str] | None:
    keys = entity.get("issueKeys")
    if kind.name == "deployments" and keys is None:
        keys = [
            v
            for assoc in entity.get("associations") or []
            if isinstance(assoc, dict) and assoc.get("associationType") in ("issueKeys", "issueIdOrKeys")
            for v in assoc.get("values") or []
        ]
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return None
    return keys


def _check(kind: _Kind, entity: Any) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """(key, errors, issue keys) of one submitted entity."""
    if not isinstance(entity, dict):
        return None, ["The entity is not a JSON object."], []
    errors = [f"'{name}' is required." for name in kind.required if entity.get(name) in (None, "")]
    if not isinstance(entity.get("updateSequenceNumber", 0), int):
        errors.append("'updateSequenceNumber' must be an integer.")
    keys = _issue_keys(kind, entity) or []
    if not keys:
        errors.append("At least one issue key is required.")
    elif len(keys) > MAX_ISSUE_KEYS:
        errors.append(f"At most {MAX_ISSUE_KEYS} issue keys are allowed per entity.")
    elif not all(_ISSUE_KEY.match(k) for k in keys):
        errors.append("Issue keys must look like 'ABC-123'.")
    return kind.key(entity), errors, keys


async def _submit(call: Call, kind: _Kind) -> Response:
    site = _site(call)
    try:
        body = await call.request.json()
    except ValueError:
        body = None
    items = body.get(kind.collection) if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise OAuthHttpError(
            400, [{"message": f"The request must be an object with a '{kind.collection}' array."}]
        )
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    unknown: list[str] = []
    for entity in items:
        key, errors, keys = _check(kind, entity)
        if errors or key is None:
            rejected.append(
                {"key": key or {}, "errors": [{"message": m} for m in errors or ["Invalid key."]]}
            )
            continue
        unknown += [k for k in keys if site.find_issue(k) is None and k not in unknown]
        slot = (site.cloud_id, kind.name, _storage_key(*key.values()))
        stored = call.oauth.devops.get(slot)
        if stored is None or stored["updateSequenceNumber"] <= entity["updateSequenceNumber"]:
            call.oauth.devops[slot] = dict(entity)
        accepted.append(key)
    name = kind.name.capitalize()
    return json_reply(
        {f"accepted{name}": accepted, f"rejected{name}": rejected, "unknownIssueKeys": unknown}, 202
    )


def _slot(call: Call, kind: _Kind, site: Instance) -> tuple[str, str, str]:
    p = call.request.path_params
    if kind.name == "builds":
        key = _storage_key(p["pipelineId"], p["buildNumber"])
    else:
        key = _storage_key(p["pipelineId"], p["environmentId"], p["sequence"])
    return (site.cloud_id, kind.name, key)


async def _by_key(call: Call, kind: _Kind) -> Response:
    site = _site(call)
    slot = _slot(call, kind, site)
    if call.request.method == "DELETE":
        call.oauth.devops.pop(slot, None)
        return Response(status_code=202)
    stored = call.oauth.devops.get(slot)
    if stored is None:
        raise OAuthHttpError(404, [{"message": "Not found."}])
    return json_reply(stored)


def _api_label(request: Request) -> str:
    return f"api/{request.path_params.get('cloudId', '')}"


def devops_routes() -> list[Route]:
    async def submit_builds(call: Call) -> Response:
        return await _submit(call, BUILDS)

    async def submit_deployments(call: Call) -> Response:
        return await _submit(call, DEPLOYMENTS)

    async def build_by_key(call: Call) -> Response:
        call.operation = "getBuildByKey" if call.request.method == "GET" else "deleteBuildByKey"
        return await _by_key(call, BUILDS)

    async def deployment_by_key(call: Call) -> Response:
        call.operation = "getDeploymentByKey" if call.request.method == "GET" else "deleteDeploymentByKey"
        return await _by_key(call, DEPLOYMENTS)

    builds = "/jira/builds/0.1/cloud/{cloudId}"
    deployments = "/jira/deployments/0.1/cloud/{cloudId}"
    return [
        oauth_route(
            f"{builds}/bulk", submit_builds, methods=["POST"], instance=_api_label, operation="submitBuilds"
        ),
        oauth_route(
            f"{builds}/pipelines/{{pipelineId}}/builds/{{buildNumber:int}}",
            build_by_key,
            methods=["GET", "DELETE"],
            instance=_api_label,
            operation="getBuildByKey",
            raw_path=True,
        ),
        oauth_route(
            f"{deployments}/bulk",
            submit_deployments,
            methods=["POST"],
            instance=_api_label,
            operation="submitDeployments",
        ),
        oauth_route(
            f"{deployments}/pipelines/{{pipelineId}}/environments/{{environmentId}}/deployments/{{sequence:int}}",
            deployment_by_key,
            methods=["GET", "DELETE"],
            instance=_api_label,
            operation="getDeploymentByKey",
            raw_path=True,
        ),
    ]
