"""The MCP server on the gateway: streamable HTTP at ``/mcp``, authenticated with gateway keys.

Issue 6, "Transports and auth". Each HTTP request must carry a gateway key
(``Authorization: Bearer jgw_...`` or as the Basic password); without a valid
one the answer is 401 with the REST error body, before the MCP layer sees the
request. The key travels with the request to the tool layer
(:func:`jiragw.mcp.access.for_key`): its connections and scope ceiling decide
which tools are listed and callable. The key itself never goes upstream; Jira
sees only the connection's credentials. Every tool call is audited
(``action="mcp"``, the tool's name as target) through the batch writer.

The session manager runs stateless with JSON answers: every request is
authenticated on its own and no session state outlives it, so any gateway
worker can serve any request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from mcp.server import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from jiragw.errors import JiragwError, KeyInvalid
from jiragw.gateway.audit import Event
from jiragw.gateway.responses import api_error
from jiragw.gateway.state import Gateway
from jiragw.store import KeyRecord

if TYPE_CHECKING:
    from jiragw.mcp.access import Access, AuditFn

__all__ = ["McpApp", "build", "routes", "running"]

_KEY = "jiragw.key"  # where the authenticated key rides in the ASGI scope


class McpApp:
    """The ASGI endpoint: authenticate the key, then hand the request to the SDK's session manager."""

    def __init__(self, gw: Gateway) -> None:
        # Imported here: jiragw.mcp reads the gateway's ceiling module, whose package imports this one.
        from jiragw.mcp.server import build_server

        self.gw = gw
        self.server = build_server(self._access_for)
        self.manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            key = await self.gw.authenticate(Headers(scope=scope).get("authorization"))
        except JiragwError as exc:
            await api_error(exc)(scope, receive, send)
            return
        scope[_KEY] = key
        await self.manager.handle_request(scope, receive, send)

    async def _access_for(self, ctx: ServerRequestContext[Any]) -> Access:
        request = ctx.request
        scope = getattr(request, "scope", None)
        key = scope.get(_KEY) if isinstance(scope, dict) else None
        if not isinstance(key, KeyRecord):
            raise KeyInvalid("a gateway key is required")
        from jiragw.mcp.access import for_key

        gw = self.gw
        return for_key(key, broker=gw.broker, http=gw.http, public_url=gw.public_url, audit=self._audit(key))

    def _audit(self, key: KeyRecord) -> AuditFn:
        gw = self.gw

        def record(
            tool: str, connection_id: str | None, outcome: str, code: str | None, latency: int
        ) -> None:
            gw.audit.record(
                Event(
                    action="mcp",
                    actor=f"key:{key.id}",
                    outcome=outcome,
                    at=gw.now(),
                    key_id=key.id,
                    connection_id=connection_id,
                    method="tools/call",
                    target=tool,
                    latency_ms=latency,
                    error_code=code,
                )
            )

        return record


def build(gw: Gateway) -> McpApp:
    return McpApp(gw)


@contextlib.asynccontextmanager
async def running(mcp_app: McpApp) -> AsyncIterator[None]:
    """Run the streamable-HTTP session manager for the gateway's lifetime."""
    async with mcp_app.manager.run():
        yield


def routes(mcp_app: McpApp) -> list[BaseRoute]:
    return [Route("/mcp", endpoint=mcp_app)]
