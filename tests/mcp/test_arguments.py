"""Tool arguments are checked against the tool's schema where they enter: bad ones never reach Jira.

The hostile table (``hostile_arguments.json``) is called through the MCP SDK's
client against the in-process sandbox, on Cloud and on a Data Center PAT
connection; the sandbox's request counters prove that nothing went upstream.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from mcp import Client

from jiragw.errors import PathRejected
from jiragw.mcp.access import GuardedTransport
from jiragw.mcp.arguments import MAX_JQL_LENGTH, input_schema
from jiragw.mcp.tools import ALL_TOOLS
from tests.mcp.conftest import Local
from tests.mcp.scenario import answer, error_code, ok, text

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "hostile_arguments.json").read_text())[
    "cases"
]
LONG = "a" * 100_000

# Arguments that go into a Jira URL path, by name: each must carry a pattern.
PATH_ARGUMENTS = {
    "key",
    "from_key",
    "to_key",
    "parent",
    "issue",
    "project",
    "id",
    "board",
    "sprint",
    "comment_id",
}


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{long}", LONG)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def test_every_tool_schema_is_valid_json_schema() -> None:
    for tool in ALL_TOOLS:
        Draft202012Validator.check_schema(input_schema(tool, ("acme", "corp")))


def test_every_argument_that_reaches_a_path_has_a_pattern() -> None:
    checked = 0
    for tool in ALL_TOOLS:
        for name, prop in tool.properties.items():
            item = prop.get("items", prop) if prop.get("type") == "array" else prop
            if name in PATH_ARGUMENTS or (name == "keys" and tool.name == "move_to_sprint"):
                assert "pattern" in item, f"{tool.name}.{name}"
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_hostile_arguments_are_refused_with_no_upstream_call(
    local: Local, case: dict[str, Any]
) -> None:
    arguments = _expand(case["arguments"])
    async with Client(local.server(case["connection"])) as client:
        before = local.upstream_calls()
        result = await client.call_tool(case["tool"], arguments)
        assert local.upstream_calls() == before
    assert error_code(result) == case.get("code", "invalid_input"), text(result)
    assert result.structured_content is not None
    error = result.structured_content["error"]
    assert error.get("details", {}).get("field") == case["field"]
    for part in re.findall(r"[A-Za-z]{5,}", json.dumps(case["arguments"]) if "code" not in case else ""):
        if part not in {"summary", "Task", "expand"} and part not in case["tool"] and part != case["field"]:
            assert part not in text(result), part  # the hostile value is not echoed
    assert [(t, outcome, code) for t, _, outcome, code in local.audited] == [
        (case["tool"], "error", case.get("code", "invalid_input"))
    ]


async def test_very_long_jql_states_the_limit(local: Local) -> None:
    async with Client(local.server("corp")) as client:
        result = await client.call_tool("search_issues", {"jql": f'summary ~ "{LONG}"'})
    assert error_code(result) == "invalid_input"
    assert f"at most {MAX_JQL_LENGTH} characters" in text(result)
    assert len(text(result)) < 500


async def test_jql_up_to_the_limit_is_searched(local: Local) -> None:
    jql = "project is not EMPTY ORDER BY key"
    padded = jql + " " * (MAX_JQL_LENGTH - len(jql))
    async with Client(local.server("corp")) as client:
        found, _ = await answer(client, "search_issues", {"jql": padded, "limit": 1})
    assert found.startswith("1 issues")


async def test_update_issue_through_another_key_changes_nothing(local: Local) -> None:
    issues = sorted(local.sandbox.dcs["corp"].issues.values(), key=lambda i: i.id)
    first, second = issues[0], issues[1]
    summary = second.summary
    async with Client(local.server("corp")) as client:
        before = local.upstream_calls()
        result = await client.call_tool(
            "update_issue", {"key": f"{first.key}/../{second.key}", "summary": "x"}
        )
        assert local.upstream_calls() == before
    assert error_code(result) == "invalid_input"
    assert second.summary == summary


async def test_valid_ids_still_work(local: Local) -> None:
    issue = next(iter(local.sandbox.dcs["corp"].issues.values()))
    async with Client(local.server("corp")) as client:
        data = await ok(client, "get_issue", {"key": issue.key.lower(), "comments": False})
        assert data["key"] == issue.key
        by_id, _ = await answer(client, "get_issue", {"key": str(issue.id), "transitions": False})
        assert by_id.startswith(issue.key)
        await ok(client, "get_issue", {"key": issue.key, "connection": "corp"})


async def test_the_guard_refuses_a_url_outside_the_api_whatever_built_it(local: Local) -> None:
    conn = next(c for c in await local.access("corp").connections() if c.name == "corp")
    checked: list[str] = []
    guard = GuardedTransport(
        local.broker.client, conn.api_base_url, lambda method, path: checked.append(path)
    )
    async with httpx.AsyncClient(transport=guard) as client:
        before = local.upstream_calls()
        for url in (
            f"{conn.api_base_url}/rest/api/2/issue/X-1/../../../../pat/latest/tokens?",
            f"{conn.api_base_url}/rest/api/2/issue/X-1%2F..%2F..%2F..%2F..%2Fpat%2Flatest%2Ftokens",
            f"{conn.api_base_url}/rest/api/2/issue/%2e%2e/%2e%2e/%2e%2e/pat/latest/tokens",
            f"{conn.api_base_url}/rest/pat/latest/tokens",
        ):
            with pytest.raises(PathRejected):
                await client.get(url)
        assert local.upstream_calls() == before
        assert checked == []
        response = await client.get(f"{conn.api_base_url}/rest/api/2/serverInfo")
        assert checked == ["/rest/api/2/serverInfo"]
        await response.aclose()
