"""Jira Software's Agile REST API 1.0 (``/rest/agile/1.0/...``): board and sprint reads.

Every Agile operation (these and :mod:`~jiragw.sandbox.routes.agile_writes`)
is also served under ``/rest/agile/latest``, Jira's alias of 1.0
(:func:`jiragw.sandbox.routing.jira_routes`).

The same on Cloud sites and Data Center instances (the Software spec, tags
"Board" and "Sprint"):

- ``GET board`` (``getAllBoards``): the boards the caller can see, paged by
  ``startAt``/``maxResults`` (at most 50) with ``total`` and ``isLast``,
  filtered by ``type``, ``name`` (a case-insensitive part), ``projectKeyOrId``
  and ``filterId``.
- ``GET board/{boardId}`` (``getBoard``) and ``.../configuration``
  (``getConfiguration``): columns by status category, estimation by Story
  Points on scrum boards, the kanban sub-filter.
- ``GET board/{boardId}/sprint`` (``getAllSprints``, ``state`` filter; a kanban
  board "does not support sprints", 400) and ``GET sprint/{sprintId}``
  (``getSprint``).
- ``GET board/{boardId}/issue``, ``.../backlog``, ``GET sprint/{sprintId}/issue``,
  ``GET board/{boardId}/sprint/{sprintId}/issue`` and ``GET epic/{epicIdOrKey}/issue``
  (``getIssuesForBoard``, ``getIssuesForBacklog``, ``getIssuesForSprint``,
  ``getBoardIssuesForSprint``, ``getIssuesForEpic``; and ``GET
  board/{boardId}/epic/{epicId}/issue``, ``getBoardIssuesForEpic``): a legacy-style search
  (``startAt``/``maxResults``/``total``) of the board's issues (its filter), its
  backlog (unfinished issues in no active or future sprint), the sprint's or
  the epic's (on the board), narrowed by ``jql``, with ``fields``/``expand`` rendered as the
  platform search renders them (REST v2 shapes, as Agile 1.0 answers) plus the
  Agile fields ``sprint``, ``closedSprints``, ``flagged`` and ``epic``.
- ``GET issue/{issueIdOrKey}`` (``getIssue``): one issue in the same shape.
- ``GET board/{boardId}/epic`` (``getEpics``, ``done`` filter), ``GET
  epic/{epicIdOrKey}`` (``getEpic``) and ``GET board/{boardId}/project``
  (``getProjects``): the epics of the board's project, one epic, the board's
  project, paged like boards.

A board is visible to a caller who can see its saved filter and browse its
project; anyone else gets the same 404 as for a board that does not exist, so
boards cannot be probed. A sprint is visible with its board; an issue or an
epic to a caller who may browse projects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import bad_request, not_found
from ..issues.fields import visible_issue
from ..issues.render import FieldSelection, render_issue
from ..jql import CompiledJql, compile_jql
from ..jql.parser import parse
from ..rendering.agile import agile_fields, is_epic, render_board, render_epic, render_sprint
from ..state.defaults import SPRINT_FIELD_ID
from ..state.model import BROWSE, Board, Issue, Sprint
from .filters import can_view
from .project_access import render_project
from .search import SearchParams, render_search_page

__all__ = [
    "BOARD_MISSING",
    "EPIC_MISSING",
    "NO_SPRINTS",
    "ROUTES",
    "SPRINT_FIELD",
    "board_visible",
    "visible_board",
    "visible_sprint",
]

A = "/rest/agile/1.0"
SPRINT_FIELD = f"customfield_{SPRINT_FIELD_ID}"
BOARD_MISSING = "Board does not exist or you do not have permission to see it."
SPRINT_MISSING = "Sprint does not exist or you do not have permission to see it."
NO_SPRINTS = "The board does not support sprints"
EPIC_MISSING = "Epic does not exist or you do not have permission to see it."
_BOARD_TYPES = ("scrum", "kanban", "simple")
_SPRINT_STATES = ("future", "active", "closed")
# Page sizes: boards and sprints (default and cap), issues (default; cap per flavor).
_LIST_MAX = 50
_ISSUES_DEFAULT = 50
_ISSUES_CAP = {"cloud": 100, "dc": 1000}
# Board columns: (name, status category) in board order.
_COLUMNS = (("To Do", "new"), ("In Progress", "indeterminate"), ("Done", "done"))
_KANBAN_SUBQUERY = "fixVersion in unreleasedVersions() OR fixVersion is EMPTY"
_STORY_POINTS = "customfield_10016"


# -- lookups -----------------------------------------------------------------
def board_visible(ctx: Ctx, board: Board) -> bool:
    """Whether the caller may see ``board``: its filter and its project."""
    user = ctx.user
    saved = ctx.instance.filters.get(board.filter_id)
    if saved is None or not user.can(BROWSE) or board.project_id not in ctx.instance.projects:
        return False
    return can_view(saved.owner, saved.share_permissions, saved.edit_permissions, user)


def visible_board(ctx: Ctx) -> Board:
    """The board of path parameter ``boardId``, if the caller may see it (404 otherwise)."""
    raw = ctx.path("boardId")
    board = ctx.instance.boards.get(int(raw)) if raw.isdigit() else None
    if board is None or not board_visible(ctx, board):
        raise not_found(BOARD_MISSING)
    return board


def visible_sprint(ctx: Ctx) -> Sprint:
    """The sprint of path parameter ``sprintId``, if the caller may see its board (404 otherwise)."""
    raw = ctx.path("sprintId")
    sprint = ctx.instance.sprints.get(int(raw)) if raw.isdigit() else None
    board = ctx.instance.boards.get(sprint.board_id) if sprint is not None else None
    if sprint is None or board is None or not board_visible(ctx, board):
        raise not_found(SPRINT_MISSING)
    return sprint


def _page(ctx: Ctx, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Agile's page: ``maxResults``, ``startAt``, ``total``, ``isLast``, ``values`` (no links)."""
    start = ctx.query_int("startAt", 0)
    size = min(ctx.query_int("maxResults", _LIST_MAX), _LIST_MAX)
    return {
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": start + size >= len(items),
        "values": items[start : start + size],
    }


