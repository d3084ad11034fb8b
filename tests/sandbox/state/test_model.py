"""The in-memory model's indexes stay in step with its mutators."""

from __future__ import annotations

from datetime import UTC, datetime

from jiragw.sandbox.state.model import Instance, Issue, IssueType

STORY, SUBTASK, EPIC = "10001", "10003", "10000"


def _issue(n: int, parent: int | None = None, type_id: str | None = None) -> Issue:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    type_id = type_id or (SUBTASK if parent is not None else STORY)
    return Issue(
        id=n, key=f"T-{n}", project_id=1, issue_type_id=type_id, summary=f"s{n}", status_id="10000",
        reporter=None, creator=None, created=now, updated=now, parent_id=parent,
    )  # fmt: skip


def _instance() -> Instance:
    inst = Instance(kind="cloud", name="t", cloud_id="c")
    inst.issue_types.update(
        {
            STORY: IssueType(STORY, "Story", ""),
            SUBTASK: IssueType(SUBTASK, "Subtask", "", subtask=True, hierarchy_level=-1),
            EPIC: IssueType(EPIC, "Epic", "", hierarchy_level=1),
        }
    )
    return inst


def test_subtask_index_follows_add_reparent_and_remove() -> None:
    inst = _instance()
    for issue in (_issue(1), _issue(2), _issue(3, parent=1), _issue(4, parent=1)):
        inst.add_issue(issue)
    assert [i.id for i in inst.subtasks(1)] == [3, 4]
    inst.set_parent(inst.issues[4], 2)
    assert [i.id for i in inst.subtasks(1)] == [3]
    assert [i.id for i in inst.subtasks(2)] == [4]
    inst.remove_issue(inst.issues[2])  # removes its subtask 4 too
    assert set(inst.issues) == {1, 3}
    assert inst.subtasks(2) == []
    inst.remove_issue(inst.issues[3])
    assert inst.subtasks(1) == []
    assert inst.find_issue("T-3") is None


def test_set_parent_before_registration_only_sets_the_attribute() -> None:
    inst = _instance()
    inst.add_issue(_issue(1))
    draft = _issue(5, type_id=SUBTASK)
    inst.set_parent(draft, 1)
    assert draft.parent_id == 1
    assert inst.subtasks(1) == []  # indexed when added
    inst.add_issue(draft)
    assert [i.id for i in inst.subtasks(1)] == [5]


def test_an_epics_issues_are_children_not_subtasks_and_outlive_it() -> None:
    inst = _instance()
    for issue in (_issue(1, type_id=EPIC), _issue(2, parent=1, type_id=STORY), _issue(3, parent=2)):
        inst.add_issue(issue)
    assert [i.id for i in inst.children_of(1)] == [2]
    assert inst.subtasks(1) == []
    assert [i.id for i in inst.subtasks(2)] == [3]
    inst.remove_issue(inst.issues[1])
    assert set(inst.issues) == {2, 3}
    assert inst.issues[2].parent_id is None
    assert inst.children_of(1) == []
