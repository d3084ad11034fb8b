"""Error pages: what the gateway answers when no route matches, the method is wrong, or a handler fails.

A browser path gets an HTML page in the admin UI's layout (with its
navigation when the visitor is signed in, and the UI's security headers); the
machine doors (the proxy ``/jira``, the management API ``/api``, ``/mcp``,
and the ops endpoints) get the JSON error body every door uses,
``{"error": {"code", "message"}}``, with a stable code. A 405 keeps its
``Allow`` header. The 500 page reads nothing from the database (the database
may be what failed), and neither shape carries the exception's text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from jiragw.gateway.admin.sessions import AdminSession
from jiragw.gateway.admin.web import ui_for
from jiragw.gateway.state import Gateway

__all__ = ["MACHINE_PREFIXES", "exception_handlers", "is_machine_path"]

MACHINE_PREFIXES = ("/jira", "/api", "/mcp", "/healthz", "/readyz", "/metrics")

# status -> (stable code, page title, what the page says)
_ERRORS: Mapping[int, tuple[str, str, str]] = {
    404: ("not_found", "Page not found", "There is no page at this address."),
    405: (
        "method_not_allowed",
        "Method not allowed",
        "This address does not answer that kind of request.",
    ),
    500: (
        "internal_error",
        "Something went wrong",
        "The gateway hit an unexpected error (it is in the gateway's log). Try again in a moment.",
    ),
}

ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


def is_machine_path(path: str) -> bool:
    """Whether ``path`` belongs to a door that answers JSON (proxy, API, MCP, ops)."""
    return any(path == p or path.startswith(p + "/") for p in MACHINE_PREFIXES)


def _json(status: int, headers: Mapping[str, str] | None) -> JSONResponse:
    code, _, _ = _ERRORS.get(status, ("http_error", "", ""))
    message = {404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}.get(status, "Error")
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def exception_handlers(gw: Gateway) -> dict[int | type[Exception], ExceptionHandler]:
    """Starlette ``exception_handlers`` for the gateway app: 404, 405 and any other HTTP error, and 500."""
    ui = ui_for(gw)

    async def session_of(request: Request) -> AdminSession | None:
        # Best effort: an error page must render even when the session cannot be read.
        with contextlib.suppress(Exception):
            return await ui.session(request)
        return None

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if is_machine_path(request.url.path):
            return _json(exc.status_code, exc.headers)
        _, title, text = _ERRORS.get(exc.status_code, ("", "Error", str(exc.detail)))
        response = ui.message(await session_of(request), title, text, status=exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Starlette re-raises the exception after this answer, so the server logs it with its trace.
        if is_machine_path(request.url.path):
            return _json(500, None)
        _, title, text = _ERRORS[500]
        return ui.message(None, title, text, status=500)

    return {HTTPException: on_http, Exception: on_crash}
