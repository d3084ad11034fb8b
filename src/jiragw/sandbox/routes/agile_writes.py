"""Jira Software's Agile REST API 1.0: sprint writes and moving issues between sprints.

The same on Cloud sites and Data Center instances (the Software spec, tags
"Sprint" and "Backlog"), except where noted:

- ``POST sprint`` (``createSprint``): a future sprint on a scrum board (a kanban
  board "does not support sprints", 400); 201 with the sprint.
- ``PUT sprint/{sprintId}`` (``updateSprint``, a full update: absent fields
  become null, so ``name`` is required and absent dates are cleared) and
  ``POST sprint/{sprintId}`` (``partiallyUpdateSprint``): name, goal, dates and
  the state changes :mod:`jiragw.sandbox.issues.sprints` allows. ``completeDate`` and
  the read-only fields in the body are ignored, as Jira ignores them.
- ``DELETE sprint/{sprintId}`` (``deleteSprint``): its issues go to the
  backlog. Cloud deletes a sprint in any state (its docs delete planned,
  active and completed sprints); Data Center only future ones.
- ``POST sprint/{sprintId}/issue`` (``moveIssuesToSprintAndRank``) and ``POST
  backlog/issue`` (``moveIssuesToBacklog``): at most 50 issues by key or id;
  only into a future or active sprint. Subtasks move with their parent and
  cannot be moved on their own; an epic's child issues are not subtasks, so
  they move on their own and stay put when their epic moves. These are the
  rules :func:`jiragw.sandbox.issues.sprints.schedule` and
  :func:`~jiragw.sandbox.issues.sprints.schedule_refusal` apply to the Sprint field
  too; only the wording of the refusals is this API's. The sandbox keeps no
  rank, so the rank fields are accepted and have no effect.

Permissions. Jira asks for "Manage sprints" on every project of the sprint's
board to create, edit, start, complete or delete a sprint, and for "Schedule
issues" plus "Edit issues" to move issues. Sandbox users hold permissions
globally and have no manage-sprints or schedule permission: managing sprints
maps to ``ADMINISTER`` (project administration: Jira Software's own
SprintPermissionService asked for project admin on the board's projects before
"Manage sprints" existed), moving issues to ``EDIT_ISSUES``. Boards and sprints the caller cannot see are
404s before any permission check, so they cannot be probed.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request, not_found
from ..issues.fields import ISSUE_404, record
from ..issues.sprints import (
    CLOSED_SPRINT,
    MAX_ISSUES,
    MAX_NAME,
    SUBTASK_SPRINT,
    next_state,
    parse_sprint_datetime,
    remove_sprint,
    schedule,
    schedule_refusal,
    sprint_change,
)
from ..rendering.agile import render_sprint
from ..state.model import ADMIN, BROWSE, EDIT, Issue, Sprint, SprintState
from .agile import BOARD_MISSING, NO_SPRINTS, board_visible, visible_sprint

__all__ = ["ROUTES"]

A = "/rest/agile/1.0"
MANAGE = 'You need the "Manage sprints" permission for all projects in the origin board to {what}.'
SCHEDULE = 'You need the "Schedule issues" and "Edit issues" permissions to move issues between sprints.'
CLOSED_UPDATE = "Closed sprints cannot be updated."
CLOSED_MOVE = "Issues can only be moved to future or active sprints."
SUBTASK = "Issue '{key}' is a subtask: it moves with its parent."
# This API's wording of each sprints.schedule_refusal reason.
_REFUSALS = {SUBTASK_SPRINT: SUBTASK, CLOSED_SPRINT: CLOSED_MOVE}
# Sprint states each flavor may delete.
_DELETABLE: dict[str, frozenset[SprintState]] = {
    "cloud": frozenset({"future", "active", "closed"}),
    "dc": frozenset({"future"}),
}
_STATES: tuple[SprintState, ...] = ("future", "active", "closed")


def _manage(ctx: Ctx, what: str) -> None:
    if not ctx.user.can(ADMIN):
        raise JiraHttpError(403, [MANAGE.format(what=what)])


def _name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request(name="The sprint name must not be empty.")
    name = raw.strip()
    if len(name) > MAX_NAME:
        raise bad_request(name=f"The sprint name must not be longer than {MAX_NAME} characters.")
    return name


def _goal(raw: Any) -> str:
    if raw is not None and not isinstance(raw, str):
        raise bad_request(goal="The sprint goal must be a string.")
    return raw or ""


def _check_dates(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise bad_request(endDate="The sprint end date must not be before its start date.")


# -- sprints -------------------------------------------------------------------
@endpoint("POST", A + "/sprint", "createSprint")
async def create_sprint(ctx: Ctx) -> Reply:
    body = await ctx.body_object()
    raw_board = body.get("originBoardId")
    if isinstance(raw_board, bool) or not isinstance(raw_board, int | str) or not str(raw_board).isdigit():
        raise bad_request(originBoardId="The origin board id is required.")
    board = ctx.instance.boards.get(int(raw_board))
    if board is None or not board_visible(ctx, board):
        raise not_found(BOARD_MISSING)
    _manage(ctx, "create a sprint")
    if board.type != "scrum":
        raise bad_request(NO_SPRINTS)
    name, goal = _name(body.get("name")), _goal(body.get("goal"))
    start = parse_sprint_datetime(body.get("startDate"), "startDate")
    end = parse_sprint_datetime(body.get("endDate"), "endDate")
    _check_dates(start, end)
    inst = ctx.instance
    sprint = Sprint(
        id=inst.new_sprint_id(),
        board_id=board.id,
        name=name,
        state="future",
        goal=goal,
        created=ctx.sandbox.clock.now(),
        start_date=start,
        end_date=end,
    )
    inst.sprints[sprint.id] = sprint
    return Reply(201, render_sprint(ctx, sprint))


async def _update(ctx: Ctx, *, full: bool) -> dict[str, Any]:
    sprint = visible_sprint(ctx)
    _manage(ctx, "manage this sprint")
    body = await ctx.body_object()
    if sprint.state == "closed":
        raise bad_request(CLOSED_UPDATE)

    def given(key: str) -> bool:
        return full or key in body

    name = _name(body.get("name")) if given("name") else sprint.name
    goal = _goal(body.get("goal")) if given("goal") else sprint.goal
    start, end = sprint.start_date, sprint.end_date
    if given("startDate"):
        start = parse_sprint_datetime(body.get("startDate"), "startDate")
    if given("endDate"):
        end = parse_sprint_datetime(body.get("endDate"), "endDate")
    _check_dates(start, end)
    raw_state = body.get("state")
    wanted: SprintState
    if raw_state is None:
        wanted = sprint.state
    elif isinstance(raw_state, str) and raw_state.lower() in _STATES:
        wanted = _STATES[_STATES.index(raw_state.lower())]
    else:
        raise bad_request(state=f"Unknown sprint state '{raw_state}'.")
    state = next_state(ctx.instance, sprint, wanted, start, end)
    # Everything is valid: write it at once.
    sprint.name, sprint.goal, sprint.start_date, sprint.end_date = name, goal, start, end
    if state == "closed":  # completing (a closed sprint never gets this far)
        sprint.complete_date = ctx.sandbox.clock.now()
    sprint.state = state
    return render_sprint(ctx, sprint)


@endpoint("PUT", A + "/sprint/{sprintId}", "updateSprint")
async def update_sprint(ctx: Ctx) -> dict[str, Any]:
    return await _update(ctx, full=True)


@endpoint("POST", A + "/sprint/{sprintId}", "partiallyUpdateSprint")
async def partially_update_sprint(ctx: Ctx) -> dict[str, Any]:
    return await _update(ctx, full=False)


@endpoint("DELETE", A + "/sprint/{sprintId}", "deleteSprint")
async def delete_sprint(ctx: Ctx) -> None:
    sprint = visible_sprint(ctx)
    _manage(ctx, "delete this sprint")
    if sprint.state not in _DELETABLE[ctx.instance.kind]:
        raise bad_request(f"Only future sprints can be deleted; sprint {sprint.id} is {sprint.state}.")
    for issue in remove_sprint(ctx.instance, sprint):
        record(ctx, issue, [])


# -- moving issues ----------------------------------------------------------------
async def _issues(ctx: Ctx, sprint: Sprint | None) -> list[Issue]:
    """The body's ``issues`` (keys or ids, at most 50), each visible and movable into ``sprint``.

    ``sprint`` ``None`` is the backlog; a 400 for the first issue that cannot go there.
    """
    ctx.require(BROWSE, SCHEDULE)
    if not ctx.user.can(EDIT):
        raise JiraHttpError(403, [SCHEDULE])
    body = await ctx.body_object()
    refs = body.get("issues")
    if not isinstance(refs, list) or not refs:
        raise bad_request(issues="At least one issue must be given.")
    if len(refs) > MAX_ISSUES:
        raise bad_request(f"At most {MAX_ISSUES} issues can be moved at once; {len(refs)} were given.")
    for key in ("rankBeforeIssue", "rankAfterIssue"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise bad_request(**{key: f"'{key}' must be an issue key or id."})
    found: dict[int, Issue] = {}
    for ref in refs:
        issue = None
        if isinstance(ref, str | int) and not isinstance(ref, bool):
            issue = ctx.instance.find_issue(str(ref).strip())
        if issue is None:
            raise bad_request(f"{ISSUE_404.removesuffix('.')}: '{ref}'.")
        reason = schedule_refusal(ctx.instance, issue.issue_type_id, sprint)
        if reason is not None:
            raise bad_request(_REFUSALS[reason].format(key=issue.key))
        found[issue.id] = issue
    return list(found.values())


def _move(ctx: Ctx, issues: list[Issue], sprint: Sprint | None) -> None:
    """Each issue, and its subtasks, into ``sprint`` (``None``: the backlog); a changelog entry each."""
    inst = ctx.instance
    for issue in issues:
        for each, old, new in schedule(inst, issue, sprint):
            record(ctx, each, [sprint_change(inst, old, new)])


@endpoint("POST", A + "/sprint/{sprintId}/issue", "moveIssuesToSprintAndRank")
async def move_issues_to_sprint(ctx: Ctx) -> None:
    sprint = visible_sprint(ctx)
    _move(ctx, await _issues(ctx, sprint), sprint)


@endpoint("POST", A + "/backlog/issue", "moveIssuesToBacklog")
async def move_issues_to_backlog(ctx: Ctx) -> None:
    _move(ctx, await _issues(ctx, None), None)


ROUTES = (
    create_sprint,
    update_sprint,
    partially_update_sprint,
    delete_sprint,
    move_issues_to_sprint,
    move_issues_to_backlog,
)
