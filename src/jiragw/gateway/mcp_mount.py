"""The MCP server on the gateway: streamable HTTP at ``/mcp``, authenticated with gateway keys.

Each HTTP request must carry a gateway key (``Authorization: Bearer jgw_...``
or as the Basic password); without a valid one the answer is 401 with the
REST error body, before the MCP layer sees the request. The key travels with
the request to the tool layer (:func:`jiragw.mcp.access.for_key`): its
connections and scope ceiling decide which tools are listed and callable. The
key itself never goes upstream; Jira sees only the connection's credentials.
Every tool call is audited (``action="mcp"``, the tool's name as target):
a write tool's call and a denial are committed before the answer is sent,
a read tool's within the audit writer's read window; a request without a
valid key is counted per source and minute (:mod:`jiragw.gateway.audit`).

The session manager runs stateless with JSON answers: every request is
authenticated on its own, so any gateway worker can serve any request. What
a worker keeps between requests is a cache, not a session: per gateway key,
the :class:`~jiragw.mcp.access.Access` with its open Jira clients (so a
connection's field listing is fetched once, not on every tool call), for at
most :data:`KEPT_KEYS` keys, the least recently used dropped first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from jiragw.errors import JiragwError, KeyInvalid
from jiragw.gateway.audit import Event
from jiragw.gateway.responses import api_error
from jiragw.gateway.state import Gateway
from jiragw.mcp.access import Access, AuditFn, for_key
from jiragw.mcp.server import build_server
from jiragw.store import KeyRecord

__all__ = ["KEPT_KEYS", "McpApp", "build", "routes", "running"]

KEPT_KEYS = 256  # gateway keys whose MCP reach (and open Jira clients) a worker keeps between requests

_KEY = "jiragw.key"  # where the authenticated key rides in the ASGI scope


class McpApp:
    """The ASGI endpoint: authenticate the key, then hand the request to the SDK's session manager."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.server = build_server(self._access_for)
        self.manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True)
        self.kept: OrderedDict[str, Access] = OrderedDict()
        self._keeping = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            key = await self.gw.authenticate(Headers(scope=scope).get("authorization"))
        except JiragwError as exc:
            client = scope.get("client")
            self.gw.audit.anonymous_denial("mcp", client[0] if client else "unknown", exc.status, exc.code)
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
        gw = self.gw
        async with self._keeping:
            access = self.kept.pop(key.id, None)
            if access is None:
                access = for_key(
                    key, broker=gw.broker, http=gw.http, public_url=gw.public_url, audit=self._audit(key)
                )
            else:  # this request's record: the ceiling, flags and expiry as the key stands now
                access.key, access.read_only = key, key.read_only
            self.kept[key.id] = access
            # Dropped, not closed: a request may still be using it, and its clients send
            # through the gateway's shared upstream client, so they hold no connection of their own.
            while len(self.kept) > KEPT_KEYS:
                self.kept.popitem(last=False)
        return access

    async def aclose(self) -> None:
        """Close every kept session's Jira clients (at gateway shutdown)."""
        async with self._keeping:
            kept, self.kept = list(self.kept.values()), OrderedDict()
        for access in kept:
            await access.aclose()

    def _audit(self, key: KeyRecord) -> AuditFn:
        gw = self.gw

        async def record(
            tool: str, connection_id: str | None, outcome: str, code: str | None, latency: int, durable: bool
        ) -> None:
            event = Event(
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
            if durable:
                await gw.audit.commit(event)
            else:
                gw.audit.record(event)

        return record


def build(gw: Gateway) -> McpApp:
    return McpApp(gw)


@contextlib.asynccontextmanager
async def running(mcp_app: McpApp) -> AsyncIterator[None]:
    """Run the streamable-HTTP session manager for the gateway's lifetime."""
    try:
        async with mcp_app.manager.run():
            yield
    finally:
        await mcp_app.aclose()


def routes(mcp_app: McpApp) -> list[BaseRoute]:
    return [Route("/mcp", endpoint=mcp_app)]
