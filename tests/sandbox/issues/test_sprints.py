"""The sprint rules on their own: dates, moving issues (and refusing to), deleting sprints, state changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jiragw.sandbox.http.errors import JiraHttpError
from jiragw.sandbox.issues.sprints import (
    CLOSED_SPRINT,
    INCOMPLETE_SUBTASKS,
    SPRINT_FIELD,
    SUBTASK_SPRINT,
    follow_parent,
    incomplete_parents,
    move_to_backlog,
    move_to_sprint,
    next_state,
    open_sprint,
    parse_sprint_datetime,
    remove_sprint,
    schedule,
    schedule_refusal,
    sprint_change,
    sprint_ids,
)
from jiragw.sandbox.state.model import Instance, Issue, IssueType, Sprint, SprintState, StatusDef

T0 = datetime(2030, 1, 1, 9, tzinfo=UTC)


def _instance() -> Instance:
    inst = Instance(kind="cloud", name="unit", cloud_id="c")
    states: list[SprintState] = ["closed", "closed", "active", "future", "future"]
    for n, state in enumerate(states, start=1):
        inst.sprints[n] = Sprint(
            id=n,
            board_id=1 if n < 5 else 2,
            name=f"S{n}",
            state=state,
            start_date=T0 if n != 4 else None,
            end_date=T0 + timedelta(days=14) if n != 4 else None,
        )
    return inst


TASK, EPIC, SUBTASK = "1", "2", "3"


def _types(inst: Instance) -> None:
    inst.issue_types[TASK] = IssueType(TASK, "Task", "")
    inst.issue_types[EPIC] = IssueType(EPIC, "Epic", "", hierarchy_level=1)
    inst.issue_types[SUBTASK] = IssueType(SUBTASK, "Subtask", "", subtask=True, hierarchy_level=-1)


def _issue(
    inst: Instance, iid: int, sprints: list[int], type_id: str = TASK, parent: int | None = None
) -> Issue:
    issue = Issue(
        id=iid, key=f"U-{iid}", project_id=1, issue_type_id=type_id, summary="s", status_id="1",
        reporter=None, creator=None, created=T0, updated=T0, parent_id=parent,
    )  # fmt: skip
    if sprints:
        issue.custom[SPRINT_FIELD] = sprints
    inst.add_issue(issue)
    return issue


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2015-04-11T15:22:00.000+10:00", datetime(2015, 4, 11, 5, 22, tzinfo=UTC)),
        ("2015-04-11T05:22:00Z", datetime(2015, 4, 11, 5, 22, tzinfo=UTC)),
        ("2015-04-11T05:22:00.123", datetime(2015, 4, 11, 5, 22, 0, 123000, tzinfo=UTC)),  # no offset: UTC
        ("2015-04-11", datetime(2015, 4, 11, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_sprint_timestamps_parse_to_utc(raw: str | None, expected: datetime | None) -> None:
    value = parse_sprint_datetime(raw, "startDate")
    assert value == expected
    if value is not None:
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)


@pytest.mark.parametrize("raw", ["tomorrow", "11/04/2015", 1428729720000, ["2015-04-11"]])
def test_unparseable_timestamps_are_a_400_on_their_field(raw: object) -> None:
    with pytest.raises(JiraHttpError) as caught:
        parse_sprint_datetime(raw, "endDate")
    assert caught.value.http_status == 400
    assert set(caught.value.errors) == {"endDate"}


def test_moving_into_a_sprint_replaces_the_open_one_and_keeps_history() -> None:
    inst = _instance()
    issue = _issue(inst, 1, [1, 2, 3])
    assert move_to_sprint(inst, issue, inst.sprints[4]) == ([1, 2, 3], [1, 2, 4])
    assert sprint_ids(issue) == [1, 2, 4]
    assert move_to_sprint(inst, issue, inst.sprints[4]) == ([1, 2, 4], [1, 2, 4])  # no change
    fresh = _issue(inst, 2, [])
    assert move_to_sprint(inst, fresh, inst.sprints[3]) == ([], [3])


def test_moving_to_the_backlog_drops_only_the_open_sprint() -> None:
    inst = _instance()
    issue = _issue(inst, 1, [2, 3])
    assert move_to_backlog(inst, issue) == ([2, 3], [2])
    assert sprint_ids(issue) == [2]
    only_open = _issue(inst, 2, [4])
    move_to_backlog(inst, only_open)
    assert SPRINT_FIELD not in only_open.custom  # no sprint at all: the field is empty


def test_the_open_sprint_is_the_future_or_active_one() -> None:
    inst = _instance()
    assert open_sprint(inst, _issue(inst, 1, [1, 2, 4])) == 4
    assert open_sprint(inst, _issue(inst, 2, [1, 2])) is None
    assert open_sprint(inst, _issue(inst, 3, [])) is None
    assert open_sprint(inst, _issue(inst, 4, [3, 99])) == 3  # a deleted sprint's id is no sprint


def test_scheduling_moves_subtasks_with_their_parent_and_no_other_child() -> None:
    inst = _instance()
    _types(inst)
    epic = _issue(inst, 1, [3], EPIC)
    story = _issue(inst, 2, [1, 3], TASK, parent=1)  # an epic's child is scheduled on its own
    sub = _issue(inst, 3, [1, 3], SUBTASK, parent=2)
    done = _issue(inst, 4, [1], SUBTASK, parent=2)  # already out of any open sprint
    assert schedule(inst, story, inst.sprints[4]) == [
        (story, [1, 3], [1, 4]),
        (sub, [1, 3], [1, 4]),
        (done, [1], [1, 4]),
    ]
    assert sprint_ids(epic) == [3]
    assert schedule(inst, story, inst.sprints[4]) == []  # already there: nothing changes
    assert schedule(inst, story, None) == [(story, [1, 4], [1]), (sub, [1, 4], [1]), (done, [1, 4], [1])]
    assert schedule(inst, epic, inst.sprints[5]) == [(epic, [3], [5])]
    assert sprint_ids(story) == [1]


@pytest.mark.parametrize(
    ("type_id", "sprint_id", "reason"),
    [
        (TASK, 3, None),  # active
        (TASK, 4, None),  # future
        (TASK, None, None),  # the backlog
        (TASK, 1, CLOSED_SPRINT),
        (None, 1, CLOSED_SPRINT),  # type unknown yet (a create whose type is bad): the sprint still counts
        (SUBTASK, 3, SUBTASK_SPRINT),
        (SUBTASK, None, SUBTASK_SPRINT),
        (SUBTASK, 1, SUBTASK_SPRINT),
    ],
)
def test_what_cannot_be_scheduled(type_id: str | None, sprint_id: int | None, reason: str | None) -> None:
    inst = _instance()
    _types(inst)
    sprint = inst.sprints[sprint_id] if sprint_id is not None else None
    assert schedule_refusal(inst, type_id, sprint) == reason


def test_a_subtask_follows_the_parent_it_is_given_and_no_other_child_does() -> None:
    inst = _instance()
    _types(inst)
    in_sprint = _issue(inst, 1, [1, 3])  # open sprint 3
    in_backlog = _issue(inst, 2, [2])  # closed history only
    sub = _issue(inst, 3, [2, 4], SUBTASK)  # its own closed sprint 2, open 4
    inst.set_parent(sub, in_sprint.id)
    assert follow_parent(inst, sub) == ([2, 4], [2, 3])  # the parent's open sprint; its own history kept
    assert follow_parent(inst, sub) == ([2, 3], [2, 3])  # already there
    inst.set_parent(sub, in_backlog.id)
    assert follow_parent(inst, sub) == ([2, 3], [2])  # a parent in the backlog: so is the subtask
    epic = _issue(inst, 4, [5], EPIC)
    story = _issue(inst, 5, [4], TASK)
    inst.set_parent(story, epic.id)
    assert follow_parent(inst, story) is None  # not a subtask: stays where it is
    assert sprint_ids(story) == [4]


def test_removing_a_sprint_takes_it_out_of_every_issue() -> None:
    inst = _instance()
    a, b, c = _issue(inst, 1, [1, 3]), _issue(inst, 2, [3]), _issue(inst, 3, [2])
    assert remove_sprint(inst, inst.sprints[3]) == [a, b]
    assert 3 not in inst.sprints
    assert (sprint_ids(a), sprint_ids(b), sprint_ids(c)) == ([1], [], [2])


def test_the_changelog_item_names_the_sprints() -> None:
    inst = _instance()
    item = sprint_change(inst, [1, 3], [1, 4])
    assert (item.field, item.field_id, item.fieldtype) == ("Sprint", SPRINT_FIELD, "custom")
    assert (item.from_value, item.from_string) == ("1, 3", "S1, S3")
    assert (item.to_value, item.to_string) == ("1, 4", "S1, S4")
    empty = sprint_change(inst, [], [5])
    assert (empty.from_value, empty.from_string, empty.to_string) == (None, None, "S5")


@pytest.mark.parametrize(
    ("sprint_id", "wanted", "dated", "outcome"),
    [
        (3, "active", True, "active"),  # unchanged
        (3, "closed", True, "closed"),
        (3, "future", True, 400),
        (5, "active", True, "active"),  # board 2 has no active sprint
        (5, "closed", True, 400),
        (4, "active", True, 400),  # board 1 already has sprint 3 active
        (5, "active", False, 400),  # no dates
        (1, "active", True, 400),  # closed stays closed
        (1, "future", True, 400),
    ],
)
def test_state_changes(sprint_id: int, wanted: SprintState, dated: bool, outcome: str | int) -> None:
    inst = _instance()
    start, end = (T0, T0 + timedelta(days=1)) if dated else (None, None)
    if outcome == 400:
        with pytest.raises(JiraHttpError) as caught:
            next_state(inst, inst.sprints[sprint_id], wanted, start, end)
        assert caught.value.http_status == 400
    else:
        assert next_state(inst, inst.sprints[sprint_id], wanted, start, end) == outcome


TODO, DONE = "1", "2"


@pytest.mark.parametrize(
    ("parent_status", "sub_statuses", "blocked"),
    [
        (DONE, [DONE, TODO], True),  # a done parent with an open subtask
        (DONE, [DONE, DONE], False),
        (TODO, [TODO, DONE], False),  # unfinished parent: it just goes back to the backlog
        (DONE, [], False),
    ],
)
def test_completing_refuses_done_parents_with_open_subtasks(
    parent_status: str, sub_statuses: list[str], blocked: bool
) -> None:
    inst = _instance()
    _types(inst)
    inst.statuses[TODO] = StatusDef(TODO, "To Do", "new")
    inst.statuses[DONE] = StatusDef(DONE, "Done", "done")
    parent = _issue(inst, 1, [3])
    parent.status_id = parent_status
    for n, status in enumerate(sub_statuses, start=2):
        _issue(inst, n, [3], SUBTASK, parent=1).status_id = status
    _issue(inst, 9, [3]).status_id = DONE  # a done issue without subtasks never blocks
    sprint = inst.sprints[3]
    if not blocked:
        assert incomplete_parents(inst, sprint) == []
        assert next_state(inst, sprint, "closed", T0, T0) == "closed"
        return
    assert incomplete_parents(inst, sprint) == [parent]
    with pytest.raises(JiraHttpError) as caught:
        next_state(inst, sprint, "closed", T0, T0)
    assert caught.value.http_status == 400
    assert caught.value.error_messages == [INCOMPLETE_SUBTASKS.format(keys="U-1")]
    # The rule is for completing only: the sprint can still be edited while active.
    assert next_state(inst, sprint, "active", T0, T0) == "active"
