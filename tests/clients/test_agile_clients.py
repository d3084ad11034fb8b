"""The PyPI ``jira`` and ``atlassian-python-api`` clients' Agile calls, unmodified, on Cloud and DC.

Boards, sprints of the seeded ``PRJ`` scrum board, one sprint, and the sprint's
issues (the Agile endpoint, and a platform search ``sprint = N``); then the
sprint writes: create, update, refused start, delete, and moving issues into a
sprint and back to the backlog.
"""

from __future__ import annotations

import pytest
from atlassian import Jira
from jira import JIRA, JIRAError
from requests import HTTPError

from jiragw.sandbox.state.model import Instance

from .conftest import Live

pytestmark = pytest.mark.live

SPRINT = "customfield_10021"


def _instance(live: Live, kind: str) -> Instance:
    return live.sandbox.sites["acme"] if kind == "cloud" else live.sandbox.dcs["corp"]


def _in_sprint(inst: Instance, sprint_id: int) -> set[str]:
    return {i.key for i in inst.issues.values() if sprint_id in i.custom.get(SPRINT, ())}


@pytest.fixture(params=["cloud", "dc"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pycontribs(kind: str, live: Live) -> JIRA:
    alice = live.user("alice")
    if kind == "cloud":
        return JIRA(server=live.site_url(), basic_auth=(alice.email, alice.api_token))
    return JIRA(server=live.dc_url(), token_auth=alice.pat)


@pytest.fixture
def atlassian_api(kind: str, live: Live) -> Jira:
    alice = live.user("alice")
    if kind == "cloud":
        return Jira(url=live.site_url(), username=alice.email, password=alice.api_token, cloud=True)
    return Jira(url=live.dc_url(), username=alice.username, password=alice.password)


def test_jira_boards_sprints_and_sprint_search(pycontribs: JIRA, kind: str, live: Live) -> None:
    inst = _instance(live, kind)
    boards = pycontribs.boards()
    assert [(b.name, b.type) for b in boards] == [("PRJ board", "scrum"), ("PLAT board", "kanban")]
    assert [b.name for b in pycontribs.boards(type="kanban")] == ["PLAT board"]
    assert [b.name for b in pycontribs.boards(projectKeyOrID="PRJ")] == ["PRJ board"]
    scrum = boards[0]

    sprints = pycontribs.sprints(scrum.id)
    assert [s.state for s in sprints] == ["closed"] * 6 + ["active", "future", "future"]
    assert [s.id for s in pycontribs.sprints(scrum.id, state="active")] == [sprints[6].id]
    page = pycontribs.sprints(scrum.id, maxResults=4)  # the client pages on; all come back
    assert [s.id for s in page][:4] == [s.id for s in sprints][:4]

    active = pycontribs.sprint(sprints[6].id)
    assert active.name == "PRJ Sprint 7"
    assert active.state == "active"
    assert active.originBoardId == scrum.id

    expected = _in_sprint(inst, active.id)
    assert expected
    found = pycontribs.search_issues(f"sprint = {active.id}", maxResults=False, fields="summary")
    assert {i.key for i in found} == expected
    open_issues = pycontribs.search_issues("sprint in openSprints() AND project = PRJ", maxResults=False)
    assert expected <= {i.key for i in open_issues}


def test_atlassian_agile_calls(atlassian_api: Jira, kind: str, live: Live) -> None:
    inst = _instance(live, kind)
    boards = atlassian_api.get_all_agile_boards()
    assert boards is not None
    assert [b["name"] for b in boards["values"]] == ["PRJ board", "PLAT board"]
    only = atlassian_api.get_all_agile_boards(board_type="scrum", project_key="PRJ")
    assert only is not None
    assert [b["id"] for b in only["values"]] == [boards["values"][0]["id"]]
    board_id = only["values"][0]["id"]
    board = atlassian_api.get_agile_board(board_id)
    assert board is not None
    assert board["location"]["projectKey"] == "PRJ"
    config = atlassian_api.get_agile_board_configuration(board_id)
    assert config is not None
    assert [c["name"] for c in config["columnConfig"]["columns"]] == ["To Do", "In Progress", "Done"]

    sprints = atlassian_api.get_all_sprints_from_board(board_id, state="closed")
    assert sprints is not None
    assert len(sprints["values"]) == 6
    assert all(s["state"] == "closed" for s in sprints["values"])
    first = atlassian_api.get_sprint(sprints["values"][0]["id"])
    assert first is not None
    assert first["name"] == "PRJ Sprint 1"
    assert "completeDate" in first

    issues = atlassian_api.get_sprint_issues(first["id"], 0, 50)
    assert issues is not None
    assert {i["key"] for i in issues["issues"]} == _in_sprint(inst, first["id"])


def test_atlassian_agile_reads(atlassian_api: Jira, kind: str, live: Live) -> None:
    """Backlog, a sprint's issues on its board, epics, an epic's issues, the board's projects."""
    inst = _instance(live, kind)
    prj = inst.find_project("PRJ")
    assert prj is not None
    board_id = next(b.id for b in inst.boards.values() if b.project_id == prj.id)
    active = next(s for s in inst.sprints.values() if s.board_id == board_id and s.state == "active")
    in_board = atlassian_api.get_all_issues_for_sprint_in_board(board_id, active.id, limit=1000)
    assert in_board is not None
    assert in_board["total"] == len(_in_sprint(inst, active.id))
    assert {i["key"] for i in in_board["issues"]} <= _in_sprint(inst, active.id)
    assert all(i["fields"]["sprint"]["id"] == active.id for i in in_board["issues"])

    backlog = atlassian_api.get_issues_for_backlog(board_id)
    assert backlog is not None
    planned = {s.id for s in inst.sprints.values() if s.state != "closed"}
    expected = {
        i.key
        for i in inst.issues.values()
        if i.project_id == prj.id
        and inst.statuses[i.status_id].category != "done"
        and not planned & set(i.custom.get(SPRINT, ()))
    }
    assert backlog["total"] == len(expected) > 0
    assert {i["key"] for i in backlog["issues"]} <= expected

    epics = atlassian_api.get_epics(board_id, limit=50)
    assert epics is not None
    epic_types = {t.id for t in inst.issue_types.values() if t.hierarchy_level == 1}
    own = sorted(
        i.id for i in inst.issues.values() if i.project_id == prj.id and i.issue_type_id in epic_types
    )
    assert [e["id"] for e in epics["values"]] == own[:50]
    epic = epics["values"][0]
    children = atlassian_api.get_issues_for_epic(board_id, epic["id"], limit=1000)
    assert children is not None
    assert {i["key"] for i in children["issues"]} == {
        i.key for i in inst.issues.values() if i.parent_id == epic["id"]
    }

    projects = atlassian_api.get_all_projects_associated_with_board(board_id)
    assert projects is not None
    assert [p["key"] for p in projects["values"]] == ["PRJ"]


# -- sprint writes ------------------------------------------------------------------
# The live sandbox is shared by this module's tests: each write test works on a sprint
# it creates, puts moved issues back where they were, and deletes its sprint at the end.


@pytest.fixture
def pycontribs_admin(kind: str, live: Live) -> JIRA:
    admin = live.user("admin")  # may manage sprints
    if kind == "cloud":
        return JIRA(server=live.site_url(), basic_auth=(admin.email, admin.api_token))
    return JIRA(server=live.dc_url(), token_auth=admin.pat)


@pytest.fixture
def atlassian_admin(kind: str, live: Live) -> Jira:
    admin = live.user("admin")
    if kind == "cloud":
        return Jira(url=live.site_url(), username=admin.email, password=admin.api_token, cloud=True)
    return Jira(url=live.dc_url(), username=admin.username, password=admin.password)


def _open_sprint_of(inst: Instance, key: str) -> int | None:
    issue = inst.find_issue(key)
    assert issue is not None
    open_ids = [s for s in issue.custom.get(SPRINT, ()) if inst.sprints[s].state != "closed"]
    return open_ids[-1] if open_ids else None


def test_jira_sprint_writes(pycontribs_admin: JIRA, pycontribs: JIRA, kind: str, live: Live) -> None:
    inst = _instance(live, kind)
    board = pycontribs_admin.boards(type="scrum")[0]
    created = pycontribs_admin.create_sprint(
        "Client sprint",
        board.id,
        startDate="2031-04-11T15:22:00.000+10:00",
        endDate="2031-04-25T15:22:00.000+10:00",
        goal="Try the writes",
    )
    try:
        assert created.state == "future"
        assert created.originBoardId == board.id
        assert created.startDate.startswith("2031-04-11T05:22:00.000")
        updated = pycontribs_admin.update_sprint(
            created.id,
            name="Client sprint 2",
            startDate="2031-05-01T09:00:00.000Z",
            endDate="2031-05-15T09:00:00.000Z",
            goal="Renamed",
        )
        assert (updated["name"], updated["goal"]) == ("Client sprint 2", "Renamed")
        assert pycontribs_admin.sprint(created.id).name == "Client sprint 2"
        # The board already has an active sprint: Jira's refusal reaches the client as a JIRAError.
        with pytest.raises(JIRAError) as refused:
            pycontribs_admin.update_sprint(
                created.id,
                name="Client sprint 2",
                startDate="2031-05-01T09:00:00.000Z",
                endDate="2031-05-15T09:00:00.000Z",
                state="active",
            )
        assert refused.value.status_code == 400
        assert "only be one active sprint" in str(refused.value.text)

        key = "PRJ-1"
        before = _open_sprint_of(inst, key)
        assert pycontribs.add_issues_to_sprint(created.id, [key]).status_code == 204  # alice schedules
        assert _open_sprint_of(inst, key) == created.id
        found = pycontribs.search_issues(f"sprint = {created.id}", fields="summary")
        assert key in {i.key for i in found}
        assert pycontribs.move_to_backlog([key]).status_code == 204
        assert _open_sprint_of(inst, key) is None
        if before is not None:  # put it back for the other tests
            assert pycontribs.add_issues_to_sprint(before, [key]).status_code == 204
        with pytest.raises(JIRAError) as forbidden:
            pycontribs.create_sprint("Not allowed", board.id)  # alice cannot manage sprints
        assert forbidden.value.status_code == 403
    finally:
        pycontribs_admin.sprint(created.id).delete()
    assert created.id not in inst.sprints
    assert [s.state for s in pycontribs.sprints(board.id)] == ["closed"] * 6 + ["active", "future", "future"]


def test_atlassian_sprint_writes(atlassian_admin: Jira, atlassian_api: Jira, kind: str, live: Live) -> None:
    inst = _instance(live, kind)
    boards = atlassian_admin.get_all_agile_boards(board_type="scrum")
    assert boards is not None
    board_id = boards["values"][0]["id"]
    created = atlassian_admin.create_sprint(
        "Atlassian sprint", board_id, start_date="2031-06-01T09:00:00+00:00", goal="Plan"
    )
    assert created is not None
    try:
        assert created["state"] == "future"
        assert "endDate" not in created
        updated = atlassian_admin.update_partially_sprint(created["id"], {"name": "Atlassian sprint 2"})
        assert updated is not None
        assert (updated["name"], updated["goal"]) == ("Atlassian sprint 2", "Plan")  # the rest kept
        assert updated["startDate"].startswith("2031-06-01T09:00:00.000")

        key = "PRJ-2"
        before = _open_sprint_of(inst, key)
        atlassian_api.add_issues_to_sprint(created["id"], [key])
        assert _open_sprint_of(inst, key) == created["id"]
        issues = atlassian_api.get_sprint_issues(created["id"], 0, 50)
        assert issues is not None
        assert key in {i["key"] for i in issues["issues"]}
        atlassian_api.move_issues_to_backlog([key])
        assert _open_sprint_of(inst, key) is None
        if before is not None:
            atlassian_api.add_issues_to_sprint(before, [key])
        with pytest.raises(HTTPError):
            atlassian_api.add_issues_to_sprint(1, [key])  # sprint 1 is closed
    finally:
        atlassian_admin.delete_sprint(created["id"])
    assert created["id"] not in inst.sprints
    assert _open_sprint_of(inst, "PRJ-2") == before
