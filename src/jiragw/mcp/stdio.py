"""The MCP server over stdin/stdout: ``initialize`` answered at once, the session opened on the first request.

Agents start ``jiragw mcp`` on every launch and wait for its ``initialize``
answer, which needs nothing but the SDK. Opening the session (the store and
its schema check, the connections named, the broker, the Jira SDK) is what
takes time, so :class:`LazySession` does it on the first request that needs
it (``tools/list``, ``tools/call``), once: concurrent requests wait for the
same opening, and its outcome is kept for the whole session.

An opening that fails (no connection, an unknown one, a store that cannot be
opened) answers every request with its error, as the server reports any
other (:mod:`.server`: a tool error for ``tools/call``, a protocol error with
the same text for ``tools/list``), and :func:`run_stdio` raises it once the
client has gone, so the command still ends with that error's message and
exit status. A session the client ends before any request is opened then,
for the same reason: a configuration that cannot serve never exits 0.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server import ServerRequestContext
from mcp.server.stdio import stdio_server

from .server import build_server

if TYPE_CHECKING:
    from .access import Access

__all__ = ["LazySession", "OpenSession", "run_stdio"]

# Opens the session, registering on the stack whatever must be closed when it ends.
OpenSession = Callable[[AsyncExitStack], Coroutine[Any, Any, "Access"]]


class LazySession:
    """A session's :class:`~.access.Access`, opened by the first :meth:`get` and kept (or its error)."""

    def __init__(self, open_session: OpenSession) -> None:
        self._open = open_session
        self._stack = AsyncExitStack()
        self._opening: asyncio.Task[Access] | None = None

    async def get(self) -> Access:
        """The open session; the first call opens it, later and concurrent calls share that opening."""
        if self._opening is None:
            self._opening = asyncio.create_task(self._open(self._stack))
        # Shielded: a cancelled request must not abandon an opening that others wait for.
        return await asyncio.shield(self._opening)

    async def aclose(self) -> None:
        """Close what the opening opened (an opening still under way is cancelled first)."""
        if self._opening is not None:
            if not self._opening.done():
                self._opening.cancel()
            await asyncio.wait([self._opening])
        await self._stack.aclose()


def _stdin() -> anyio.AsyncFile[str] | None:
    """``sys.stdin`` itself when it is text without a binary buffer (an embedding host); else the SDK's."""
    if hasattr(sys.stdin, "buffer"):
        return None
    return anyio.wrap_file(sys.stdin)


async def run_stdio(open_session: OpenSession) -> None:
    """Serve over stdin/stdout until the client closes the stream; the session opens on its first request."""
    session = LazySession(open_session)

    async def access_for(ctx: ServerRequestContext[Any]) -> Access:
        return await session.get()

    server = build_server(access_for)
    try:
        async with stdio_server(stdin=_stdin()) as (read, write):
            await server.run(read, write, server.create_initialization_options())
        await session.get()  # the opening's error, if any, fails the command (see the module doc)
    finally:
        await session.aclose()
