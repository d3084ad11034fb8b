"""The board and sprint tools over a local session and over gateway keys, on Cloud and DC."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from mcp import Client

from jiragw.gateway.ceiling import preset_scopes
from jiragw.mcp.access import for_key
from jiragw.mcp.server import build_server
from jiragw.sandbox import create_app
from jiragw.sandbox.model import Instance
from jiragw.store import KeyRecord
from tests.mcp.conftest import Local
from tests.mcp.scenario import AGILE_TOOLS, WRITE_TOOLS, answer, error_code, ok, text

AGILE_READS = AGILE_TOOLS - WRITE_TOOLS

SPRINT_FIELD = "customfield_10021"
SOFTWARE_READS = {"read:board-scope:jira-software", "read:sprint:jira-software"}
ISSUES_BUDGET = 0.25  # of Jira's own Agile issue page for the same issues and fields


def instance(local: Local, connection: str) -> Instance:
    return local.sandbox.sites["acme"] if connection == "acme" else local.sandbox.dcs["corp"]


def in_sprint(inst: Instance, sprint_id: int) -> set[str]:
    return {i.key for i in inst.issues.values() if sprint_id in (i.custom.get(SPRINT_FIELD) or ())}


def key_record(scopes: Iterable[str], *, read_only: bool) -> KeyRecord:
    return KeyRecord(
        id="k1",
        name="agent",
        prefix="jgw_k1",
        scopes=frozenset(scopes),
        read_only=read_only,
        connection_ids=frozenset({"*"}),
        created_by="test",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )


def key_client(local: Local, key: KeyRecord) -> Client:
    access = for_key(key, broker=local.broker, http=local.broker.client, public_url="http://gw.test")

    async def fixed(ctx: Any) -> Any:
        return access

    return Client(build_server(fixed))


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_boards_and_sprints(local: Local, connection: str) -> None:
    inst = instance(local, connection)
    async with Client(local.server(connection)) as client:
        shown, boards = await answer(client, "list_boards", {})
        assert boards["boards"] == [
            {"id": 1, "name": "PRJ board", "type": "scrum", "project": "PRJ"},
            {"id": 2, "name": "PLAT board", "type": "kanban", "project": "PLAT"},
        ]
        assert shown == "2 boards:\n- 1: PRJ board (scrum, PRJ)\n- 2: PLAT board (kanban, PLAT)"
        only = await ok(client, "list_boards", {"project": "PLAT"})
        assert [b["id"] for b in only["boards"]] == [2]
        assert (await ok(client, "list_boards", {"query": "nothing like it"}))["boards"] == []

        listed, sprints = await answer(client, "list_sprints", {"board": "1"})
        expected = sorted(s.id for s in inst.sprints.values() if s.board_id == 1)
        assert [s["id"] for s in sprints["sprints"]] == expected
        assert [s["state"] for s in sprints["sprints"]] == ["closed"] * 6 + ["active", "future", "future"]
        for sprint in inst.sprints.values():
            if sprint.board_id == 1 and sprint.goal:
                assert f"goal: {sprint.goal}" in listed
        assert "http" not in listed  # no self links
        active = await ok(client, "list_sprints", {"board": "1", "state": ["active"]})
        assert [s["state"] for s in active["sprints"]] == ["active"]

        kanban = await client.call_tool("list_sprints", {"board": "2"})
        assert error_code(kanban) == "invalid_input"
        assert "does not support sprints" in text(kanban)
        missing = await client.call_tool("list_sprints", {"board": "999"})
        assert error_code(missing) == "not_found"


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_sprint_issues_pages_with_a_cursor(local: Local, connection: str) -> None:
    inst = instance(local, connection)
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    expected = in_sprint(inst, active.id)
    assert len(expected) > 2
    async with Client(local.server(connection)) as client:
        seen: list[str] = []
        args: dict[str, Any] = {"board": "1", "limit": 2}
        pages = 0
        while True:
            shown, page = await answer(client, "sprint_issues", args)
            pages += 1
            assert page["sprint"] == active.id
            assert page["total"] == len(expected)
            assert all(set(i) == {"key", "status"} for i in page["issues"])
            assert all(shown.count(f"\n{i['key']} [") == 1 for i in page["issues"])
            seen += [i["key"] for i in page["issues"]]
            if "next_cursor" not in page:
                assert "More issues" not in shown
                break
            assert f"cursor={page['next_cursor']}" in shown
            args = {"board": "1", "limit": 2, "cursor": page["next_cursor"]}
        assert sorted(seen) == sorted(expected)
        assert len(seen) == len(expected)  # no issue twice
        assert pages == -(-len(expected) // 2)

        by_id = await ok(client, "sprint_issues", {"sprint": str(active.id), "limit": 100})
        assert sorted(i["key"] for i in by_id["issues"]) == sorted(expected)
        done = await ok(client, "sprint_issues", {"sprint": str(active.id), "jql": "status = Done"})
        assert all(i["status"] == "Done" for i in done["issues"])
        assert {i["key"] for i in done["issues"]} < expected | {""}

        shown, extra = await answer(
            client, "sprint_issues", {"sprint": str(active.id), "fields": ["Story Points"], "limit": 100}
        )
        assert set(extra) == {"sprint", "issues", "total"}  # one page holds them all: no cursor
        lines = {line.split(" ", 1)[0]: line for line in shown.splitlines()[1:]}
        pointed = 0
        for key in expected:
            points = inst.issues[inst.issue_by_key[key]].custom.get("customfield_10016")
            if points is not None:
                pointed += 1
                assert f"Story Points: {points:g}" in lines[key], key
            else:
                assert "Story Points" not in lines[key], key
        assert pointed
        assert "customfield_" not in shown


async def test_sprint_issues_refusals(local: Local) -> None:
    async with Client(local.server("acme")) as client:
        for args in ({}, {"sprint": "1", "board": "1"}):
            assert error_code(await client.call_tool("sprint_issues", args)) == "invalid_input"
        page = await ok(client, "sprint_issues", {"board": "1", "limit": 1})
        other = {"board": "1", "jql": "status = Done", "cursor": page["next_cursor"]}
        assert error_code(await client.call_tool("sprint_issues", other)) == "invalid_input"
        elsewhere = {"sprint": "2", "cursor": page["next_cursor"]}
        assert error_code(await client.call_tool("sprint_issues", elsewhere)) == "invalid_input"
        bad = await client.call_tool("sprint_issues", {"sprint": "1", "jql": "status in ("})
        assert error_code(bad) == "invalid_jql"
        kanban = await client.call_tool("sprint_issues", {"board": "2"})
        assert error_code(kanban) == "invalid_input"
        gone = await client.call_tool("sprint_issues", {"sprint": "999"})
        assert error_code(gone) == "not_found"
        before = local.upstream_calls()
        hostile = await client.call_tool("sprint_issues", {"sprint": "1/../../myself"})
        assert error_code(hostile) == "invalid_input"
        assert local.upstream_calls() == before


async def test_a_board_with_no_active_sprint_says_so(local: Local) -> None:
    for sprint in local.sandbox.sites["acme"].sprints.values():
        if sprint.state == "active":
            sprint.state = "closed"
    async with Client(local.server("acme")) as client:
        result = await client.call_tool("sprint_issues", {"board": "1"})
        assert error_code(result) == "invalid_input"
        assert "no active sprint" in text(result)


async def test_the_read_tools_serve_read_only_sessions(local: Local) -> None:
    async with Client(local.server("acme", read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names >= AGILE_READS
        assert not names & WRITE_TOOLS
        for tool, args in (
            ("list_boards", {}),
            ("list_sprints", {"board": "1"}),
            ("sprint_issues", {"board": "1"}),
        ):
            await ok(client, tool, args)


async def test_a_read_only_key_with_the_software_read_scopes_calls_them(local: Local) -> None:
    ceiling, _ = preset_scopes("read-only")
    async with key_client(local, key_record(ceiling | SOFTWARE_READS, read_only=True)) as client:
        listed = await client.list_tools()
        for tool in listed.tools:
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is True, tool.name
        assert {t.name for t in listed.tools} >= AGILE_READS
        boards = await ok(client, "list_boards", {"connection": "acme"})
        assert boards["boards"]
        await ok(client, "list_sprints", {"board": "1", "connection": "corp"})
        await ok(client, "sprint_issues", {"board": "1", "connection": "acme"})


async def test_a_ceiling_without_the_sprint_scope_lists_boards_only(local: Local) -> None:
    """The board list is a read no scope guards; sprints need ``read:sprint:jira-software``."""
    classic_reads = frozenset({"read:jira-work", "read:jira-user"})  # no Jira Software scope
    async with key_client(local, key_record(classic_reads, read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "list_boards" in names
        assert not (AGILE_TOOLS - {"list_boards"}) & names
        before = local.upstream_calls()
        denied = await client.call_tool("list_sprints", {"board": "1", "connection": "acme"})
        assert error_code(denied) == "scope_denied"
        assert "read:sprint:jira-software" in text(denied)
        assert local.upstream_calls() == before


async def test_a_sprint_page_is_far_below_jiras_own_json(local: Local) -> None:
    inst = instance(local, "acme")
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    alice = next(u for u in local.demo["users"] if u["name"] == "alice")
    fields = "summary,issuetype,status,priority,assignee,created,updated"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(local.sandbox)),
        base_url=local.demo["sites"]["acme"]["url"] + "/rest/agile/1.0",
        auth=(alice["email"], alice["api_token"]),
    ) as jira:
        raw = await jira.get(f"/sprint/{active.id}/issue", params={"maxResults": 20, "fields": fields})
    issues = raw.json()["issues"]
    assert issues
    async with Client(local.server("acme")) as client:
        args = {"sprint": str(active.id), "limit": 20}
        result = await client.call_tool("sprint_issues", args)
        shown, structured = await answer(client, "sprint_issues", args)
    size = len(json.dumps(result.model_dump(by_alias=True, exclude_none=True, mode="json")).encode())
    assert size <= ISSUES_BUDGET * len(raw.content)
    assert [i["key"] for i in structured["issues"]] == [i["key"] for i in issues]
    for issue in issues:
        assert issue["fields"]["summary"] in shown
        assert issue["fields"]["summary"] not in json.dumps(structured)


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_move_to_sprint(local: Local, connection: str) -> None:
    inst = instance(local, connection)
    future = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "future")
    keys = sorted(
        (i.key for i in inst.issues.values() if i.key.startswith("PRJ-") and i.parent_id is None),
        key=lambda k: int(k.split("-")[1]),
    )[:3]
    assert not set(keys) & in_sprint(inst, future.id)
    async with Client(local.server(connection)) as client:
        shown, moved = await answer(
            client, "move_to_sprint", {"sprint": str(future.id), "keys": [*keys, keys[0]]}
        )
        assert moved == {"sprint": future.id, "moved": keys}
        assert shown == f"Moved 3 issues to sprint {future.id}: {', '.join(keys)}"
        assert set(keys) <= in_sprint(inst, future.id)
        listed = await ok(client, "sprint_issues", {"sprint": str(future.id), "limit": 100})
        assert set(keys) <= {i["key"] for i in listed["issues"]}
        closed = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "closed")
        refused = await client.call_tool("move_to_sprint", {"sprint": str(closed.id), "keys": keys[:1]})
        assert error_code(refused) == "invalid_input"


async def test_move_to_sprint_is_refused_to_read_only_keys_and_narrow_ceilings(local: Local) -> None:
    args = {"sprint": "8", "keys": ["PRJ-1"], "connection": "acme"}
    before = local.upstream_calls()
    async with key_client(local, key_record({"*"}, read_only=True)) as client:
        assert "move_to_sprint" not in {t.name for t in (await client.list_tools()).tools}
        assert error_code(await client.call_tool("move_to_sprint", args)) == "read_only"
    ceiling = frozenset({"read:jira-work", "write:jira-work", "read:jira-user"})  # classic work scopes only
    async with key_client(local, key_record(ceiling | SOFTWARE_READS, read_only=False)) as client:
        assert "move_to_sprint" not in {t.name for t in (await client.list_tools()).tools}
        denied = await client.call_tool("move_to_sprint", args)
        assert error_code(denied) == "scope_denied"
        assert "write:sprint:jira-software" in text(denied)
    assert local.upstream_calls() == before
    writer = ceiling | SOFTWARE_READS | {"write:sprint:jira-software"}
    async with key_client(local, key_record(writer, read_only=False)) as client:
        assert "move_to_sprint" in {t.name for t in (await client.list_tools()).tools}
        assert (await ok(client, "move_to_sprint", args))["moved"] == ["PRJ-1"]


async def test_the_presets_reach_the_agile_tools_of_their_kind(local: Local) -> None:
    ro, read_only = preset_scopes("read-only")
    async with key_client(local, key_record(ro, read_only=read_only)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert AGILE_TOOLS - {"move_to_sprint"} <= names
        assert "move_to_sprint" not in names
    rw, read_only = preset_scopes("read-write-work")
    async with key_client(local, key_record(rw, read_only=read_only)) as client:
        assert {t.name for t in (await client.list_tools()).tools} >= AGILE_TOOLS
