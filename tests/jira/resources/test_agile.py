"""AgileResource against the sandbox on Cloud and DC: boards, sprints and their issues, paged."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from jiragw.errors import InvalidInput, InvalidJql, NotFound, PermissionDenied
from jiragw.jira.client import JiraClient
from jiragw.jira.context import ApiContext, Flavor
from jiragw.jira.models import Issue
from jiragw.jira.resources.agile import AgileResource, Board, Sprint
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.state.model import Instance
from jiragw.secrets import Secret

BASE = {"cloud": "http://sandbox.test/sites/acme", "dc": "http://sandbox.test/dc/corp"}
SPRINT_FIELD = "customfield_10021"


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=3, issues=60, seed=7)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        yield client


def instance(sandbox: Sandbox, flavor: str) -> Instance:
    return sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]


def context(client: httpx.AsyncClient, sandbox: Sandbox, flavor: Flavor, user: str = "alice") -> ApiContext:
    found = instance(sandbox, flavor).find_user(user)
    assert found is not None
    if flavor == "cloud":
        creds = StaticCredentials.basic(found.email, Secret(found.api_token))
    else:
        creds = StaticCredentials.bearer(Secret(found.pat))
    return ApiContext(Transport(client, creds), BASE[flavor], flavor)


@pytest.fixture(params=["cloud", "dc"])
def flavor(request: pytest.FixtureRequest) -> Flavor:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def agile(client: httpx.AsyncClient, sandbox: Sandbox, flavor: Flavor) -> AgileResource:
    return AgileResource(context(client, sandbox, flavor))


def calls(sandbox: Sandbox, operation: str) -> int:
    return sum(n for key, n in sandbox.counters.items() if key.operation == operation)


async def collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def sprint_ids(inst: Instance, board_id: int) -> list[int]:
    return sorted(s.id for s in inst.sprints.values() if s.board_id == board_id)


async def test_boards_page_after_page_and_filter(agile: AgileResource, sandbox: Sandbox) -> None:
    every = await collect(agile.boards())
    assert [(b.name, b.type, b.project_key) for b in every] == [
        ("PRJ board", "scrum", "PRJ"),
        ("PLAT board", "kanban", "PLAT"),
        ("MOB board", "scrum", "MOB"),
    ]
    assert all(isinstance(b.id, int) and b.raw["self"].endswith(f"/board/{b.id}") for b in every)
    before = calls(sandbox, "getAllBoards")
    assert await collect(agile.boards(page_size=1)) == every
    assert calls(sandbox, "getAllBoards") - before == 3  # one page per board, stopped by isLast
    assert [b.name for b in await collect(agile.boards(type="kanban"))] == ["PLAT board"]
    assert [b.name for b in await collect(agile.boards(name="mob"))] == ["MOB board"]
    assert [b.name for b in await collect(agile.boards(project="PLAT"))] == ["PLAT board"]
    assert await collect(agile.boards(project="NOPE")) == []


async def test_one_board(agile: AgileResource) -> None:
    first = await agile.board(1)
    assert (first.id, first.name, first.type, first.project_key) == (1, "PRJ board", "scrum", "PRJ")
    assert await agile.board("1") == first
    assert first.project_id is not None


async def test_sprints_page_after_page_and_by_state(
    agile: AgileResource, sandbox: Sandbox, flavor: Flavor
) -> None:
    inst = instance(sandbox, flavor)
    every = await collect(agile.sprints(1))
    assert [s.id for s in every] == sprint_ids(inst, 1)
    assert [s.state for s in every] == ["closed"] * 6 + ["active", "future", "future"]
    assert all(s.board_id == 1 for s in every)
    closed = every[0]
    assert None not in (closed.start_date, closed.end_date, closed.complete_date, closed.created_date)
    assert every[-1].start_date is None  # a future sprint not scheduled yet
    before = calls(sandbox, "getAllSprints")
    assert await collect(agile.sprints("1", page_size=2)) == every
    assert calls(sandbox, "getAllSprints") - before == 5  # 9 sprints, 2 a page
    active = await collect(agile.sprints(1, state="active"))
    assert [s.state for s in active] == ["active"]
    opened = await collect(agile.sprints(1, state=["active", "future"]))
    assert [s.id for s in opened] == [s.id for s in every[6:]]
    one = await agile.sprint(closed.id)
    assert one == closed
    assert (one.name, one.goal) == (closed.name, closed.goal)


async def test_a_kanban_board_has_no_sprints(agile: AgileResource) -> None:
    with pytest.raises(InvalidInput, match="does not support sprints"):
        await collect(agile.sprints(2))


async def test_sprint_issues_all_pages(agile: AgileResource, sandbox: Sandbox, flavor: Flavor) -> None:
    inst = instance(sandbox, flavor)
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    expected = {i.key for i in inst.issues.values() if active.id in (i.custom.get(SPRINT_FIELD) or ())}
    assert len(expected) > 3  # so a page of 3 leaves more to fetch
    before = calls(sandbox, "getIssuesForSprint")
    found = await collect(agile.sprint_issues(active.id, fields=["summary", "status"], page_size=3))
    assert all(isinstance(i, Issue) for i in found)
    assert sorted(i.key for i in found) == sorted(expected)
    assert len(found) == len(expected)  # no issue twice across pages
    assert calls(sandbox, "getIssuesForSprint") - before == -(-len(expected) // 3)
    assert all(i.summary and i.status is not None for i in found)
    assert all(set(i.fields) == {"summary", "status"} for i in found)
    done = await collect(agile.sprint_issues(active.id, jql="status = Done"))
    names = {i.key: i.status.name for i in found if i.status is not None}
    assert {i.key for i in done} == {k for k, name in names.items() if name == "Done"}


async def test_board_issues_in_board_order(agile: AgileResource, sandbox: Sandbox, flavor: Flavor) -> None:
    inst = instance(sandbox, flavor)
    project = inst.find_project("PRJ")
    assert project is not None
    in_order = [
        i.key for i in sorted(inst.issues.values(), key=lambda i: i.created) if i.project_id == project.id
    ]
    found = await collect(agile.board_issues(1, fields=["summary"], page_size=7))
    assert [i.key for i in found] == in_order
    bugs = await collect(agile.board_issues(1, jql="issuetype = Bug ORDER BY key DESC", fields=["issuetype"]))
    keys = [i.key for i in bugs]
    assert keys == sorted(keys, key=lambda k: int(k.split("-")[1]), reverse=True)
    assert all(i.issue_type is not None and i.issue_type.name == "Bug" for i in bugs)


async def test_bad_jql_is_invalid_jql(agile: AgileResource) -> None:
    with pytest.raises(InvalidJql):
        await collect(agile.board_issues(1, jql="project = = ("))
    with pytest.raises(InvalidJql):
        await collect(agile.sprint_issues(1, jql="status in ("))


async def test_hidden_and_missing_boards_and_sprints_are_not_found(
    client: httpx.AsyncClient, sandbox: Sandbox, flavor: Flavor
) -> None:
    outsider = AgileResource(context(client, sandbox, flavor, "outsider"))  # may browse no project
    assert await collect(outsider.boards()) == []
    for attempt in (
        outsider.board(1),
        outsider.sprint(1),
        collect(outsider.sprints(1)),
        collect(outsider.sprint_issues(1)),
        collect(outsider.board_issues(1)),
    ):
        with pytest.raises(NotFound):
            await attempt
    alice = AgileResource(context(client, sandbox, flavor))
    with pytest.raises(NotFound):
        await alice.board(999)
    with pytest.raises(NotFound):
        await alice.sprint(999)


async def test_a_board_whose_filter_is_private_is_hidden(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    inst = sandbox.sites["acme"]
    saved = inst.filters[inst.boards[1].filter_id]
    admin = inst.find_user("admin")
    assert admin is not None
    saved.owner, saved.share_permissions = admin.account_id, []
    bob = AgileResource(context(client, sandbox, "cloud", "bob"))
    assert [b.id for b in await collect(bob.boards())] == [2, 3]
    with pytest.raises(NotFound):
        await bob.board(1)
    assert (await AgileResource(context(client, sandbox, "cloud", "admin")).board(1)).id == 1


@pytest.mark.parametrize("bad", ["../myself", "1/../2", "", "-1", "1 OR 1"])
async def test_path_ids_are_vetted_before_any_call(agile: AgileResource, sandbox: Sandbox, bad: str) -> None:
    before = sum(sandbox.counters.values())
    for attempt in (
        lambda: agile.board(bad),
        lambda: agile.sprint(bad),
        lambda: collect(agile.sprints(bad)),
        lambda: collect(agile.sprint_issues(bad)),
        lambda: collect(agile.board_issues(bad)),
    ):
        with pytest.raises(InvalidInput):
            await attempt()
    assert sum(sandbox.counters.values()) == before


def test_models_read_jira_json() -> None:
    board = Board.from_json({"id": 7, "name": "B", "type": "scrum"})
    assert (board.id, board.project_key, board.project_id) == (7, None, None)
    sprint = Sprint.from_json({"id": "12", "name": "S", "state": "future"})
    assert (sprint.id, sprint.board_id, sprint.goal, sprint.start_date) == (12, None, "", None)


async def test_the_client_carries_the_resource(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    creds = StaticCredentials.basic(alice.email, Secret(alice.api_token))
    async with JiraClient.from_url(BASE["cloud"], "cloud", creds, client) as jira:
        assert isinstance(jira.agile, AgileResource)
        assert [b.name for b in await collect(jira.agile.boards(type="scrum"))] == ["PRJ board", "MOB board"]
    assert Counter(k.operation for k in sandbox.counters)["getAllBoards"] == 1


async def test_one_page_of_sprint_issues(agile: AgileResource, sandbox: Sandbox, flavor: Flavor) -> None:
    inst = instance(sandbox, flavor)
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    expected = await collect(agile.sprint_issues(active.id, fields=["status"]))
    first = await agile.sprint_issues_page(active.id, limit=2, fields=["status"])
    assert (first.start_at, first.total) == (0, len(expected))
    assert [i.key for i in first.issues] == [i.key for i in expected[:2]]
    assert first.next_start == 2
    last = await agile.sprint_issues_page(active.id, start_at=len(expected) - 1, limit=2, fields=["status"])
    assert [i.key for i in last.issues] == [expected[-1].key]
    assert last.next_start is None
    with pytest.raises(InvalidJql):
        await agile.sprint_issues_page(active.id, jql="status in (")
    with pytest.raises(InvalidInput):
        await agile.sprint_issues_page(active.id, start_at=-1)


# -- writes ------------------------------------------------------------------------------------

WHEN = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(client: httpx.AsyncClient, sandbox: Sandbox, flavor: Flavor) -> AgileResource:
    """A user who manages sprints (alice may move issues but not manage sprints)."""
    return AgileResource(context(client, sandbox, flavor, "admin"))


def keys_in(inst: Instance, sprint_id: int) -> set[str]:
    return {i.key for i in inst.issues.values() if sprint_id in (i.custom.get(SPRINT_FIELD) or ())}


async def test_create_update_start_complete_delete(
    admin: AgileResource, sandbox: Sandbox, flavor: Flavor
) -> None:
    inst = instance(sandbox, flavor)
    made = await admin.create_sprint(1, "Hardening", goal="Fix the flaky tests")
    assert (made.name, made.state, made.board_id, made.goal) == (
        "Hardening",
        "future",
        1,
        "Fix the flaky tests",
    )
    assert made.start_date is None
    assert inst.sprints[made.id].name == "Hardening"
    assert await admin.sprint(made.id) == made

    dated = await admin.update_sprint(made.id, start=WHEN, end=WHEN + timedelta(days=14))
    assert dated.name == "Hardening"  # a partial update keeps what it does not name
    assert dated.goal == "Fix the flaky tests"
    assert (dated.start_date or "").startswith("2030-03-04T09:00:00.000")
    renamed = await admin.update_sprint(str(made.id), name="Hardening 2", goal="")
    assert (renamed.name, renamed.goal) == ("Hardening 2", "")

    old_active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    with pytest.raises(InvalidInput, match="only be one active sprint"):
        await admin.start_sprint(made.id)
    completed = await admin.complete_sprint(old_active.id)
    assert completed.state == "closed"
    assert completed.complete_date is not None
    started = await admin.start_sprint(made.id)
    assert started.state == "active"
    with pytest.raises(InvalidInput):  # a closed sprint cannot be updated
        await admin.update_sprint(old_active.id, name="again")

    later = await admin.create_sprint("1", "Later")
    await admin.delete_sprint(later.id)
    with pytest.raises(NotFound):
        await admin.sprint(later.id)
    assert later.id not in inst.sprints


async def test_sprint_write_refusals(
    admin: AgileResource, agile: AgileResource, sandbox: Sandbox, flavor: Flavor
) -> None:
    with pytest.raises(InvalidInput, match="does not support sprints"):
        await admin.create_sprint(2, "On a kanban board")
    with pytest.raises(PermissionDenied):  # alice may not manage sprints
        await agile.create_sprint(1, "Not mine")
    with pytest.raises(NotFound):
        await admin.create_sprint(999, "Nowhere")
    before = sum(sandbox.counters.values())
    for attempt in (
        lambda: admin.create_sprint(1, "  "),
        lambda: admin.create_sprint("../1", "Escape"),
        lambda: admin.create_sprint(1, "Naive", start=datetime(2030, 1, 1)),
        lambda: admin.create_sprint(1, "Backwards", start=WHEN, end=WHEN - timedelta(days=1)),
        lambda: admin.update_sprint(1),
        lambda: admin.update_sprint(1, name=""),
        lambda: admin.delete_sprint("1/../2"),
        lambda: admin.move_to_sprint(1, []),
        lambda: admin.move_to_sprint(1, "PRJ-1"),  # type: ignore[arg-type]
        lambda: admin.move_to_backlog(["PRJ-1", " "]),
    ):
        with pytest.raises(InvalidInput):
            await attempt()
    assert sum(sandbox.counters.values()) == before


async def test_move_issues_in_chunks_of_50_and_back_to_the_backlog(
    client: httpx.AsyncClient, flavor: Flavor
) -> None:
    big = build_sandbox(projects=1, issues=130, seed=11)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(big))) as http:
        alice = AgileResource(context(http, big, flavor))
        inst = instance(big, flavor)
        target = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "future")
        movable = sorted(
            (i for i in inst.issues.values() if i.parent_id is None and i.key.startswith("PRJ-")),
            key=lambda i: i.id,
        )
        keys = [i.key for i in movable]
        assert len(keys) > 2 * 50  # three calls
        before = calls(big, "moveIssuesToSprintAndRank")
        await alice.move_to_sprint(target.id, [*keys, keys[0]])  # a repeat is sent once
        assert calls(big, "moveIssuesToSprintAndRank") - before == 3
        assert set(keys) <= keys_in(inst, target.id)
        moved = {i.key async for i in alice.sprint_issues(target.id, fields=["summary"])}
        assert set(keys) <= moved
        back = keys[:60]
        await alice.move_to_backlog(back)
        assert calls(big, "moveIssuesToBacklog") == 2
        assert not set(back) & keys_in(inst, target.id)
        assert set(keys[60:]) <= keys_in(inst, target.id)
        closed = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "closed")
        with pytest.raises(InvalidInput, match="future or active"):
            await alice.move_to_sprint(closed.id, keys[:1])
