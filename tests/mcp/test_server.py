"""The MCP server in process (the SDK's ``Client(server)``) over a local session: every tool, both flavors."""

from __future__ import annotations

import pytest
from mcp import Client

from jiragw.jira.client import JiraClient
from tests.mcp.conftest import Local
from tests.mcp.scenario import (
    AGILE_TOOLS,
    ALL_TOOLS,
    JQL,
    WRITE_TOOLS,
    error_code,
    exercise,
    exercise_devops,
    tools_list_bytes,
)


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_every_tool_against_the_sandbox(local: Local, connection: str) -> None:
    async with Client(local.server(connection)) as client:
        listed = await client.list_tools()
        names = {t.name for t in listed.tools}
        assert names == ALL_TOOLS
        assert len(names) <= 20  # issue 6: a small set (the popular peer lists 60+)
        for tool in listed.tools:
            assert tool.description
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is (tool.name not in WRITE_TOOLS)
            assert "connection" not in tool.input_schema["properties"]  # one connection: no choice to make
        called = await exercise(client, user="bob" if connection == "corp" else "Bob Brown")
        conns = await client.call_tool("connections", {})
        assert conns.structured_content == {
            "connections": [
                {
                    "name": connection,
                    "flavor": "cloud" if connection == "acme" else "dc",
                    "method": "api_token" if connection == "acme" else "pat",
                    "site": local.demo["sites"]["acme"]["url"]
                    if connection == "acme"
                    else local.demo["dc"]["corp"]["url"],
                    "status": "active",
                }
            ]
        }
    assert called | {"connections", "devops_info"} | AGILE_TOOLS == ALL_TOOLS
    assert {t for t, *_ in local.audited} == called | {"connections"}
    assert all(outcome == "ok" for _, _, outcome, _ in local.audited)
    # A write tool's record is committed before its answer; a read tool's may wait for the window.
    durable = {tool for (tool, *_), flag in zip(local.audited, local.durable, strict=True) if flag}
    assert durable == called & WRITE_TOOLS


async def test_devops_info_over_a_client_credentials_connection(local: Local) -> None:
    async with (
        Client(local.server("acme", "ci")) as client,
        JiraClient.from_connection("ci", broker=local.broker) as jira,
    ):
        listed = await client.list_tools()
        search = next(t for t in listed.tools if t.name == "search_issues")
        assert search.input_schema["properties"]["connection"]["enum"] == ["acme", "ci"]
        assert "connection" in search.input_schema["required"]
        assert (
            "connection"
            not in next(t for t in listed.tools if t.name == "connections").input_schema["properties"]
        )
        issue = next(iter(local.sandbox.sites["acme"].issues.values())).key
        await exercise_devops(client, jira.devops, {"connection": "ci"}, issue)
        missing = await client.call_tool("search_issues", {"jql": JQL})
        assert error_code(missing) == "invalid_input"


async def test_tools_list_fits_in_20_kb(local: Local) -> None:
    async with Client(local.server("acme", "corp")) as client:
        assert tools_list_bytes(await client.list_tools()) <= 20 * 1024


async def test_read_only_session_lists_and_calls_no_write_tool(local: Local) -> None:
    async with Client(local.server("acme", read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == ALL_TOOLS - WRITE_TOOLS
        before = local.upstream_calls()
        for tool in sorted(WRITE_TOOLS):
            result = await client.call_tool(tool, {"key": "PLAT-1", "body": "x", "summary": "x"})
            assert error_code(result) == "read_only", tool
        assert local.upstream_calls() == before
        await client.call_tool("search_issues", {"jql": JQL, "limit": 1})
        assert local.upstream_calls() > before


async def test_errors_keep_their_codes(local: Local) -> None:
    async with Client(local.server("acme", "corp")) as client:
        bad = await client.call_tool("search_issues", {"jql": "project = = x", "connection": "acme"})
        assert error_code(bad) == "invalid_jql"
        assert bad.structured_content is not None
        error = bad.structured_content["error"]
        assert error["details"]["position"] == {"line": 1, "character": 11}
        assert "Expecting either a value, list or function" in error["message"]
        gone = await client.call_tool("get_issue", {"key": "PLAT-99999", "connection": "corp"})
        assert error_code(gone) == "not_found"
        elsewhere = await client.call_tool("get_issue", {"key": "PLAT-1", "connection": "ci"})
        assert error_code(elsewhere) == "connection_denied"
        move = {"key": "PLAT-1", "to": "Nowhere", "connection": "acme"}
        nowhere = await client.call_tool("transition_issue", move)
        assert error_code(nowhere) == "invalid_input"
        assert "choose from: " in nowhere.content[0].text  # type: ignore[union-attr]
        refused = await client.call_tool(
            "create_issue",
            {
                "project": "PLAT",
                "issue_type": "Task",
                "summary": "x",
                "fields": {"Customer Impact": "Bogus"},
                "connection": "acme",
            },
        )
        assert error_code(refused) == "invalid_input"
        assert "None, Low, Medium, High, Critical" in refused.content[0].text  # type: ignore[union-attr]
        unknown = await client.call_tool("no_such_tool", {})
        assert error_code(unknown) == "not_found"
