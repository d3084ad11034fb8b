"""Jira Software's sprint rules, over the data model: who is in which sprint, and state changes.

No requests here: :mod:`jiragw.sandbox.routes.agile_writes` reads the request,
checks permissions, and calls these. The rules follow the Software spec's
notes on ``updateSprint``/``partiallyUpdateSprint``/``deleteSprint``/
``moveIssuesToSprintAndRank``/``moveIssuesToBacklog`` and Atlassian's sprint
documentation:

- An issue's sprint field lists every sprint it was in, oldest first; at most
  one of them is open (future or active). Moving an issue into a sprint
  replaces its open sprint and keeps its closed ones (the history that
  ``sprint = N`` and ``closedSprints()`` search); moving it to the backlog
  drops its open sprint. Subtasks (issues of a subtask type) have no sprint
  of their own: they follow their parent, when it moves and when they get it
  (created under it, or re-parented onto it: :func:`follow_parent`). Any other
  child, such as an epic's story, is scheduled on its own, and its epic's
  moves leave it where it is. The same rules hold whichever door the move
  comes through: the Agile move endpoints, or setting the Sprint field (a
  sprint id, or null for the backlog) on create, edit or transition, which
  Jira refuses for a closed sprint and for a subtask.
- A sprint starts (``future`` to ``active``) only with a start and an end
  date, and only while its board has no other active sprint (the sandbox
  emulates boards with parallel sprints switched off). It completes
  (``active`` to ``closed``) with ``completeDate`` set to now. Completing
  through REST cannot send unfinished issues to another sprint: they stay
  listed in the closed sprint and are in no open one, i.e. in the backlog,
  which is where Jira's REST completion leaves them. Jira refuses to complete
  a sprint holding a done parent issue (status category done, the board's
  Done column) with a subtask that is not done: the parent would count as
  finished work while part of it is not (:func:`incomplete_parents`). No
  other state change exists, and a closed sprint cannot be updated.
- Deleting a sprint takes it out of every issue's sprint field, so its open
  issues land in the backlog.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..http.errors import bad_request
from ..state.defaults import SPRINT_FIELD_ID
from ..state.model import ChangeItem, Instance, Issue, Sprint, SprintState

__all__ = [
    "CLOSED_SPRINT",
    "INCOMPLETE_SUBTASKS",
    "MAX_ISSUES",
    "MAX_NAME",
    "OPEN_STATES",
    "SPRINT_FIELD",
    "SUBTASK_SPRINT",
    "follow_parent",
    "incomplete_parents",
    "is_done",
    "is_subtask",
    "move_to_backlog",
    "move_to_sprint",
    "next_state",
    "open_sprint",
    "parse_sprint_datetime",
    "remove_sprint",
    "schedule",
    "schedule_refusal",
    "sprint_change",
    "sprint_ids",
]

SPRINT_FIELD = f"customfield_{SPRINT_FIELD_ID}"
OPEN_STATES: frozenset[SprintState] = frozenset({"future", "active"})
MAX_ISSUES = 50  # issues per move, as the spec documents
MAX_NAME = 255  # Jira Software's sprint name column
# State changes REST may make: (from, to).
TRANSITIONS: frozenset[tuple[SprintState, SprintState]] = frozenset(
    {("future", "active"), ("active", "closed")}
)
NEEDS_DATES = "A sprint needs a start date and an end date to be active."
ONE_ACTIVE = "There can only be one active sprint on each board; parallel sprints are not enabled."
CLOSED_SPRINT = "Issue can be assigned only active or future sprints."
SUBTASK_SPRINT = "The sprint of a sub-task cannot be set: it follows the sprint of its parent."
INCOMPLETE_SUBTASKS = (
    "The sprint cannot be completed: these issues are done but have sub-tasks that are not: {keys}."
)


def parse_sprint_datetime(raw: object, name: str) -> datetime | None:
    """An ISO 8601 timestamp (any offset, or none: UTC) as an aware UTC datetime; None for null."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value.astimezone(UTC)
    raise bad_request(**{name: f"Invalid date format for '{name}': '{raw}'. Use ISO 8601."})


def sprint_ids(issue: Issue) -> list[int]:
    value = issue.custom.get(SPRINT_FIELD)
    return [int(s) for s in value] if isinstance(value, list) else []


def _set(issue: Issue, ids: list[int]) -> tuple[list[int], list[int]]:
    old = sprint_ids(issue)
    if ids:
        issue.custom[SPRINT_FIELD] = ids
    else:
        issue.custom.pop(SPRINT_FIELD, None)
    return old, ids


def _closed_only(inst: Instance, ids: list[int]) -> list[int]:
    return [s for s in ids if s in inst.sprints and inst.sprints[s].state not in OPEN_STATES]


def move_to_sprint(inst: Instance, issue: Issue, sprint: Sprint) -> tuple[list[int], list[int]]:
    """Put ``issue`` in ``sprint`` (its open sprint replaced, its closed ones kept): (old, new) ids."""
    kept = [s for s in _closed_only(inst, sprint_ids(issue)) if s != sprint.id]
    return _set(issue, [*kept, sprint.id])


def move_to_backlog(inst: Instance, issue: Issue) -> tuple[list[int], list[int]]:
    """Take ``issue`` out of its open sprint (closed ones kept): (old, new) ids."""
    return _set(issue, _closed_only(inst, sprint_ids(issue)))


