"""Admin UI: copy-paste MCP client configuration (streamable HTTP at ``/mcp``, or stdio).

The page shows a placeholder, never a real key; :func:`http_config` with a
real key is used once, on the page that shows a newly created key.
"""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.broker.manage import list_connections
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page

__all__ = ["KEY_PLACEHOLDER", "http_config", "routes", "stdio_config"]

KEY_PLACEHOLDER = "<your key>"


def http_config(public_url: str, key: str = KEY_PLACEHOLDER) -> str:
    """A streamable-HTTP MCP client entry (the ``mcpServers`` shape most clients read)."""
    entry = {"type": "http", "url": f"{public_url}/mcp", "headers": {"Authorization": f"Bearer {key}"}}
    return json.dumps({"mcpServers": {"jira": entry}}, indent=2)


def stdio_config(connection: str) -> str:
    entry = {"command": "jiragw", "args": ["mcp", "--connection", connection]}
    return json.dumps({"mcpServers": {"jira": entry}}, indent=2)


async def mcp_page(ui: AdminUI, ctx: Ctx) -> Response:
    views = await list_connections(ui.gw.broker)
    connection = views[0].name if views else "NAME"
    return ui.render(
        "mcp.html",
        ctx.session,
        title="MCP",
        http_json=http_config(ui.gw.public_url),
        stdio_json=stdio_config(connection),
        connection=connection,
    )


def routes(ui: AdminUI) -> list[BaseRoute]:
    return [Route("/mcp-config", admin_page(ui, mcp_page), methods=["GET"])]
