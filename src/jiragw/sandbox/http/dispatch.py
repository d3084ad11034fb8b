"""Running one endpoint of the emulated Jira, the way Jira's REST layer does.

:func:`serve_endpoint` wraps an :class:`~.endpoints.Endpoint`'s handler: it
resolves the instance from the mount's path parameters, authenticates
(:mod:`.auth`), applies injected faults, latency and rate limits, counts the
request, runs the handler, turns its result into a response and maps
:class:`~.errors.JiraHttpError` to Jira's ErrorCollection body
``{"errorMessages": [...], "errors": {...}}``. :func:`unknown_resource`
answers any path no endpoint serves. The route table that uses both is
:mod:`jiragw.sandbox.routing`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..state.model import Instance, Kind
from ..state.sandbox import RequestKey, Sandbox
from .auth import AuthHooks, authenticate
from .context import Ctx
from .endpoints import Endpoint, Reply
from .errors import JiraHttpError

__all__ = ["JSON_TYPE", "DroppedConnection", "json_response", "serve_endpoint", "unknown_resource"]

JSON_TYPE = "application/json;charset=UTF-8"


_API_VERSIONS: dict[Kind, frozenset[str]] = {
    "cloud": frozenset({"2", "3", "latest"}),
    "dc": frozenset({"2", "latest"}),
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS),
        status_code=status,
        headers=headers,
        media_type=JSON_TYPE,
    )


def _resolve_instance(sandbox: Sandbox, request: Request) -> tuple[Instance | None, str, str]:
    """(instance, counter label, base URL) from the mount's path params."""
    params = request.path_params
    root = str(request.base_url).rstrip("/")
    if "site" in params:
        name = params["site"]
        return sandbox.sites.get(name), f"sites/{name}", f"{root}/sites/{name}"
    if "dc" in params:
        name = params["dc"]
        return sandbox.dcs.get(name), f"dc/{name}", f"{root}/dc/{name}"
    cloud_id = params.get("cloudId", "")
    return sandbox.site_by_cloud_id(cloud_id), f"ex/{cloud_id}", f"{root}/ex/jira/{cloud_id}"


class DroppedConnection(Exception):
    """Raised mid-response to emulate a connection the server dropped."""


def serve_endpoint(ep: Endpoint, hooks: AuthHooks) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint running ``ep`` (``hooks``: the OAuth checks the app wired in)."""

    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        instance, label, base = _resolve_instance(sandbox, request)
        credential = "anonymous"
        status = 500
        try:
            if instance is None or instance.kind not in ep.flavors:
                raise JiraHttpError(404, ["Not found."])
            version = request.path_params.get("version")
            if version is not None and version not in (_API_VERSIONS[instance.kind] & ep.versions):
                raise JiraHttpError(404, ["Not found."])
            auth = authenticate(sandbox, instance, request, via_gateway=label.startswith("ex/"), hooks=hooks)
            credential = auth.label
            decision = sandbox.faults.decide(credential, sandbox.clock.monotonic(), sandbox.clock.time())
            if decision.delay:
                await asyncio.sleep(decision.delay)
            if decision.status is not None:
                status = decision.status
                body = {"errorMessages": [_FAULT_MESSAGES.get(status, "Server error.")], "errors": {}}
                return json_response(body, status, decision.headers)
            if auth.error is not None:
                raise auth.error
            if auth.user is None and not ep.anonymous:
                raise JiraHttpError(
                    401,
                    ["You are not authenticated. Authentication required to perform this operation."],
                    headers=auth.challenge,
                )
            ctx = Ctx(sandbox, instance, request, auth, base)
            result = await ep.handler(ctx)
            if decision.per_issue_delay and ctx.cost_issues:
                await asyncio.sleep(decision.per_issue_delay * ctx.cost_issues)
            if isinstance(result, Response):
                response = result
            elif isinstance(result, Reply):
                response = (
                    Response(status_code=result.status, headers=result.headers)
                    if result.body is None
                    else json_response(result.body, result.status, result.headers)
                )
            elif result is None:
                response = Response(status_code=204)
            else:
                response = json_response(result)
            for name, value in decision.headers.items():
                response.headers.setdefault(name, value)
            status = response.status_code
            if decision.drop:
                status = 0
                return _dropping_response(response)
            return response
        except JiraHttpError as exc:
            status = exc.http_status
            return json_response(exc.body(), status, exc.headers)
        finally:
            sandbox.count(RequestKey(label, ep.operation, request.method, credential, status))

    run.__name__ = ep.operation
    return run


_FAULT_MESSAGES = {
    500: "Internal server error (injected by the sandbox).",
    503: "Service unavailable (injected by the sandbox).",
    429: "Rate limit exceeded.",
}


def _dropping_response(response: Response) -> Response:
    """A response that announces its full length, sends half, then aborts."""
    body = bytes(response.body) or b"{}"

    class _Dropping(Response):
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (b"content-type", JSON_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send(
                {"type": "http.response.body", "body": body[: math.floor(len(body) / 2)], "more_body": True}
            )
            raise DroppedConnection("connection dropped by the sandbox's fault injection")

    return _Dropping()


async def unknown_resource(request: Request) -> Response:
    """Any path no endpoint serves: a JSON 404 (counted), as Jira's REST layer answers."""
    sandbox: Sandbox = request.app.state.sandbox
    _, label, _ = _resolve_instance(sandbox, request)
    sandbox.count(RequestKey(label, "unknown", request.method, "-", 404))
    return json_response({"errorMessages": [f"No resource found for {request.url.path}"], "errors": {}}, 404)
