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
}
ALL_TOOLS = WRITE_TOOLS | {
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


async def ok(client: Client, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(name, args)
    assert not result.is_error, f"{name}: {text(result)}"
    assert text(result).strip()
    assert result.structured_content is not None
    return dict(result.structured_content)


def tools_list_bytes(listed: Any) -> int:
    return len(json.dumps(listed.model_dump(by_alias=True, exclude_none=True, mode="json")).encode())


async def exercise(client: Client, extra: dict[str, Any] | None = None, *, user: str = "bob") -> set[str]:
    """Call every Jira tool once with sensible arguments; returns the names called."""
    more = dict(extra or {})
    called: set[str] = set()

    async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
        called.add(name)
        return await ok(client, name, {**args, **more})

    page = await call("search_issues", {"jql": JQL, "limit": 2, "fields": ["Story Points", "description"]})
    assert len(page["issues"]) == 2
    assert page["next_cursor"]
    second = await call("search_issues", {"jql": JQL, "limit": 2, "cursor": page["next_cursor"]})
    assert {i["key"] for i in second["issues"]}.isdisjoint({i["key"] for i in page["issues"]})
    key = page["issues"][0]["key"]
    project = key.split("-")[0]
    issue = await call("get_issue", {"key": key})
    assert issue["key"] == key
    assert issue["status"]
    assert "self" not in json.dumps(issue)
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
    comments = await call("list_comments", {"key": new})
    assert [c["body"] for c in comments["comments"]] == ["second take"]
    await call("assign_issue", {"key": new, "assignee": "unassigned"})
    await call("link_issues", {"from_key": new, "to_key": key, "type": "Relates"})
    seen = await call("get_issue", {"key": new})
    assert seen["summary"] == "Renamed by an agent"
    assert seen["status"] == "In Progress"
    assert seen["description"] == "Steps:\n\n- one\n- **two**"
    assert seen["links"]
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
