"""Seeded boards and sprints: one board per project, sprints in time order, issues where they were worked."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from jiragw.sandbox.seeding import new_instance
from jiragw.sandbox.seeding.agile import CLOSED_SPRINTS, FUTURE_SPRINTS, SPRINT_DAYS, seed_agile
from jiragw.sandbox.seeding.generator import generate
from jiragw.sandbox.state.model import Instance

NOW = datetime(2025, 6, 1, 14, 30, tzinfo=UTC)
SPRINT = "customfield_10021"


def seeded(kind: str = "cloud", *, projects: int = 4, issues: int = 1500, seed: int = 3) -> Instance:
    inst = new_instance(kind, "acme" if kind == "cloud" else "corp", seed)
    generate(inst, projects=projects, issues=issues, seed=seed, now=NOW)
    return inst


@pytest.fixture(scope="module")
def cloud() -> Instance:
    return seeded()


def test_every_project_has_one_board_with_a_filter_on_it(cloud: Instance) -> None:
    assert sorted(b.project_id for b in cloud.boards.values()) == sorted(cloud.projects)
    assert sorted(cloud.boards) == list(range(1, len(cloud.projects) + 1))
    by_id = sorted(cloud.boards.values(), key=lambda b: b.id)
    assert [b.type for b in by_id] == ["scrum", "kanban", "scrum", "kanban"]
    assert by_id[0].project_id == cloud.project_by_key["PRJ"]
    for board in by_id:
        project = cloud.projects[board.project_id]
        saved = cloud.filters[board.filter_id]
        assert saved.jql.startswith(f"project = {project.key} ")
        assert saved.owner == project.lead
        assert [s["type"] for s in saved.share_permissions] == ["project"]
        assert board.name == f"{project.key} board"


def test_scrum_boards_have_back_to_back_sprints(cloud: Instance) -> None:
    for board in cloud.boards.values():
        sprints = sorted((s for s in cloud.sprints.values() if s.board_id == board.id), key=lambda s: s.id)
        if board.type == "kanban":
            assert sprints == []
            continue
        states = [s.state for s in sprints]
        assert states == ["closed"] * CLOSED_SPRINTS + ["active"] + ["future"] * FUTURE_SPRINTS
        dated = [s for s in sprints if s.start_date is not None]
        assert len(dated) == len(sprints) - 1  # the last future sprint is not scheduled yet
        for a, b in itertools.pairwise(dated):
            assert a.end_date == b.start_date
        for s in dated:
            assert s.start_date is not None
            assert s.end_date == s.start_date + timedelta(days=SPRINT_DAYS)
        active = sprints[CLOSED_SPRINTS]
        assert active.start_date is not None
        assert active.end_date is not None
        assert active.start_date <= NOW < active.end_date
        for s in sprints[:CLOSED_SPRINTS]:
            assert s.complete_date is not None
            assert s.end_date is not None
            assert s.complete_date < active.end_date
        assert all(s.complete_date is None for s in sprints[CLOSED_SPRINTS:])


def test_issues_sit_in_the_sprints_they_were_worked_in(cloud: Instance) -> None:
    scrum = {b.project_id for b in cloud.boards.values() if b.type == "scrum"}
    placed = 0
    for issue in cloud.issues.values():
        ids = issue.custom.get(SPRINT)
        if ids is None:
            continue
        placed += 1
        assert issue.project_id in scrum
        sprints = [cloud.sprints[i] for i in ids]
        assert all(cloud.boards[s.board_id].project_id == issue.project_id for s in sprints)
        assert cloud.issue_types[issue.issue_type_id].name != "Epic"
        if issue.parent_id is not None:
            assert cloud.issues[issue.parent_id].custom.get(SPRINT) == ids
            continue
        category = cloud.statuses[issue.status_id].category
        if category == "done":
            (only,) = sprints
            when = issue.resolution_date
            assert when is not None
            assert only.start_date is not None
            assert only.end_date is not None
            assert only.start_date <= when < only.end_date
        elif category == "indeterminate":
            assert sprints[-1].state == "active"
        else:
            assert [s.state for s in sprints] in (["active"], ["future"])
    assert placed > 100
    # Kanban projects' issues are in no sprint.
    assert not any(SPRINT in i.custom for i in cloud.issues.values() if i.project_id not in scrum)


def test_same_arguments_same_boards_and_sprints() -> None:
    a, b = seeded(issues=300), seeded(issues=300)
    assert a.boards == b.boards
    assert a.sprints == b.sprints
    assert {i.key: i.custom.get(SPRINT) for i in a.issues.values()} == {
        i.key: i.custom.get(SPRINT) for i in b.issues.values()
    }


def test_issues_are_the_same_as_without_agile_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Boards come after the issues from a random stream of their own: no issue changes but its sprint."""
    with_agile = seeded(issues=300)
    monkeypatch.setattr("jiragw.sandbox.seeding.generator.seed_agile", lambda inst, **kw: None)
    without = seeded(issues=300)
    assert without.boards == {}
    assert any(SPRINT in i.custom for i in with_agile.issues.values())
    for issue in with_agile.issues.values():
        issue.custom.pop(SPRINT, None)
    assert with_agile.issues == without.issues


def test_seeding_again_adds_boards_only_to_new_projects(cloud: Instance) -> None:
    inst = seeded(projects=2, issues=50)
    boards = dict(inst.boards)
    sprints = dict(inst.sprints)
    seed_agile(inst, seed=3, now=NOW)
    assert inst.boards == boards
    assert inst.sprints == sprints


def test_an_instance_without_issues_still_gets_boards() -> None:
    inst = seeded("dc", projects=3, issues=0)
    assert len(inst.boards) == 3
    assert len(inst.sprints) == 2 * (CLOSED_SPRINTS + 1 + FUTURE_SPRINTS)
