"""The MCP server: the SDK's low-level ``Server`` whose tool list and calls follow the caller's reach.

``tools/list`` answers only the tools the session may call: a read-only
session sees no write tool; a gateway key sees only tools whose every
operation its ceiling allows; each tool gets a ``connection`` argument (an
enum of names) when the session reaches several connections. ``tools/call``
checks the session's reach again and the arguments against the tool's
schema (:mod:`.arguments`), takes the session's Jira client for the connection
(kept open across calls, its requests guarded: :mod:`.access`), runs the
handler, audits the call, and turns a :class:`~jiragw.errors.JiragwError`
into a tool error (:mod:`.errors`); an error finding the caller's reach
answers ``tools/list`` as a protocol error with the same text.

Building the server loads only the SDK: the tool modules (the Jira SDK, the
broker) load with the first request that lists or calls a tool, so the stdio
server (:mod:`.stdio`) answers ``initialize`` without them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import mcp.types as types
from mcp.server import Server, ServerRequestContext

from jiragw import __version__
from jiragw.errors import InvalidInput, JiragwError, NotFound

from .arguments import check_arguments, input_schema
from .errors import protocol_error, tool_error
from .tool import Call, ToolSpec

if TYPE_CHECKING:
    from jiragw.store import ConnectionRecord

    from .access import Access

__all__ = ["AccessFor", "all_tools", "build_server", "listed_tools"]

AccessFor = Callable[[ServerRequestContext[Any]], Awaitable["Access"]]

INSTRUCTIONS = (
    "Jira through jiragw. Start with search_issues (JQL) or get_issue; projects and search_fields tell "
    "which project keys, issue types and field names exist. Answers are compact Markdown; when a page "
    "ends with a cursor, call again with it for more."
)


def all_tools() -> tuple[ToolSpec, ...]:
    """Every tool, in listing order (:data:`.tools.ALL_TOOLS`), loaded on first use."""
    from .tools import ALL_TOOLS

    return ALL_TOOLS


def _mcp_tool(tool: ToolSpec, names: Sequence[str]) -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=input_schema(tool, names),
        annotations=types.ToolAnnotations(
            read_only_hint=tool.read_only,
            destructive_hint=tool.destructive if not tool.read_only else None,
            idempotent_hint=tool.idempotent if not tool.read_only else None,
            open_world_hint=False,
        ),
    )


async def listed_tools(access: Access) -> tuple[list[ToolSpec], list[ConnectionRecord]]:
    """The tools ``access`` may call, and its reachable connections."""
    conns = await access.connections()
    flavors = {str(c.flavor) for c in conns}
    tools = [
        t
        for t in all_tools()
        if (t.read_only or not access.session_read_only)
        and (not t.needs_connection or conns)
        and access.allows_tool(t, flavors)
    ]
    return tools, conns


async def call_tool(access: Access, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    """Run tool ``name`` for ``access``: checks, handler, audit; errors become tool errors."""
    started = time.monotonic()
    conn: ConnectionRecord | None = None
    try:
        tool = next((t for t in all_tools() if t.name == name), None)
        if tool is None:
            raise NotFound(f"no tool is named {name!r}")
        args = dict(arguments)
        chosen = args.pop("connection", None)
        call = Call(access)
        if tool.needs_connection:
            conn = await access.connection(None if chosen is None else str(chosen))
            access.check_tool(tool, str(conn.flavor))
        # Who may call what is answered first; then the arguments, before anything is opened or sent.
        check_arguments(tool, arguments)
        if conn is not None:
            call.connection, call.jira_client = conn, await access.client(conn)
        result = await tool.handler(call, args)
    except JiragwError as exc:
        access.record(name, conn, started, exc)
        return tool_error(exc, access.public_url)
    except (KeyError, TypeError, ValueError) as exc:  # arguments the schema should have refused
        error = InvalidInput(f"the arguments of {name} are not valid: {exc}")
        access.record(name, conn, started, error)
        return tool_error(error, access.public_url)
    access.record(name, conn, started, None)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=result.text)], structured_content=result.data
    )


def build_server(access_for: AccessFor) -> Server[Any]:
    """The MCP server; ``access_for`` tells each request's reach (a fixed session, or the request's key)."""

    async def on_list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        try:
            access = await access_for(ctx)
        except JiragwError as exc:
            raise protocol_error(exc, None) from exc
        tools, conns = await listed_tools(access)
        names = [c.name for c in conns]
        return types.ListToolsResult(tools=[_mcp_tool(t, names) for t in tools])

    async def on_call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            access = await access_for(ctx)
        except JiragwError as exc:
            return tool_error(exc, None)
        return await call_tool(access, params.name, dict(params.arguments or {}))

    return Server(
        "jiragw",
        version=__version__,
        title="Jira via jiragw",
        instructions=INSTRUCTIONS,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )
