"""Calling every MCP tool through an SDK client, as an agent would (shared by every transport's tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mcp import Client
from mcp.types import CallToolResult

from jiragw.jira.resources.devops import Build, DevOpsResource

WRITE_TOOLS = {
    "create_issue",
    "update_issue",
    "transition_issue",
    "comment",
    "assign_issue",
    "link_issues",
    "create_filter",
    "move_to_sprint",
}
# Jira Software's boards and sprints (exercised by test_agile.py).
AGILE_TOOLS = {"boards", "move_to_sprint"}
ALL_TOOLS = (
    WRITE_TOOLS
    | AGILE_TOOLS
    | {
        "search_issues",
        "get_issue",
        "list_comments",
        "projects",
        "search_users",
        "search_fields",
        "filters",
        "dashboards",
        "summarize_issues",
        "devops_info",
        "connections",
    }
)
JQL = "project is not EMPTY ORDER BY key"


def text(result: CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def error_code(result: CallToolResult) -> str | None:
    if not result.is_error:
        return None
    assert result.structured_content is not None
    code = result.structured_content["error"]["code"]
    assert text(result).startswith(f"error[{code}]: ")
    return str(code)


async def answer(client: Client, name: str, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A successful call's Markdown and structured content."""
    result = await client.call_tool(name, args)
    assert not result.is_error, f"{name}: {text(result)}"
    assert text(result).strip()
    assert result.structured_content is not None
    return text(result), dict(result.structured_content)


async def ok(client: Client, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return (await answer(client, name, args))[1]


def assert_prose_once(markdown: str, structured: dict[str, Any], *prose: str) -> None:
    """Long text travels once: in the Markdown, never again in the structured content."""
    dumped = json.dumps(structured)
    for piece in prose:
        assert piece in markdown
        assert piece not in dumped


def tools_list_bytes(listed: Any) -> int:
    return len(json.dumps(listed.model_dump(by_alias=True, exclude_none=True, mode="json")).encode())


async def exercise(client: Client, extra: dict[str, Any] | None = None, *, user: str = "bob") -> set[str]:
    """Call every Jira tool once with sensible arguments; returns the names called."""
    more = dict(extra or {})
    called: set[str] = set()

    async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
        return (await read(name, args))[1]

    async def read(name: str, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        called.add(name)
        return await answer(client, name, {**args, **more})

    page_text, page = await read(
        "search_issues", {"jql": JQL, "limit": 2, "fields": ["Story Points", "description"]}
    )
    assert len(page["issues"]) == 2
    assert all(set(i) == {"key", "status"} for i in page["issues"])  # the rest is in the Markdown
    assert all(page_text.count(f"\n{i['key']} [") == 1 for i in page["issues"])
    assert page["next_cursor"]
    second = await call("search_issues", {"jql": JQL, "limit": 2, "cursor": page["next_cursor"]})
    assert {i["key"] for i in second["issues"]}.isdisjoint({i["key"] for i in page["issues"]})
    key = page["issues"][0]["key"]
    project = key.split("-")[0]
    shown, issue = await read("get_issue", {"key": key})
    assert issue["key"] == key
    assert issue["status"]
    assert shown.startswith(f"{key}: ")
    assert "self" not in json.dumps(issue)
    assert "http" not in shown.split("Description:")[0]  # no self or avatar URLs among the fields
    meta = await call("projects", {"project": project, "issue_type": "Task"})
    assert "Task" in meta["issue_types"]
    assert any(f.get("required") for f in meta["create_fields"])
    listed = await call("projects", {})
    assert project in {p["key"] for p in listed["projects"]}
    created = await call(
        "create_issue",
        {
            "project": project,
            "issue_type": "Task",
            "summary": "Made by an agent",
            "description": "Steps:\n\n- one\n- **two**",
            "assignee": user,
            "fields": {"Story Points": 3},
        },
    )
    new = created["key"]
    await call("update_issue", {"key": new, "summary": "Renamed by an agent", "labels": ["agent"]})
    moved = await call("transition_issue", {"key": new, "to": "In Progress"})
    assert moved["status"] == "In Progress"
    added = await call("comment", {"key": new, "body": "first *take*"})
    await call("comment", {"key": new, "body": "second take", "comment_id": added["id"]})
    listed_text, comments = await read("list_comments", {"key": new})
    assert comments["comment_ids"] == [added["id"]]
    assert listed_text.endswith(f"[id {added['id']}]: second take")
    assert "first" not in listed_text
    await call("assign_issue", {"key": new, "assignee": "unassigned"})
    await call("link_issues", {"from_key": new, "to_key": key, "type": "Relates"})
    seen_text, seen = await read("get_issue", {"key": new})
    assert seen_text.startswith(f"{new}: Renamed by an agent\n")
    assert seen["status"] == "In Progress"
    assert "Description:\nSteps:\n\n- one\n- **two**\n" in seen_text
    assert seen["links"] == [key]
    assert f"\nLinks: relates to {key}\n" in seen_text
    assert seen["comment_ids"] == [added["id"]]
    assert_prose_once(seen_text, seen, "Steps:", "second take")
    users = await call("search_users", {"query": "alice"})
    assert users["users"][0]["name"]
    fields = await call("search_fields", {"query": "story"})
    assert fields["fields"][0]["name"] == "Story Points"
    saved = await call("create_filter", {"name": "agent filter", "jql": f"project = {project} ORDER BY key"})
    ran = await call("filters", {"id": saved["id"], "run": True, "limit": 3})
    assert ran["jql"].startswith(f"project = {project}")
    assert len(ran["issues"]) == 3
    await call("filters", {"query": "agent"})
    boards = await call("dashboards", {})
    await call("dashboards", {"id": boards["dashboards"][0]["id"]})
    summary = await call("summarize_issues", {"jql": f"project = {project}"})
    assert sum(summary["counts"]["status"].values()) == summary["issues"] > 0
    return called


async def exercise_devops(client: Client, devops: DevOpsResource, extra: dict[str, Any], issue: str) -> None:
    """Submit a build with the SDK, then read it back through ``devops_info``."""
    build = Build(
        pipeline_id="ci-main",
        build_number=7,
        display_name="main #7",
        url="https://ci.example.com/7",
        state="successful",
        issue_keys=[issue],
        update_sequence_number=1,
        last_updated=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
    )
    assert (await devops.submit_builds([build])).ok
    found = await ok(
        client,
        "devops_info",
        {"kind": "build", "pipeline_id": "ci-main", "number": 7, "issue": issue, **extra},
    )
    assert found["state"] == "successful"
    assert found["concerns_issue"] is True
