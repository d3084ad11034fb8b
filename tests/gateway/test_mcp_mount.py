"""The MCP server at ``/mcp`` on the gateway, driven by the SDK's streamable-HTTP client.

The gateway app runs in process (its lifespan starts the MCP session
manager); the SDK client talks to it through ``httpx2.ASGITransport`` with a
gateway key, as a remote agent would. The key decides the tools: its
connections, its scope ceiling, its read-only flag.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.routing import Route

from jiragw.broker.connect_client_credentials import connect_client_credentials
from jiragw.gateway.mcp_mount import McpApp
from jiragw.jira.client import JiraClient
from jiragw.secrets import Secret
from tests.gateway.conftest import GATEWAY, Env
from tests.mcp.scenario import (
    ALL_TOOLS,
    JQL,
    WRITE_TOOLS,
    error_code,
    exercise,
    exercise_devops,
    tools_list_bytes,
)

MCP_URL = f"{GATEWAY}/mcp"


@asynccontextmanager
async def mcp_client(env: Env, key: str) -> AsyncIterator[Client]:
    async with env.app.router.lifespan_context(env.app):
        transport = httpx2.ASGITransport(app=env.app)
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            httpx2.AsyncClient(transport=transport, headers=headers) as http,
            Client(streamable_http_client(MCP_URL, http_client=http)) as client,
        ):
            yield client


async def test_without_a_valid_key_the_answer_is_401(env: Env) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, {"Authorization": "Bearer jgw_not-a-key"}):
        answer = await env.client.post("/mcp", json=body, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "key_invalid"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_key_bound_to_one_connection_calls_every_tool_there_and_reaches_no_other(env: Env) -> None:
    await env.connect_cloud("acme")
    await env.connect_dc("corp")
    secret, record = env.key(connections=["acme"], preset="read-write-work")
    sent: list[httpx.Request] = []

    async def spy(request: httpx.Request) -> None:
        sent.append(request)

    env.gw.http.event_hooks["request"].append(spy)
    async with mcp_client(env, secret) as client:
        listed = await client.list_tools()
        assert tools_list_bytes(listed) <= 20 * 1024
        # DevOps operations are not in the scope table: only an unrestricted key may call them.
        assert {t.name for t in listed.tools} == ALL_TOOLS - {"devops_info"}
        assert all("connection" not in t.input_schema["properties"] for t in listed.tools)
        called = await exercise(client, user="Bob Brown")
        conns = await client.call_tool("connections", {})
        assert conns.structured_content is not None
        assert [c["name"] for c in conns.structured_content["connections"]] == ["acme"]
        before = env.upstream_calls()
        other = await client.call_tool("search_issues", {"jql": JQL, "connection": "corp"})
        assert error_code(other) == "connection_denied"
        assert env.upstream_calls() == before
    assert sent
    assert all(secret not in str(r.headers) and secret not in str(r.url) for r in sent)
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        events = [e for e in tx.audit.tail(500) if e.action == "mcp"]
    assert {e.target for e in events} == called | {"connections", "search_issues"}
    assert {e.key_id for e in events} == {record.id}
    assert {e.actor for e in events} == {f"key:{record.id}"}
    denied = [e for e in events if e.error_code is not None]
    assert [(e.target, e.error_code, e.outcome) for e in denied] == [
        ("search_issues", "connection_denied", "error")
    ]


async def test_read_only_key_sees_and_calls_no_write_tool(env: Env) -> None:
    await env.connect_cloud("acme")
    secret, _ = env.key(preset="read-only")
    async with mcp_client(env, secret) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == ALL_TOOLS - WRITE_TOOLS - {"devops_info"}
        before = env.upstream_calls()
        for tool in sorted(WRITE_TOOLS):
            result = await client.call_tool(tool, {"key": "PLAT-1", "body": "x", "summary": "x"})
            assert error_code(result) == "read_only", tool
        assert env.upstream_calls() == before


async def test_scope_ceiling_decides_the_tools(env: Env) -> None:
    await env.connect_cloud("acme")
    secret, _ = env.key(scopes=["read:jira-user"])
    async with mcp_client(env, secret) as client:
        # boards: the board list is a read the spec guards with no scope, open to every key.
        listed = {t.name for t in (await client.list_tools()).tools}
        assert listed == {"search_users", "connections", "boards"}
        before = env.upstream_calls()
        denied = await client.call_tool("search_issues", {"jql": JQL})
        assert error_code(denied) == "scope_denied"
        assert denied.structured_content is not None
        assert "read:jira-work" in denied.structured_content["error"]["message"]
        assert env.upstream_calls() == before
        found = await client.call_tool("search_users", {"query": "alice"})
        assert error_code(found) is None


async def test_unrestricted_key_reaches_devops_on_a_client_credentials_connection(env: Env) -> None:
    await env.connect_cloud("acme")
    app = next(a for a in env.demo["oauth_apps"] if a["kind"] == "2lo")
    await connect_client_credentials(
        env.broker,
        name="ci",
        site_url=env.demo["sites"]["acme"]["url"],
        api_url=env.demo["api_url"],
        client_id=app["client_id"],
        client_secret=Secret(app["client_secret"]),
    )
    secret, _ = env.key(preset="full")
    issue = next(iter(env.sandbox.sites["acme"].issues.values())).key
    async with mcp_client(env, secret) as client, JiraClient.from_connection("ci", broker=env.broker) as jira:
        listed = await client.list_tools()
        assert {t.name for t in listed.tools} == ALL_TOOLS
        await exercise_devops(client, jira.devops, {"connection": "ci"}, issue)


async def test_a_keys_requests_share_one_field_listing_per_connection(env: Env) -> None:
    await env.connect_cloud("acme")
    first, one = env.key(preset="read-only")
    second, two = env.key(preset="read-only")

    def listings() -> int:
        return sum(n for k, n in env.sandbox.counters.items() if k.operation == "getFields")

    async def get_issues(client: Client, *keys: str) -> None:
        for key in keys:  # each call is its own stateless HTTP request
            assert error_code(await client.call_tool("get_issue", {"key": key})) is None

    async with env.app.router.lifespan_context(env.app):
        transport = httpx2.ASGITransport(app=env.app)
        for secret, keys, expected in (
            (first, ("PLAT-1", "PLAT-2", "PLAT-3"), 1),
            (first, ("PLAT-4",), 1),  # a new MCP session of the same key reuses its client
            (second, ("PLAT-1", "PLAT-2"), 2),  # another key: its own client, one more listing
        ):
            headers = {"Authorization": f"Bearer {secret}"}
            async with (
                httpx2.AsyncClient(transport=transport, headers=headers) as http,
                Client(streamable_http_client(MCP_URL, http_client=http)) as client,
            ):
                await get_issues(client, *keys)
            assert listings() == expected
        mounted = next(r for r in env.app.routes if getattr(r, "path", None) == "/mcp")
        assert isinstance(mounted, Route)
        assert isinstance(mounted.endpoint, McpApp)
        assert set(mounted.endpoint.kept) == {one.id, two.id}
    assert not mounted.endpoint.kept  # the gateway's shutdown closed every kept client


async def test_a_write_tools_call_is_stored_before_its_answer(env: Env) -> None:
    await env.connect_cloud("acme")
    secret, record = env.key()
    async with mcp_client(env, secret) as client:
        done = await client.call_tool("comment", {"key": "PRJ-1", "body": "audited first"})
        assert not done.is_error
        with env.store.transaction() as tx:  # no flush: the answer came after the commit
            rows = [e for e in tx.audit.tail(100) if e.action == "mcp"]
        assert [(e.target, e.key_id, e.outcome) for e in rows] == [("comment", record.id, "ok")]
