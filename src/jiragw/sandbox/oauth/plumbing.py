"""Request plumbing shared by the emulated OAuth servers: counting, faults, bodies, errors.

:func:`oauth_route` wraps a handler the way :mod:`jiragw.sandbox.http.dispatch` wraps
Jira's: it applies the sandbox's injected latency and error statuses, maps
:class:`~.errors.OAuthHttpError` to its JSON (or form) body, and counts the call in
``Sandbox.counters`` under a :class:`RequestKey` whose credential is a label
(``client:{client_id}``, a user's email), never a secret, so tests can assert
"exactly one refresh call". Token responses carry ``Cache-Control: no-store``
(RFC 6749 §5.1). Routes whose ids may hold an encoded ``/`` are matched on the
raw path (:mod:`jiragw.sandbox.http.rawpath`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.rawpath import RawPathRoute
from ..state.sandbox import RequestKey, Sandbox
from .errors import OAuthHttpError, oauth_error
from .state import OAuthState, oauth_state

__all__ = ["Call", "json_reply", "oauth_route", "read_params"]


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type="application/json")


@dataclass(slots=True)
class Call:
    request: Request
    sandbox: Sandbox
    oauth: OAuthState
    credential: str = "anonymous"  # a label for counters: never a secret
    operation: str = ""  # set by a handler to refine the counted operation (e.g. per grant type)

    @property
    def now(self) -> float:
        return self.sandbox.clock.time()

    def root(self) -> str:
        return str(self.request.base_url).rstrip("/")


Handler = Callable[[Call], Awaitable[Response]]


def oauth_route(
    path: str,
    handler: Handler,
    *,
    methods: list[str],
    instance: str | Callable[[Request], str],
    operation: str,
    raw_path: bool = False,
) -> Route:
    """A Starlette route for ``handler``, counted as ``instance``/``operation``.

    With ``raw_path`` the route matches the encoded path, so a ``%2F`` inside an
    id stays in its parameter (decoded to ``/``) instead of splitting it.
    """

    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        call = Call(request, sandbox, oauth_state(sandbox))
        label = instance(request) if callable(instance) else instance
        status = 500
        try:
            decision = sandbox.faults.decide(call.credential, sandbox.clock.monotonic(), sandbox.clock.time())
            if decision.delay:
                await asyncio.sleep(decision.delay)
            if decision.status is not None:
                status = decision.status
                return json_reply(
                    {"error": "server_error", "error_description": "injected by the sandbox"},
                    status,
                    decision.headers,
                )
            response = await handler(call)
            status = response.status_code
            return response
        except OAuthHttpError as exc:
            status = exc.http_status
            return exc.response()
        finally:
            sandbox.count(
                RequestKey(label, call.operation or operation, request.method, call.credential, status)
            )

    run.__name__ = operation
    return (RawPathRoute if raw_path else Route)(path, run, methods=methods)


async def read_params(request: Request) -> dict[str, str]:
    """A token request's parameters from a JSON or form body (Atlassian accepts both)."""
    raw = await request.body()
    if len(raw) > 64 * 1024:
        raise oauth_error(400, "invalid_request", "The request body is too large.")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json" or (not ctype and raw.lstrip().startswith(b"{")):
        try:
            data = orjson.loads(raw or b"{}")
        except orjson.JSONDecodeError:
            raise oauth_error(400, "invalid_request", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        return {str(k): v for k, v in data.items() if isinstance(v, str)}
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise oauth_error(400, "invalid_request", "The request body is not UTF-8.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise oauth_error(400, "invalid_request", "A parameter is repeated.")  # RFC 6749 §3.2
        params[name] = value
    return params
