"""The sandbox's request plumbing: endpoint registry, request context, Jira errors.

Route modules declare endpoints with :func:`endpoint`, naming the spec's
``operationId`` and the path template (relative to an instance's root,
``{version}`` standing for ``2``/``3``/``latest``); the few resources Jira
serves outside its REST API (the avatar images its answers link to) are
declared with :func:`servlet` instead, kept out of :data:`REGISTRY` (the
spec's operations, which the conformance tests walk). :func:`build_routes`
turns both into Starlette routes wrapped by :func:`_wrap` (serving
Jira Software's ``/rest/agile/1.0`` under ``/rest/agile/latest`` too, the
alias Jira keeps for it on Cloud and Data Center), which
resolves the instance, authenticates, applies faults and rate limits,
counts the request, runs the handler and maps :class:`JiraHttpError` to
Jira's ErrorCollection body ``{"errorMessages": [...], "errors": {...}}``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import SandboxError
from .auth import AuthResult, authenticate
from .model import Instance, Kind, User
from .state import RequestKey, Sandbox

__all__ = [
    "REGISTRY",
    "SERVLETS",
    "Ctx",
    "Endpoint",
    "JiraHttpError",
    "Reply",
    "bad_request",
    "build_routes",
    "endpoint",
    "json_response",
    "not_found",
    "servlet",
]

JSON_TYPE = "application/json;charset=UTF-8"


class JiraHttpError(SandboxError):
    """An error the emulated Jira answers with, as an ErrorCollection."""

    def __init__(
        self,
        status: int,
        messages: Iterable[str] = (),
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.error_messages = list(messages)
        self.errors = dict(errors or {})
        super().__init__("; ".join([*self.error_messages, *self.errors.values()]) or f"HTTP {status}")
        self.http_status = status
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.error_messages, "errors": self.errors}


def bad_request(*messages: str, **errors: str) -> JiraHttpError:
    return JiraHttpError(400, messages, errors)


def not_found(*messages: str) -> JiraHttpError:
    return JiraHttpError(404, messages)


@dataclass(slots=True)
class Reply:
    """A handler's explicit answer (status, JSON body, headers)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Ctx"], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    operation: str
    handler: Handler
    flavors: frozenset[Kind]
    anonymous: bool
    versions: frozenset[str]


REGISTRY: list[Endpoint] = []
# Jira's non-REST resources (servlets such as /secure/useravatar): served, but no spec operation.
SERVLETS: list[Endpoint] = []

_API_VERSIONS: dict[Kind, frozenset[str]] = {
    "cloud": frozenset({"2", "3", "latest"}),
    "dc": frozenset({"2", "latest"}),
}


def endpoint(
    method: str,
    path: str,
    operation: str,
    *,
    flavors: Iterable[Kind] = ("cloud", "dc"),
    anonymous: bool = False,
    versions: Iterable[str] = ("2", "3", "latest"),
) -> Callable[[Handler], Handler]:
    """Register a handler for ``method path`` (``operation`` = the spec's operationId)."""

    def deco(fn: Handler) -> Handler:
        REGISTRY.append(
            Endpoint(method, path, operation, fn, frozenset(flavors), anonymous, frozenset(versions))
        )
        return fn

    return deco


def servlet(
    method: str, path: str, name: str, *, flavors: Iterable[Kind] = ("cloud", "dc")
) -> Callable[[Handler], Handler]:
    """Register a handler for a Jira resource outside the REST API (``name`` labels its counter)."""

    def deco(fn: Handler) -> Handler:
        SERVLETS.append(Endpoint(method, path, name, fn, frozenset(flavors), False, frozenset()))
        return fn

    return deco


class Ctx:
    """Everything a handler needs about one request."""

    __slots__ = ("_body", "auth", "base", "cost_issues", "instance", "request", "sandbox", "version")

    def __init__(
        self, sandbox: Sandbox, instance: Instance, request: Request, auth: AuthResult, base: str
    ) -> None:
        self.sandbox = sandbox
        self.instance = instance
        self.request = request
        self.auth = auth
        self.base = base  # the instance root URL as the caller addressed it
        version = request.path_params.get("version", "2")
        self.version = "2" if version == "latest" else version
        self.cost_issues = 0  # issues returned with fields beyond id/key (latency model)
        self._body: Any = _UNSET

    # -- identity --------------------------------------------------------
    @property
    def user(self) -> User:
        if self.auth.user is None:
            raise JiraHttpError(
                401, ["You are not authenticated. Authentication required to perform this operation."]
            )
        return self.auth.user

    @property
    def maybe_user(self) -> User | None:
        return self.auth.user

    @property
    def v3(self) -> bool:
        """True when the caller speaks REST v3 (ADF rich text)."""
        return self.version == "3"

    @property
    def cloud(self) -> bool:
        return self.instance.kind == "cloud"

    def require(self, permission: str, message: str | None = None) -> User:
        """The caller, who must hold ``permission`` (403 otherwise)."""
        user = self.user
        if not user.can(permission):
            raise JiraHttpError(403, [message or "You do not have permission to perform this operation."])
        return user

    # -- request data ----------------------------------------------------
    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def query_list(self, name: str) -> list[str] | None:
        """A list parameter given repeated and/or comma-separated; None when absent.

        An empty value (``?type=``) counts as absent, as Jira ignores it: an empty
        list would otherwise read as "match nothing".
        """
        values = self.request.query_params.getlist(name)
        parts = [part.strip() for v in values for part in v.split(",") if part.strip()]
        return parts or None

    def query_int(self, name: str, default: int, *, minimum: int | None = 0) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"The '{name}' parameter must be an integer, not '{raw}'.") from None
        if minimum is not None and value < minimum:
            raise bad_request(f"The '{name}' parameter must be at least {minimum}.")
        return value

    def query_bool(self, name: str, default: bool) -> bool:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        return raw.lower() == "true"

    async def body(self) -> Any:
        """The request's JSON body (400 with Jira's wording when it is not JSON)."""
        if self._body is _UNSET:
            raw = await self.request.body()
            if not raw:
                self._body = None
            else:
                try:
                    self._body = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise bad_request(
                        "Unexpected character in the request body: it is not valid JSON."
                    ) from None
        return self._body

    async def body_object(self) -> dict[str, Any]:
        body = await self.body()
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    # -- links -----------------------------------------------------------
    def url(self, rel: str) -> str:
        """An absolute ``self`` link under this instance (``rel`` starts with ``/``)."""
        return self.base + rel

    def api(self, rel: str) -> str:
        """A REST link in the caller's API version, e.g. ``api("/issue/10001")``."""
        return f"{self.base}/rest/api/{self.version}{rel}"


_UNSET: Any = object()


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


def _wrap(ep: Endpoint) -> Callable[[Request], Awaitable[Response]]:
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
            auth = authenticate(sandbox, instance, request, via_gateway=label.startswith("ex/"))
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


def build_routes(kind: Kind) -> list[Route]:
    """Starlette routes for every registered endpoint that ``kind`` instances serve."""
    from . import routes  # noqa: F401 - importing registers the endpoints

    grouped: dict[str, list[Endpoint]] = {}
    for ep in (*REGISTRY, *SERVLETS):
        if kind in ep.flavors:
            grouped.setdefault(ep.path, []).append(ep)
    out: list[Route] = []
    for path, eps in grouped.items():
        by_method = {ep.method: _wrap(ep) for ep in eps}

        async def dispatch(request: Request, _by: dict[str, Any] = by_method) -> Response:
            handler = _by.get(request.method) or (_by.get("GET") if request.method == "HEAD" else None)
            if handler is None:
                return json_response({"errorMessages": ["Method not allowed."], "errors": {}}, 405)
            resp: Response = await handler(request)
            return resp

        for served in (path, *_aliases(path)):
            out.append(Route(served, dispatch, methods=list(by_method)))
    # Literal segments must win over parameters (``issue/createmeta`` before ``issue/{key}``).
    out.sort(key=lambda r: [(seg.startswith("{") and seg != "{version}", seg) for seg in r.path.split("/")])
    out.append(Route("/{rest:path}", _unknown_resource, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]))
    return out


# Versioned prefixes Jira also serves under another name: (registered, alias). The
# platform API's ``latest`` is a ``{version}`` value instead, as it has several versions.
_PREFIX_ALIASES = (("/rest/agile/1.0/", "/rest/agile/latest/"),)


def _aliases(path: str) -> list[str]:
    """The other paths an endpoint registered at ``path`` answers on."""
    return [alias + path.removeprefix(prefix) for prefix, alias in _PREFIX_ALIASES if path.startswith(prefix)]


async def _unknown_resource(request: Request) -> Response:
    """Any path no endpoint serves: a JSON 404 (counted), as Jira's REST layer answers."""
    sandbox: Sandbox = request.app.state.sandbox
    _, label, _ = _resolve_instance(sandbox, request)
    sandbox.count(RequestKey(label, "unknown", request.method, "-", 404))
    return json_response({"errorMessages": [f"No resource found for {request.url.path}"], "errors": {}}, 404)
