"""The board and sprint tools over a local session and over gateway keys, on Cloud and DC."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from jiragw.keys import preset_scopes
from jiragw.mcp.access import for_key
from jiragw.mcp.server import build_server
from jiragw.sandbox.state.model import Instance
from jiragw.store import KeyRecord
from tests.mcp.conftest import Local
from tests.mcp.scenario import AGILE_TOOLS, WRITE_TOOLS, answer, error_code, ok, text
from tests.store.conftest import key_record

AGILE_READS = AGILE_TOOLS - WRITE_TOOLS

SPRINT_FIELD = "customfield_10021"
SOFTWARE_READS = {"read:board-scope:jira-software", "read:sprint:jira-software"}


def instance(local: Local, connection: str) -> Instance:
    return local.sandbox.sites["acme"] if connection == "acme" else local.sandbox.dcs["corp"]


def in_sprint(inst: Instance, sprint_id: int) -> set[str]:
    return {i.key for i in inst.issues.values() if sprint_id in (i.custom.get(SPRINT_FIELD) or ())}


def key_client(local: Local, key: KeyRecord) -> Client:
    access = for_key(key, broker=local.broker, http=local.broker.client, public_url="http://gw.test")

    async def fixed(ctx: Any) -> Any:
        return access

    return Client(build_server(fixed))


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_boards_and_sprints(local: Local, connection: str) -> None:
    inst = instance(local, connection)
    async with Client(local.server(connection)) as client:
        shown, boards = await answer(client, "boards", {})
        assert boards["boards"] == [
            {"id": 1, "name": "PRJ board", "type": "scrum", "project": "PRJ"},
            {"id": 2, "name": "PLAT board", "type": "kanban", "project": "PLAT"},
        ]
        assert shown == "2 boards:\n- 1: PRJ board (scrum, PRJ)\n- 2: PLAT board (kanban, PLAT)"
        only = await ok(client, "boards", {"project": "PLAT"})
        assert [b["id"] for b in only["boards"]] == [2]
        assert (await ok(client, "boards", {"query": "nothing like it"}))["boards"] == []

        listed, sprints = await answer(client, "boards", {"board": "1"})
        expected = sorted(s.id for s in inst.sprints.values() if s.board_id == 1)
        assert [s["id"] for s in sprints["sprints"]] == expected
        assert [s["state"] for s in sprints["sprints"]] == ["closed"] * 6 + ["active", "future", "future"]
        for sprint in inst.sprints.values():
            if sprint.board_id == 1 and sprint.goal:
                assert f"goal: {sprint.goal}" in listed
        assert "http" not in listed  # no self links
        active = await ok(client, "boards", {"board": "1", "state": ["active"]})
        assert [s["state"] for s in active["sprints"]] == ["active"]

        kanban = await client.call_tool("boards", {"board": "2"})
        assert error_code(kanban) == "invalid_input"
        assert "does not support sprints" in text(kanban)
        missing = await client.call_tool("boards", {"board": "999"})
        assert error_code(missing) == "not_found"


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_a_sprints_issues_are_a_search_by_its_id(local: Local, connection: str) -> None:
    inst = instance(local, connection)
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    expected = in_sprint(inst, active.id)
    assert len(expected) > 2
    async with Client(local.server(connection)) as client:
        listed = await ok(client, "boards", {"board": "1", "state": ["active"]})
        [sprint] = listed["sprints"]
        found = await ok(client, "search_issues", {"jql": f"sprint = {sprint['id']}", "limit": 100})
        assert {i["key"] for i in found["issues"]} == expected
        opened = await ok(client, "search_issues", {"jql": "sprint in openSprints()", "limit": 100})
        assert expected <= {i["key"] for i in opened["issues"]}


async def test_boards_refusals(local: Local) -> None:
    async with Client(local.server("acme")) as client:
        for args in ({"state": ["active"]}, {"board": "1", "project": "PRJ"}, {"board": "1", "query": "x"}):
            assert error_code(await client.call_tool("boards", args)) == "invalid_input", args
        before = local.upstream_calls()
        hostile = await client.call_tool("boards", {"board": "1/../../myself"})
        assert error_code(hostile) == "invalid_input"
        assert local.upstream_calls() == before


async def test_the_read_tools_serve_read_only_sessions(local: Local) -> None:
    async with Client(local.server("acme", read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names >= AGILE_READS
        assert not names & WRITE_TOOLS
        for args in ({}, {"board": "1"}):
            await ok(client, "boards", args)


async def test_a_read_only_key_with_the_software_read_scopes_calls_them(local: Local) -> None:
    ceiling, _ = preset_scopes("read-only")
    async with key_client(local, key_record(ceiling | SOFTWARE_READS, read_only=True)) as client:
        listed = await client.list_tools()
        for tool in listed.tools:
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is True, tool.name
        assert {t.name for t in listed.tools} >= AGILE_READS
        boards = await ok(client, "boards", {"connection": "acme"})
        assert boards["boards"]
        await ok(client, "boards", {"board": "1", "connection": "corp"})


async def test_a_ceiling_without_the_sprint_scope_lists_boards_only(local: Local) -> None:
    """The board list is a read no scope guards; sprints need ``read:sprint:jira-software``."""
    classic_reads = frozenset({"read:jira-work", "read:jira-user"})  # no Jira Software scope
    async with key_client(local, key_record(classic_reads, read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "boards" in names
        await ok(client, "boards", {"connection": "acme"})  # the board list needs no scope
        before = local.upstream_calls()
        denied = await client.call_tool("boards", {"board": "1", "connection": "acme"})
        assert error_code(denied) == "scope_denied"
        assert "read:sprint:jira-software" in text(denied)
        assert local.upstream_calls() == before


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
        listed = await ok(client, "search_issues", {"jql": f"sprint = {future.id}", "limit": 100})
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