def open_sprint(inst: Instance, issue: Issue) -> int | None:
    """The id of the future or active sprint ``issue`` is in, if any."""
    ids = [s for s in sprint_ids(issue) if s in inst.sprints and inst.sprints[s].state in OPEN_STATES]
    return ids[-1] if ids else None


def is_subtask(inst: Instance, issue_type_id: str | None) -> bool:
    issue_type = inst.issue_types.get(issue_type_id or "")
    return issue_type is not None and issue_type.subtask


def schedule_refusal(inst: Instance, issue_type_id: str | None, sprint: Sprint | None) -> str | None:
    """Why an issue of this type cannot be put in ``sprint`` (``None``: the backlog) directly, if so."""
    if is_subtask(inst, issue_type_id):
        return SUBTASK_SPRINT
    if sprint is not None and sprint.state not in OPEN_STATES:
        return CLOSED_SPRINT
    return None


def schedule(inst: Instance, issue: Issue, sprint: Sprint | None) -> list[tuple[Issue, list[int], list[int]]]:
    """Move ``issue`` and its subtasks into ``sprint`` (``None``: the backlog).

    (issue, old ids, new ids) for each issue whose sprint field changed, ``issue`` first.
    """
    changes = []
    for each in (issue, *inst.subtasks(issue.id)):
        old, new = move_to_sprint(inst, each, sprint) if sprint else move_to_backlog(inst, each)
        if old != new:
            changes.append((each, old, new))
    return changes


def follow_parent(inst: Instance, issue: Issue) -> tuple[list[int], list[int]] | None:
    """Give a subtask its parent's open sprint, or the backlog if it has none: (old, new) ids.

    For a subtask just created under its parent or re-parented; its own closed
    sprints are kept. ``None`` for an issue that is not a subtask: it keeps
    whatever sprint it is in.
    """
    if not is_subtask(inst, issue.issue_type_id):
        return None
    parent = inst.issues.get(issue.parent_id) if issue.parent_id is not None else None
    sprint_id = open_sprint(inst, parent) if parent is not None else None
    if sprint_id is None:
        return move_to_backlog(inst, issue)
    return move_to_sprint(inst, issue, inst.sprints[sprint_id])


def remove_sprint(inst: Instance, sprint: Sprint) -> list[Issue]:
    """Delete ``sprint``: out of every issue's sprint field; the issues that were in it."""
    touched = []
    for issue in inst.issues.values():
        ids = sprint_ids(issue)
        if sprint.id in ids:
            _set(issue, [s for s in ids if s != sprint.id])
            touched.append(issue)
    inst.sprints.pop(sprint.id, None)
    return touched


def sprint_change(inst: Instance, old: list[int], new: list[int]) -> ChangeItem:
    """The changelog item Jira writes for the Sprint field: ids and names, comma-separated."""

    def describe(ids: list[int]) -> tuple[str | None, str | None]:
        if not ids:
            return None, None
        names = [inst.sprints[s].name if s in inst.sprints else str(s) for s in ids]
        return ", ".join(map(str, ids)), ", ".join(names)

    fdef = inst.fields.get(SPRINT_FIELD)
    name = fdef.name if fdef is not None else "Sprint"
    (from_id, from_s), (to_id, to_s) = describe(old), describe(new)
    return ChangeItem(name, SPRINT_FIELD, from_id, from_s, to_id, to_s, "custom")


def is_done(inst: Instance, issue: Issue) -> bool:
    """Whether ``issue`` is done: its status is of the done category (the board's Done column)."""
    status = inst.statuses.get(issue.status_id)
    return status is not None and status.category == "done"


def incomplete_parents(inst: Instance, sprint: Sprint) -> list[Issue]:
    """The done issues in ``sprint`` with a subtask that is not done, in creation order."""
    return [
        issue
        for issue in sorted(inst.issues.values(), key=lambda i: i.id)
        if sprint.id in sprint_ids(issue)
        and not is_subtask(inst, issue.issue_type_id)
        and is_done(inst, issue)
        and any(not is_done(inst, sub) for sub in inst.subtasks(issue.id))
    ]


def next_state(
    inst: Instance,
    sprint: Sprint,
    wanted: SprintState,
    start: datetime | None,
    end: datetime | None,
) -> SprintState:
    """The state ``sprint`` may take (given the dates it will have); 400 for a forbidden change."""
    if wanted != sprint.state and (sprint.state, wanted) not in TRANSITIONS:
        raise bad_request(f"A sprint cannot go from '{sprint.state}' to '{wanted}'.")
    if wanted == "active" and (start is None or end is None):
        raise bad_request(NEEDS_DATES)
    if wanted == "active" and sprint.state == "future":
        others = [
            s
            for s in inst.sprints.values()
            if s.board_id == sprint.board_id and s.state == "active" and s.id != sprint.id
        ]
        if others:
            raise bad_request(ONE_ACTIVE)
    if wanted == "closed" and sprint.state == "active":
        blocking = incomplete_parents(inst, sprint)
        if blocking:
            raise bad_request(INCOMPLETE_SUBTASKS.format(keys=", ".join(i.key for i in blocking)))
    return wanted
