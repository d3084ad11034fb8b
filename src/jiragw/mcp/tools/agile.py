"""Boards and sprints (Jira Software, Agile REST API 1.0): two tools, to keep the tool list short.

``boards`` answers one line per board, or with ``board`` one line per sprint
of that board (the sprint ids ``search_issues`` takes as ``sprint = ID``;
a sprint's issues are a JQL search, so no tool of their own).
``move_to_sprint`` puts issues into a future or active sprint (the SDK sends
50 a call, as Jira requires).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from jiragw.errors import InvalidInput
from jiragw.jira.resources.agile import Board, Sprint, SprintState

from ..arguments import ISSUE_KEY, NUMERIC_ID, PROJECT_KEY
from ..render import joined, short_date
from ..tool import Call, Op, Result, ToolSpec

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


async def _boards(call: Call, args: Mapping[str, Any]) -> Result:
    if args.get("board") is None:
        if args.get("state"):
            raise InvalidInput("'state' filters a board's sprints: name the board too")
        return await _list_boards(call, args)
    if args.get("project") or args.get("query"):
        raise InvalidInput("name a board to list its sprints, or filter boards by project or query; not both")
    return await _list_sprints(call, args)


async def _move_to_sprint(call: Call, args: Mapping[str, Any]) -> Result:
    sprint_id = str(args["sprint"])
    keys = list(dict.fromkeys(str(k).strip() for k in args["keys"]))
    await call.jira.agile.move_to_sprint(sprint_id, keys)
    return Result(
        f"Moved {len(keys)} issues to sprint {sprint_id}: {', '.join(keys)}",
        {"sprint": int(sprint_id), "moved": keys},
    )


ID = NUMERIC_ID
MOVE_MAX = 200

TOOLS = (
    ToolSpec(
        name="boards",
        title="Boards and their sprints",
        description=(
            "Jira Software boards (id, name, scrum/kanban, project), optionally of one project; "
            "with 'board', that board's sprints instead (id, name, state, dates, goal), oldest first. "
            "A sprint's issues: search_issues with JQL 'sprint = ID' (or 'sprint in openSprints()')."
        ),
        properties={
            "project": {**PROJECT_KEY, "description": "Boards of this project (key or id)."},
            "query": {"type": "string", "description": "Boards whose name contains this."},
            "board": {**ID, "description": "A board id: list its sprints."},
            "state": {
                "type": "array",
                "items": {"type": "string", "enum": list(_STATES)},
                "description": "With 'board': only sprints in these states.",
            },
        },
        # The board list is a read no scope guards; a board's sprints are checked per request
        # (read:sprint:jira-software), so a key without it still lists boards.
        ops=(Op("GET", "/rest/agile/1.0/board"),),
        handler=_boards,
    ),
    ToolSpec(
        name="move_to_sprint",
        title="Move issues to a sprint",
        description="Put issues (with their subtasks) into a future or active sprint (ids: boards).",
        properties={
            "sprint": {**ID, "description": "Sprint id (boards with 'board')."},
            "keys": {
                "type": "array",
                "items": ISSUE_KEY,
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