def _choices(ctx: Ctx, name: str, allowed: tuple[str, ...]) -> set[str] | None:
    wanted = ctx.query_list(name)
    if wanted is None:
        return None
    bad = [w for w in wanted if w.lower() not in allowed]
    if bad:
        raise bad_request(f"The '{name}' parameter has an invalid value '{bad[0]}'.")
    return {w.lower() for w in wanted}


# -- boards ------------------------------------------------------------------
@endpoint("GET", A + "/board", "getAllBoards")
async def all_boards(ctx: Ctx) -> dict[str, Any]:
    types = _choices(ctx, "type", _BOARD_TYPES)
    name = (ctx.query("name") or "").lower()
    project_ref = ctx.query("projectKeyOrId")
    project = ctx.instance.find_project(project_ref) if project_ref else None
    filter_id = ctx.query("filterId")
    found = [
        b
        for b in sorted(ctx.instance.boards.values(), key=lambda b: b.id)
        if board_visible(ctx, b)
        and (types is None or b.type in types)
        and name in b.name.lower()
        and (not project_ref or (project is not None and b.project_id == project.id))
        and (not filter_id or str(b.filter_id) == filter_id)
    ]
    return _page(ctx, [render_board(ctx, b) for b in found])


@endpoint("GET", A + "/board/{boardId}", "getBoard")
async def get_board(ctx: Ctx) -> dict[str, Any]:
    return render_board(ctx, visible_board(ctx))


@endpoint("GET", A + "/board/{boardId}/configuration", "getConfiguration")
async def board_configuration(ctx: Ctx) -> dict[str, Any]:
    board = visible_board(ctx)
    statuses = ctx.instance.statuses.values()
    out: dict[str, Any] = {
        "id": board.id,
        "name": board.name,
        "type": board.type,
        "self": ctx.base + f"{A}/board/{board.id}/configuration",
        "location": {"type": "project", "projectKeyOrId": str(board.project_id)},
        "filter": {"id": str(board.filter_id), "self": ctx.api(f"/filter/{board.filter_id}")},
        "columnConfig": {
            "columns": [
                {
                    "name": name,
                    "statuses": [
                        {"id": s.id, "self": ctx.api(f"/status/{s.id}")}
                        for s in statuses
                        if s.category == cat
                    ],
                }
                for name, cat in _COLUMNS
            ],
            "constraintType": "issueCount",
        },
    }
    if board.type == "kanban":
        out["subQuery"] = {"query": _KANBAN_SUBQUERY}
    else:
        points = ctx.instance.fields.get(_STORY_POINTS)
        if points is not None:
            out["estimation"] = {
                "type": "field",
                "field": {"fieldId": points.id, "displayName": points.name},
            }
    return out


