"""``jiragw mcp --connection NAME [--read-only]``: the MCP server over stdio, for desktop agent clients.

Issue 6, "Transports and auth": the server runs on the local store
(``JIRAGW_DATABASE_URL`` and the master key, as every CLI command), reaches
only the connections named with ``--connection`` (repeatable), and with
``--read-only`` lists and allows no tool that writes. Every tool call is
audited in the store (actor ``cli:mcp``). Stdout carries the protocol only.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..mcp.access import for_local, store_audit
from ..mcp.server import run_stdio
from .connect_cmd import open_broker, run

__all__ = ["mcp_cmd"]


def mcp_cmd(
    connection: Annotated[
        list[str], typer.Option("--connection", "-c", help="A connection the agent may use (repeatable).")
    ],
    read_only: Annotated[
        bool, typer.Option("--read-only", help="List and allow only tools that read.")
    ] = False,
) -> None:
    """Serve Jira to an MCP client over stdin/stdout."""

    async def serve() -> None:
        async with open_broker() as (broker, _settings):
            names = tuple(dict.fromkeys(connection))
            for name in names:
                await broker.connection(name)  # an unknown name fails now, not at the first call
            audit = store_audit(broker, "cli:mcp")
            access = for_local(names, broker=broker, read_only=read_only, audit=audit)
            await run_stdio(access)

    run(serve())
