"""Boards and sprints (Jira Software, Agile REST API 1.0): list, read, and move issues into a sprint.

``list_boards`` and ``list_sprints`` answer one line per board or sprint;
``sprint_issues`` pages a sprint's issues (or the active sprint's of a board)
with a cursor, each issue on one line as ``search_issues`` renders it. The
Agile API pages its issue listings by ``startAt`` on both flavors, so the
cursor holds the sprint, the query and the offset. ``move_to_sprint`` puts
issues into a future or active sprint (the SDK sends 50 a call, as Jira
requires).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from jiragw.errors import InvalidInput
from jiragw.jira.resources import from_jira_text
from jiragw.jira.resources.agile import Board, Sprint, SprintState

from ..issue_view import CORE_FIELDS, issue_data, issue_ref
from ..render import cursor_decode, cursor_encode, joined, short_date
from ..tool import Call, Op, Result, ToolSpec
from .search import CURSOR, LIMIT, MAX_LIMIT, render_page, resolve_fields

__all__ = ["TOOLS"]

_LIST_MAX = 50
_STATES = ("future", "active", "closed")


def _board_data(b: Board) -> dict[str, Any]:
    data: dict[str, Any] = {"id": b.id, "name": b.name, "type": b.type, "project": b.project_key}
    return {k: v for k, v in data.items() if v not in (None, "")}


async def _list_boards(call: Call, args: Mapping[str, Any]) -> Result:
    found: list[Board] = []
    async for board in call.jira.agile.boards(
        project=args.get("project") or None, name=args.get("query") or None
    ):
        found.append(board)
        if len(found) > _LIST_MAX:
            break
    shown = [_board_data(b) for b in found[:_LIST_MAX]]
    if not shown:
        return Result("No board matches.", {"boards": []})
    lines = [f"- {b['id']}: {b['name']} ({joined([b['type'], b.get('project')], ', ')})" for b in shown]
    text = f"{len(shown)} boards:\n" + "\n".join(lines)
    out: dict[str, Any] = {"boards": shown}
    if len(found) > _LIST_MAX:
        out["truncated"] = True
        text += f"\nOnly the first {_LIST_MAX} are shown; narrow by project or query."
    return Result(text, out)


def _sprint_line(s: Sprint) -> str:
    start, end, done = short_date(s.start_date), short_date(s.end_date), short_date(s.complete_date)
    dates = f"{(start or '')[:10]} → {(done or end or '')[:10]}" if start else None
    goal = f"goal: {s.goal}" if s.goal else None
    return f"- {s.id}: {s.name} [{s.state}] " + joined([dates, goal], "; ")


def _states(value: Any) -> list[SprintState]:
    states = [value] if isinstance(value, str) else list(value or ())
    bad = [s for s in states if s not in _STATES]
    if bad:
        raise InvalidInput(f"a sprint state is one of {', '.join(_STATES)}, not {bad[0]!r}")
    return cast("list[SprintState]", states)


async def _list_sprints(call: Call, args: Mapping[str, Any]) -> Result:
    board = str(args["board"])
    states = _states(args.get("state"))
    found = [s async for s in call.jira.agile.sprints(board, state=states or None)]
    # Jira lists the oldest first; the newest are the ones that matter, so older ones are dropped.
    shown = found[-_LIST_MAX:]
    if not shown:
        return Result(
            f"Board {board} has no sprint" + (f" {'/'.join(states)}." if states else "."), {"sprints": []}
        )
    text = f"{len(shown)} sprints of board {board}:\n" + "\n".join(_sprint_line(s) for s in shown)
    out: dict[str, Any] = {"sprints": [{"id": s.id, "name": s.name, "state": s.state} for s in shown]}
    if len(found) > _LIST_MAX:
        out["truncated"] = True
        text += f"\n{len(found) - _LIST_MAX} older sprints are not shown; filter by state."
    return Result(text, out)


async def _active_sprint(call: Call, board: str) -> Sprint:
    active = [s async for s in call.jira.agile.sprints(board, state="active")]
    if len(active) != 1:
        ids = ", ".join(str(s.id) for s in active)
        raise InvalidInput(
            f"board {board} has {'no active sprint' if not active else 'several active sprints: ' + ids}"
            "; name the sprint",
            details={"board": board, "active": [s.id for s in active]},
        )
    return active[0]


async def _sprint_issues(call: Call, args: Mapping[str, Any]) -> Result:
    sprint_arg, board = args.get("sprint"), args.get("board")
    if (sprint_arg is None) == (board is None):
        raise InvalidInput("name either a sprint, or a board whose active sprint to show")
    jql = str(args.get("jql") or "")
    limit = int(args.get("limit", 20))
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    state = cursor_decode(args.get("cursor"))
    asked = {"jql": jql, "board": None if board is None else str(board)}
    if state and (
        {k: state.get(k) for k in asked} != asked or (sprint_arg and str(sprint_arg) != state.get("sprint"))
    ):
        raise InvalidInput("the cursor belongs to another query; start again without it")
    if state:
        sprint_id = str(state["sprint"])
    elif sprint_arg is not None:
        sprint_id = str(sprint_arg)
    else:
        sprint_id = str((await _active_sprint(call, str(board))).id)
    names = list(args.get("fields") or ())
    ids = await resolve_fields(call, names) if names else []
    page = await call.jira.agile.sprint_issues_page(
        sprint_id,
        start_at=int(state.get("s", 0)),
        limit=limit,
        jql=jql or None,
        fields=list(dict.fromkeys([*CORE_FIELDS, *ids])),
    )
    labels = await call.jira.fields.names() if ids else {}
    issues = []
    for issue in page.issues:
        data = issue_data(issue.raw, labels, ids)
        if "description" in ids:
            text = from_jira_text(call.jira.ctx, issue.description)
            if text:
                data["description"] = text
        issues.append(data)
    nxt = page.next_start
    cursor = cursor_encode({**asked, "sprint": sprint_id, "s": nxt}) if nxt is not None else None
    out: dict[str, Any] = {
        "sprint": int(sprint_id),
        "issues": [issue_ref(i) for i in issues],
        "total": page.total,
    }
    if cursor:
        out["next_cursor"] = cursor
    return Result(f"Sprint {sprint_id}: " + render_page(issues, cursor, page.total), out)


async def _move_to_sprint(call: Call, args: Mapping[str, Any]) -> Result:
    sprint_id = str(args["sprint"])
    keys = list(dict.fromkeys(str(k).strip() for k in args["keys"]))
    await call.jira.agile.move_to_sprint(sprint_id, keys)
    return Result(
        f"Moved {len(keys)} issues to sprint {sprint_id}: {', '.join(keys)}",
        {"sprint": int(sprint_id), "moved": keys},
    )


ID = {"type": "string", "pattern": "^[0-9]+$"}
MOVE_MAX = 200

TOOLS = (
    ToolSpec(
        name="list_boards",
        title="List boards",
        description="Jira Software boards (id, name, scrum/kanban, project), optionally of one project.",
        properties={
            "project": {"type": "string", "description": "Project key or id."},
            "query": {"type": "string", "description": "Part of the board name."},
        },
        ops=(Op("GET", "/rest/agile/1.0/board"),),
        handler=_list_boards,
    ),
    ToolSpec(
        name="list_sprints",
        title="List sprints of a board",
        description="The sprints of a scrum board, oldest first: id, name, state, dates, goal.",
        properties={
            "board": {**ID, "description": "Board id (list_boards)."},
            "state": {
                "type": "array",
                "items": {"type": "string", "enum": list(_STATES)},
                "description": "Only sprints in these states.",
            },
        },
        required=("board",),
        ops=(Op("GET", "/rest/agile/1.0/board/1/sprint"),),
        handler=_list_sprints,
    ),
    ToolSpec(
        name="sprint_issues",
        title="Issues of a sprint",
        description=(
            "The issues of a sprint, or with 'board' of that board's active sprint, one line each "
            "as search_issues shows them; 'jql' narrows, 'fields' adds fields by name. "
            "A cursor gives the next page."
        ),
        properties={
            "sprint": {**ID, "description": "Sprint id (list_sprints)."},
            "board": {**ID, "description": "Board id: its active sprint."},
            "jql": {"type": "string", "description": "Narrows the issues, e.g. 'status != Done'."},
            "fields": {"type": "array", "items": {"type": "string"}, "description": "Extra fields by name."},
            "limit": LIMIT,
            "cursor": CURSOR,
        },
        ops=(
            Op("GET", "/rest/agile/1.0/sprint/1/issue"),
            Op("GET", "/rest/agile/1.0/board/1/sprint"),
            Op("GET", "/rest/api/3/field"),
        ),
        handler=_sprint_issues,
    ),
    ToolSpec(
        name="move_to_sprint",
        title="Move issues to a sprint",
        description="Put issues (with their subtasks) into a future or active sprint.",
        properties={
            "sprint": {**ID, "description": "Sprint id (list_sprints)."},
            "keys": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": MOVE_MAX,
                "description": "Issue keys.",
            },
        },
        required=("sprint", "keys"),
        ops=(Op("POST", "/rest/agile/1.0/sprint/1/issue"),),
        handler=_move_to_sprint,
        read_only=False,
    ),
)
