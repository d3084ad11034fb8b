"""``jiragw mcp [--connection NAME] [--read-only]``: the MCP server over stdio, for desktop agent clients.

The server runs on the local store (``JIRAGW_DATABASE_URL`` and the master
key, as every CLI command), reaches only the connections named with
``--connection`` (repeatable; without one, the connection
:mod:`jiragw.cli.connection_choice` picks), and with ``--read-only`` lists and
allows no tool that writes. Every tool call is audited in the store (actor
``cli:mcp``). Stdout carries the protocol only.

Agents start this command on every launch, so it imports the MCP SDK, the
store and the broker only when it runs, and never the gateway's web stack.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .connection_choice import CONNECTION_HELP

__all__ = ["mcp_cmd"]


def mcp_cmd(
    connection: Annotated[
        list[str] | None,
        typer.Option(
            "--connection",
            "-c",
            metavar="NAME",
            help=f"A connection the agent may use (repeatable). {CONNECTION_HELP}",
        ),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="List and allow only tools that read.")
    ] = False,
) -> None:
    """Serve Jira to an MCP client over stdin/stdout."""
    from ..mcp.access import for_local, store_audit
    from ..mcp.server import run_stdio
    from .connect_cmd import open_broker, run
    from .connection_choice import connection_for

    async def serve() -> None:
        async with open_broker() as (broker, settings):
            names = tuple(dict.fromkeys(connection or ()))
            if not names:
                names = (await connection_for(broker, settings, None),)
            for name in names:
                await broker.connection(name)  # an unknown name fails now, not at the first call
            audit = store_audit(broker, "cli:mcp")
            access = for_local(names, broker=broker, read_only=read_only, audit=audit)
            await run_stdio(access)

    run(serve())
