"""A session keeps one Jira client per connection: the field listing is fetched once, not per tool call."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mcp import Client

from jiragw.mcp.access import Access
from jiragw.mcp.server import build_server
from jiragw.sandbox import Sandbox
from tests.mcp.conftest import Local
from tests.mcp.scenario import JQL, ok


def operations(sandbox: Sandbox) -> Counter[str]:
    """Requests served so far, by the spec operation they called."""
    out: Counter[str] = Counter()
    for key, n in sandbox.counters.items():
        out[key.operation] += n
    return out


def session(access: Access) -> Client:
    async def fixed(ctx: Any) -> Access:
        return access

    return Client(build_server(fixed))


async def calls_of(sandbox: Sandbox, client: Client, tool: str, args: dict[str, Any]) -> Counter[str]:
    before = operations(sandbox)
    await ok(client, tool, args)
    return operations(sandbox) - before


async def test_the_field_listing_is_fetched_once_per_connection_and_session(local: Local) -> None:
    access = local.access("acme", "corp")
    async with session(access) as client:
        first = await calls_of(local.sandbox, client, "get_issue", {"key": "PLAT-1", "connection": "acme"})
        assert first == Counter({"getFields": 1, "getIssue": 1, "getTransitions": 1})
        again = await calls_of(local.sandbox, client, "get_issue", {"key": "PLAT-2", "connection": "acme"})
        assert again == Counter({"getIssue": 1, "getTransitions": 1})
        named = {"jql": JQL, "limit": 3, "fields": ["Story Points"], "connection": "acme"}
        assert "getFields" not in await calls_of(local.sandbox, client, "search_issues", named)
        listed = await calls_of(local.sandbox, client, "search_fields", {"connection": "acme"})
        assert "getFields" not in listed
        # Another connection has its own fields: listed once for it.
        dc = await calls_of(local.sandbox, client, "get_issue", {"key": "PLAT-1", "connection": "corp"})
        assert dc["getFields"] == 1
        dc = await calls_of(local.sandbox, client, "get_issue", {"key": "PLAT-3", "connection": "corp"})
        assert dc["getFields"] == 0
    await access.aclose()


async def test_the_field_listing_is_fetched_again_after_its_ttl(local: Local) -> None:
    now = [1000.0]
    access = local.access("acme")
    access.clock = lambda: now[0]
    access.field_ttl = 60.0
    async with session(access) as client:
        args = {"key": "PLAT-1", "transitions": False}
        assert (await calls_of(local.sandbox, client, "get_issue", args))["getFields"] == 1
        now[0] += 59.0
        assert (await calls_of(local.sandbox, client, "get_issue", args))["getFields"] == 0
        now[0] += 1.0
        assert (await calls_of(local.sandbox, client, "get_issue", args))["getFields"] == 1
        assert (await calls_of(local.sandbox, client, "get_issue", args))["getFields"] == 0
    await access.aclose()


async def test_a_kept_client_is_still_guarded_and_closing_forgets_it(local: Local) -> None:
    access = local.access("acme", read_only=True)
    async with session(access) as client:
        await ok(client, "get_issue", {"key": "PLAT-1"})
        before = sum(local.sandbox.counters.values())
        refused = await client.call_tool("comment", {"key": "PLAT-1", "body": "no"})
        assert refused.is_error
        assert sum(local.sandbox.counters.values()) == before
    conn = await local.broker.connection("acme")
    kept = await access.client(conn)
    assert await access.client(conn) is kept
    await access.aclose()
    fresh = await access.client(conn)
    assert fresh is not kept
    await access.aclose()