# -- sprints -----------------------------------------------------------------
@endpoint("GET", A + "/board/{boardId}/sprint", "getAllSprints")
async def board_sprints(ctx: Ctx) -> dict[str, Any]:
    board = visible_board(ctx)
    if board.type != "scrum":
        raise bad_request(NO_SPRINTS)
    states = _choices(ctx, "state", _SPRINT_STATES)
    found = [
        s
        for s in sorted(ctx.instance.sprints.values(), key=lambda s: s.id)
        if s.board_id == board.id and (states is None or s.state in states)
    ]
    return _page(ctx, [render_sprint(ctx, s) for s in found])


@endpoint("GET", A + "/sprint/{sprintId}", "getSprint")
async def get_sprint(ctx: Ctx) -> dict[str, Any]:
    return render_sprint(ctx, visible_sprint(ctx))


# -- issues ------------------------------------------------------------------
def _board_query(ctx: Ctx, board: Board) -> CompiledJql:
    saved = ctx.instance.filters[board.filter_id]
    return compile_jql(ctx.instance, saved.jql, user=ctx.user, now=ctx.sandbox.clock.now())


def _in_sprint(sprint: Sprint) -> Callable[[Issue], bool]:
    return lambda issue: sprint.id in (issue.custom.get(SPRINT_FIELD) or ())


async def _issues(
    ctx: Ctx, within: Callable[[Issue], bool], board_order: CompiledJql | None = None
) -> dict[str, Any]:
    """A search page of the issues ``within`` the scope, in the board's order unless the JQL sorts."""
    params = await SearchParams.read(ctx, ("fields", "expand"))
    jql = params.text("jql")
    start = params.int("startAt", 0)
    if start < 0:
        raise bad_request("The 'startAt' parameter must be at least 0.")
    size = max(0, min(params.int("maxResults", _ISSUES_DEFAULT), _ISSUES_CAP[ctx.instance.kind]))
    query = compile_jql(ctx.instance, jql, user=ctx.user, now=ctx.sandbox.clock.now())
    issues = [i for i in ctx.instance.issues.values() if within(i)]
    if board_order is None or (jql and parse(jql).order_by is not None):
        found = query.search(issues)
    else:
        found = board_order.search([i for i in issues if query.matches(i)])
    sel = FieldSelection.parse(params.strings("fields"), default="*navigable")
    page = found[start : start + size]
    out = render_search_page(ctx, page, sel, set(params.strings("expand") or ()), None)
    if not sel.only_ids:
        for bean, issue in zip(out["issues"], page, strict=True):
            bean.setdefault("fields", {}).update(agile_fields(ctx, issue, sel.wants))
    return {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(found), **out}


@endpoint("GET", A + "/board/{boardId}/issue", "getIssuesForBoard")
async def board_issues(ctx: Ctx) -> dict[str, Any]:
    board_query = _board_query(ctx, visible_board(ctx))
    return await _issues(ctx, board_query.matches, board_query)


@endpoint("GET", A + "/board/{boardId}/backlog", "getIssuesForBacklog")
async def board_backlog(ctx: Ctx) -> dict[str, Any]:
    """The board's unfinished issues in no active or future sprint."""
    board_query = _board_query(ctx, visible_board(ctx))
    matches, sprints, statuses = board_query.matches, ctx.instance.sprints, ctx.instance.statuses

    def in_backlog(issue: Issue) -> bool:
        status = statuses.get(issue.status_id)
        planned = any(
            (s := sprints.get(sid)) is not None and s.state != "closed"
            for sid in issue.custom.get(SPRINT_FIELD) or ()
        )
        return matches(issue) and not planned and (status is None or status.category != "done")

    return await _issues(ctx, in_backlog, board_query)


