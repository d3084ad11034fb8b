"""Seeded Jira Software data: one board per project, sprints on scrum boards, issues in sprints.

Runs after the issues are generated (:func:`jiragw.sandbox.seeding.generator.generate`)
with a random stream of its own, so the issues, their ids and everything else
seeded before are exactly what they were without it. Every project gets a
board tied to a saved filter (``project = KEY``, shared with the project, owned
by the project lead, as Jira creates it with the project); projects alternate
between scrum and kanban, the first (``PRJ``) being scrum.

A scrum board has two-week sprints counted back from today: closed ones, the
active one, and future ones (the last without dates, as a sprint planned but
not scheduled). Issues land in the sprint they were worked in: a resolved
issue in the sprint it was resolved in, an issue in progress in the active
sprint (sometimes carried over from the sprint before), a to-do issue in the
active or a future sprint or left in the backlog. Subtasks follow their
parent; epics are in no sprint. The issue's value of the sprint custom field
is the list of its sprint ids, oldest first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from ..state.defaults import SPRINT_FIELD_ID
from ..state.model import Board, BoardType, Filter, Instance, Issue, Project, Sprint, SprintState

__all__ = ["BOARD_TYPES", "SPRINT_GOALS", "seed_agile"]

SPRINT_FIELD = f"customfield_{SPRINT_FIELD_ID}"
# Board types by project number (cycled): the first project's board is scrum.
BOARD_TYPES: tuple[BoardType, ...] = ("scrum", "kanban")
SPRINT_DAYS = 14
CLOSED_SPRINTS = 6
FUTURE_SPRINTS = 2
SPRINT_GOALS = (
    "",
    "Ship the new onboarding flow",
    "Stabilise the API before the release",
    "Pay down the flaky-test debt",
    "Finish the billing migration",
    "Make search fast on big projects",
    "Close the accessibility gaps",
    "Harden authentication and sessions",
)
# Where a to-do issue of a scrum project goes: (0 active, 1.. future sprint n, None backlog).
TODO_PLACES: tuple[tuple[int | None, float], ...] = ((0, 0.35), (1, 0.2), (2, 0.1), (None, 0.35))
CARRIED_OVER = 0.2  # issues in progress that were also in the previous sprint


def _board_filter(inst: Instance, project: Project) -> Filter:
    saved = Filter(
        id=inst.new_id(),
        name=f"Filter for {project.key} board",
        jql=f"project = {project.key} ORDER BY created ASC",
        owner=project.lead,
        share_permissions=[{"id": inst.new_id(), "type": "project", "project": project.id}],
    )
    inst.filters[saved.id] = saved
    return saved


def _sprints(
    inst: Instance, rng: random.Random, board: Board, project: Project, today: datetime
) -> list[Sprint]:
    """Closed sprints oldest first, then the active one, then the future ones."""
    active_start = today - timedelta(days=rng.randint(1, SPRINT_DAYS - 2), hours=-9)
    out: list[Sprint] = []
    for n in range(CLOSED_SPRINTS + 1 + FUTURE_SPRINTS):
        start = active_start + timedelta(days=SPRINT_DAYS * (n - CLOSED_SPRINTS))
        state: SprintState = "closed" if n < CLOSED_SPRINTS else "active" if n == CLOSED_SPRINTS else "future"
        dated = n < CLOSED_SPRINTS + FUTURE_SPRINTS  # the last future sprint has no dates yet
        end = start + timedelta(days=SPRINT_DAYS)
        sprint = Sprint(
            id=inst.new_sprint_id(),
            board_id=board.id,
            name=f"{project.key} Sprint {n + 1}",
            state=state,
            goal=rng.choice(SPRINT_GOALS),
            created=start - timedelta(days=rng.randint(2, 10), minutes=rng.randrange(600)),
            start_date=start if dated else None,
            end_date=end if dated else None,
            complete_date=end + timedelta(minutes=rng.randrange(-240, 240)) if state == "closed" else None,
        )
        inst.sprints[sprint.id] = sprint
        out.append(sprint)
    return out


def _place(rng: random.Random, inst: Instance, issue: Issue, sprints: Sequence[Sprint]) -> list[int]:
    """The sprint ids ``issue`` was in (empty: backlog or before the first sprint)."""
    closed = sprints[:CLOSED_SPRINTS]
    active = sprints[CLOSED_SPRINTS]
    category = inst.statuses[issue.status_id].category
    if category == "done":
        when = issue.resolution_date or issue.updated
        for sprint in (*closed, active):
            start, end = sprint.start_date, sprint.end_date
            if start is not None and end is not None and start <= when < end:
                return [sprint.id]
        return []
    if category == "indeterminate":
        if closed and rng.random() < CARRIED_OVER:
            return [closed[-1].id, active.id]
        return [active.id]
    r, total = rng.random(), 0.0
    for place, weight in TODO_PLACES:
        total += weight
        if r < total:
            return [] if place is None else [sprints[CLOSED_SPRINTS + place].id]
    return []


def seed_agile(inst: Instance, *, seed: int, now: datetime) -> None:
    """Give each of ``inst``'s projects without a board one, and fill the scrum boards' sprints."""
    rng = random.Random(f"{seed}:{inst.kind}:{inst.name}:agile")
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with_board = {b.project_id for b in inst.boards.values()}
    scrum: dict[int, list[Sprint]] = {}
    for n, project in enumerate(sorted(inst.projects.values(), key=lambda p: p.id)):
        if project.id in with_board:
            continue
        kind = BOARD_TYPES[n % len(BOARD_TYPES)]
        board = Board(
            id=inst.new_board_id(),
            name=f"{project.key} board",
            type=kind,
            project_id=project.id,
            filter_id=_board_filter(inst, project).id,
        )
        inst.boards[board.id] = board
        if kind == "scrum":
            scrum[project.id] = _sprints(inst, rng, board, project, today)
    if not scrum:
        return
    epic_ids = {t.id for t in inst.issue_types.values() if t.hierarchy_level > 0}
    subtasks: list[Issue] = []
    for issue in inst.issues.values():
        sprints = scrum.get(issue.project_id)
        if sprints is None or issue.issue_type_id in epic_ids:
            continue
        if issue.parent_id is not None:
            subtasks.append(issue)
            continue
        placed = _place(rng, inst, issue, sprints)
        if placed:
            issue.custom[SPRINT_FIELD] = placed
    for sub in subtasks:
        parent = inst.issues.get(sub.parent_id) if sub.parent_id is not None else None
        if parent is not None and SPRINT_FIELD in parent.custom:
            sub.custom[SPRINT_FIELD] = list(parent.custom[SPRINT_FIELD])
