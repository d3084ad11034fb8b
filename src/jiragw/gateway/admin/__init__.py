"""The admin web UI: server-rendered pages at ``/``.

Jinja2 templates with autoescaping, no JavaScript, one local stylesheet.
Every page needs an admin session (:mod:`.sessions`), every form carries a
CSRF token (:mod:`.csrf`), every response is ``no-store`` with a strict CSP
(:mod:`.web`). Pages: sign-in (:mod:`.pages_login`), Connections
(:mod:`.pages_connections`, with its "Try it" panel), Connect Jira (:mod:`.pages_connect`; the OAuth
redirects live in :mod:`jiragw.gateway.oauth_routes`), Keys
(:mod:`.pages_keys`), Audit (:mod:`.pages_audit`) and MCP (:mod:`.pages_mcp`);
the 404, 405 and 500 pages of every browser path (:mod:`.error_pages`).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from jiragw.gateway.admin import (
    pages_audit,
    pages_connect,
    pages_connections,
    pages_keys,
    pages_login,
    pages_mcp,
)
from jiragw.gateway.admin.error_pages import exception_handlers
from jiragw.gateway.admin.web import ui_for
from jiragw.gateway.state import Gateway

__all__ = ["exception_handlers", "routes"]

_CSS = Path(__file__).parent / "static" / "admin.css"


async def _stylesheet(request: Request) -> Response:
    return FileResponse(
        _CSS,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def routes(gw: Gateway) -> list[BaseRoute]:
    """Every admin route over ``gw``."""
    ui = ui_for(gw)
    return [
        Route("/static/admin.css", _stylesheet, methods=["GET"]),
        *pages_login.routes(ui),
        *pages_connections.routes(ui),
        *pages_connect.routes(ui),
        *pages_keys.routes(ui),
        *pages_audit.routes(ui),
        *pages_mcp.routes(ui),
    ]