@endpoint("GET", A + "/sprint/{sprintId}/issue", "getIssuesForSprint")
async def sprint_issues(ctx: Ctx) -> dict[str, Any]:
    sprint = visible_sprint(ctx)
    return await _issues(ctx, _in_sprint(sprint), _board_query(ctx, ctx.instance.boards[sprint.board_id]))


@endpoint("GET", A + "/board/{boardId}/sprint/{sprintId}/issue", "getBoardIssuesForSprint")
async def board_sprint_issues(ctx: Ctx) -> dict[str, Any]:
    board = visible_board(ctx)
    sprint = visible_sprint(ctx)
    if sprint.board_id != board.id:
        raise not_found(SPRINT_MISSING)
    return await _issues(ctx, _in_sprint(sprint), _board_query(ctx, board))


@endpoint("GET", A + "/issue/{issueIdOrKey}", "getIssue")
async def agile_issue(ctx: Ctx) -> dict[str, Any]:
    """One issue in REST v2 shapes, with its Agile fields among the default (navigable) ones."""
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    sel = FieldSelection.parse(ctx.query_list("fields"), default="*navigable")
    out = render_issue(ctx, issue, sel, set(ctx.query_list("expand") or ()))
    if not sel.only_ids:
        out.setdefault("fields", {}).update(agile_fields(ctx, issue, sel.wants))
    return out


# -- epics and projects ------------------------------------------------------
def _visible_epic(ctx: Ctx) -> Issue:
    """The epic of path parameter ``epicIdOrKey`` (404 when missing, hidden or not an epic)."""
    issue = ctx.instance.find_issue(ctx.path("epicIdOrKey"))
    if issue is None or not ctx.user.can(BROWSE) or not is_epic(ctx, issue):
        raise not_found(EPIC_MISSING)
    return issue


@endpoint("GET", A + "/board/{boardId}/epic", "getEpics")
async def board_epics(ctx: Ctx) -> dict[str, Any]:
    """The epics of the board's project, ``done`` filtering by their status category."""
    board = visible_board(ctx)
    done = ctx.query("done")
    epics = [
        render_epic(ctx, i)
        for i in sorted(ctx.instance.issues.values(), key=lambda i: i.id)
        if i.project_id == board.project_id and is_epic(ctx, i)
    ]
    if done:
        epics = [e for e in epics if e["done"] is (done.lower() == "true")]
    return _page(ctx, epics)


@endpoint("GET", A + "/epic/{epicIdOrKey}", "getEpic")
async def get_epic(ctx: Ctx) -> dict[str, Any]:
    return render_epic(ctx, _visible_epic(ctx))


@endpoint("GET", A + "/epic/{epicIdOrKey}/issue", "getIssuesForEpic")
async def epic_issues(ctx: Ctx) -> dict[str, Any]:
    epic = _visible_epic(ctx)
    return await _issues(ctx, lambda issue: issue.parent_id == epic.id)


@endpoint("GET", A + "/board/{boardId}/epic/{epicId}/issue", "getBoardIssuesForEpic")
async def board_epic_issues(ctx: Ctx) -> dict[str, Any]:
    board = visible_board(ctx)
    raw = ctx.path("epicId")
    epic = ctx.instance.issues.get(int(raw)) if raw.isdigit() else None
    if epic is None or not is_epic(ctx, epic):
        raise not_found(EPIC_MISSING)
    board_query = _board_query(ctx, board)
    return await _issues(
        ctx, lambda issue: issue.parent_id == epic.id and board_query.matches(issue), board_query
    )


@endpoint("GET", A + "/board/{boardId}/project", "getProjects")
async def board_projects(ctx: Ctx) -> dict[str, Any]:
    """The board's project (each sandbox board's filter names one project)."""
    board = visible_board(ctx)
    project = ctx.instance.projects[board.project_id]
    return _page(ctx, [render_project(ctx, project)])


ROUTES = (
    all_boards,
    get_board,
    board_configuration,
    board_sprints,
    get_sprint,
    board_issues,
    board_backlog,
    sprint_issues,
    board_sprint_issues,
    agile_issue,
    board_epics,
    get_epic,
    epic_issues,
    board_epic_issues,
    board_projects,
)
