"""The sandbox's admin endpoint (``/_sandbox``): faults, counters, clock.

Every route but ``/_sandbox/healthz`` needs ``Authorization: Bearer <admin token>``
(the token is printed by ``jiragw sandbox``). Bodies are JSON; errors use the
project's REST error shape ``{"error": {"code", "message"}}``.

- ``GET /_sandbox/healthz``: ``{"ok": true}``
- ``GET|PATCH /_sandbox/faults``: read / change latency, rate limit, error and drop rates
- ``GET|DELETE /_sandbox/counters``: request counters by instance, operation,
  method, credential label and status (``?instance=&operation=`` filter); DELETE resets
- ``GET|POST /_sandbox/clock``: read / ``{"advance_seconds": N}`` moves time forward
- ``GET|POST /_sandbox/oauth/apps``, ``GET|POST /_sandbox/oauth/consumers``,
  ``GET|PATCH /_sandbox/oauth/settings``: OAuth clients and token lifetimes
  (see :mod:`jiragw.sandbox.oauth.registration`)
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import AuthError, InvalidInput, JiragwError
from .oauth import registration
from .state.sandbox import Sandbox

__all__ = ["admin_routes"]


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _guarded(fn: Callable[[Sandbox, Request], Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        try:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                token.encode(), sandbox.admin_token.encode()
            ):
                raise AuthError("the sandbox admin endpoint needs 'Authorization: Bearer <admin token>'")
            return _json(await fn(sandbox, request))
        except JiragwError as exc:
            return _json(exc.to_dict(), exc.status)

    return run


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


async def _faults(sandbox: Sandbox, request: Request) -> Any:
    if request.method == "PATCH":
        try:
            sandbox.faults.update(await _body(request))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    return sandbox.faults.settings()


async def _counters(sandbox: Sandbox, request: Request) -> Any:
    if request.method == "DELETE":
        sandbox.counters.clear()
    rows = sandbox.counters_json()
    for name in ("instance", "operation", "credential", "method"):
        wanted = request.query_params.get(name)
        if wanted is not None:
            rows = [r for r in rows if r[name] == wanted]
    return {"total": sum(r["count"] for r in rows), "counters": rows}


async def _clock(sandbox: Sandbox, request: Request) -> Any:
    if request.method == "POST":
        body = await _body(request)
        try:
            sandbox.clock.advance(float(body.get("advance_seconds", 0)))
        except (TypeError, ValueError) as exc:
            raise InvalidInput("advance_seconds must be a number") from exc
    return {"now": sandbox.clock.now().isoformat(), "offset_seconds": sandbox.clock.offset}


def _oauth(
    fn: Callable[[Sandbox, str, dict[str, Any]], Any],
) -> Callable[[Sandbox, Request], Awaitable[Any]]:
    async def run(sandbox: Sandbox, request: Request) -> Any:
        body = await _body(request) if request.method in ("POST", "PATCH") else {}
        return fn(sandbox, request.method, body)

    return run


async def _healthz(request: Request) -> Response:
    return _json({"ok": True})


def admin_routes() -> list[Route]:
    return [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/faults", _guarded(_faults), methods=["GET", "PATCH"]),
        Route("/counters", _guarded(_counters), methods=["GET", "DELETE"]),
        Route("/clock", _guarded(_clock), methods=["GET", "POST"]),
        Route("/oauth/apps", _guarded(_oauth(registration.apps)), methods=["GET", "POST"]),
        Route("/oauth/consumers", _guarded(_oauth(registration.consumers)), methods=["GET", "POST"]),
        Route("/oauth/settings", _guarded(_oauth(registration.settings)), methods=["GET", "PATCH"]),
    ]
