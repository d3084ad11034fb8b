"""Answer bytes are behaviour: every fact once, prose only in the Markdown, far below Jira's own JSON.

Budgets are relative to what Jira itself answers for the same data (so they
hold for any seed), and the byte counts are of the whole ``CallToolResult``
as the client receives it, as the benchmark (``benchmarks/mcp_size.py``)
counts them against mcp-atlassian.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.types import CallToolResult

from jiragw.jira.resources import from_jira_text
from jiragw.sandbox import create_app
from tests.mcp.conftest import Local
from tests.mcp.scenario import answer

ISSUE_BUDGET = 0.25  # of Jira's GET /issue/{key} JSON
SEARCH_BUDGET = 0.25  # of Jira's search JSON for the same issues and fields
INDEX_BUDGET = 0.25  # a search page's structured content, of the Markdown it indexes
INDEX_KEYS = {"key", "status", "links", "subtasks", "transitions", "comment_ids", "comments_total"}
SEARCH_FIELDS = "summary,issuetype,status,priority,assignee,created,updated,description"


class _Adf:
    adf = True


def markdown(value: Any) -> str:
    return from_jira_text(_Adf(), value) if value else ""  # type: ignore[arg-type]


def result_bytes(result: CallToolResult) -> int:
    return len(json.dumps(result.model_dump(by_alias=True, exclude_none=True, mode="json")).encode())


def index_bytes(structured: dict[str, Any]) -> int:
    return len(json.dumps(structured, separators=(",", ":")).encode())


@pytest.fixture
async def jira(local: Local) -> AsyncIterator[httpx.AsyncClient]:
    """Jira's own answers, straight from the sandbox (alice's API token on the acme site)."""
    alice = next(u for u in local.demo["users"] if u["name"] == "alice")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(local.sandbox)),
        base_url=local.demo["sites"]["acme"]["url"] + "/rest/api/3",
        auth=(alice["email"], alice["api_token"]),
    ) as http:
        yield http


async def test_get_issue_says_everything_once_within_budget(local: Local, jira: httpx.AsyncClient) -> None:
    keys = sorted(i.key for i in local.sandbox.sites["acme"].issues.values())
    with_prose = 0
    async with Client(local.server("acme")) as client:
        for key in keys:
            raw = await jira.get(f"/issue/{key}")
            fields = raw.json()["fields"]
            result = await client.call_tool("get_issue", {"key": key})
            text, structured = await answer(client, "get_issue", {"key": key})
            assert result_bytes(result) <= ISSUE_BUDGET * len(raw.content), key
            assert set(structured) <= INDEX_KEYS, key
            prose = [markdown(fields.get("description"))]
            prose += [markdown(c["body"]) for c in fields["comment"]["comments"]]
            prose = [p for p in prose if p]
            with_prose += bool(prose)
            index = json.dumps(structured, ensure_ascii=False)
            for piece in prose:
                assert text.count(piece) == sum(p.count(piece) for p in prose), (key, piece)
                assert piece not in index
                assert json.dumps(piece)[1:-1] not in index
            ids = [c["id"] for c in fields["comment"]["comments"]][-20:]
            assert structured.get("comment_ids", []) == ids
    assert with_prose > len(keys) // 2  # the seed gives most issues a description or comments


async def test_a_search_page_says_each_issue_once(local: Local, jira: httpx.AsyncClient) -> None:
    jql = "project = PRJ ORDER BY key"
    raw = await jira.get("/search/jql", params={"jql": jql, "maxResults": 20, "fields": SEARCH_FIELDS})
    issues = raw.json()["issues"]
    assert len(issues) == 20
    args = {"jql": jql, "limit": 20, "fields": ["description"]}
    async with Client(local.server("acme")) as client:
        result = await client.call_tool("search_issues", args)
        text, structured = await answer(client, "search_issues", args)
    assert result_bytes(result) <= SEARCH_BUDGET * len(raw.content)
    assert index_bytes(structured) <= INDEX_BUDGET * len(text.encode())
    assert [i["key"] for i in structured["issues"]] == [i["key"] for i in issues]
    for issue, ref in zip(issues, structured["issues"], strict=True):
        f = issue["fields"]
        assert ref == {"key": issue["key"], "status": f["status"]["name"]}
        assert text.count(f"\n{issue['key']} [") == 1
        assert f["summary"] in text
        for line in markdown(f.get("description")).splitlines():
            assert line in text
    assert "description" not in json.dumps(structured)
