"""The PyPI ``jira`` and ``atlassian-python-api`` clients' Agile calls, unmodified, on Cloud and DC.

Boards, sprints of the seeded ``PRJ`` scrum board, one sprint, and the sprint's
issues (the Agile endpoint, and a platform search ``sprint = N``).
"""

from __future__ import annotations

import pytest
from atlassian import Jira
from jira import JIRA

from jiragw.sandbox.model import Instance

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
