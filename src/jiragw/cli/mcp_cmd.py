"""``jiragw mcp [--connection NAME] [--read-only]``: the MCP server over stdio, for desktop agent clients.

The server runs on the local store (``JIRAGW_DATABASE_URL`` and the master
key, as every CLI command), reaches only the connections named with
``--connection`` (repeatable; without one, the connection
:mod:`jiragw.cli.connection_choice` picks), and with ``--read-only`` lists and
allows no tool that writes. Every tool call is audited in the store (actor
``cli:mcp``). Stdout carries the protocol only.

Agents start this command on every launch and wait for the ``initialize``
answer, so it loads the MCP SDK only when it runs, and the store, the broker
and the Jira SDK only once the client asks for tools (:mod:`jiragw.mcp.stdio`);
never the gateway's web stack. A configuration that cannot serve (no master
key, no connection, an unknown one) answers the client's requests with its
error, and the command then exits with that error as it always did.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Annotated

import typer

from .connection_choice import CONNECTION_HELP

if TYPE_CHECKING:
    from ..mcp.access import Access

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
    from ..mcp.stdio import run_stdio
    from .connect_cmd import open_broker, run
    from .connection_choice import connection_for

    async def open_session(stack: AsyncExitStack) -> Access:
        from ..mcp.access import for_local, store_audit

        broker, settings = await stack.enter_async_context(open_broker())
        names = tuple(dict.fromkeys(connection or ()))
        if not names:
            names = (await connection_for(broker, settings, None),)
        for name in names:
            await broker.connection(name)  # an unknown name fails the session, not its first call
        audit = store_audit(broker, "cli:mcp")
        access = for_local(names, broker=broker, read_only=read_only, audit=audit)
        stack.push_async_callback(access.aclose)
        return access

    run(run_stdio(open_session))
