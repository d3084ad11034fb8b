"""Jira Software's shapes: boards, sprints, and the sprint field's value inside an issue.

Shapes follow the Software spec's ``Board``, ``BoardConfigBean`` and
``SprintBean`` schemas. Agile 1.0 writes sprint timestamps in ISO 8601 with
milliseconds: ``Z`` on Cloud, a ``+00:00`` offset on Data Center. Inside an
issue the sprint custom field is, on Cloud, a list of sprint objects; Data
Center's platform REST API still answers with the ``toString()`` of
GreenHopper's sprint class, one string per sprint, which clients parse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..http.context import Ctx
from ..state.model import Board, Sprint
from .shapes import avatar_urls

__all__ = [
    "agile_url",
    "render_board",
    "render_sprint",
    "sprint_datetime",
    "sprint_field_value",
]


def agile_url(ctx: Ctx, rel: str) -> str:
    """An Agile 1.0 link under the instance the caller used, e.g. ``agile_url(ctx, "/board/1")``."""
    return f"{ctx.base}/rest/agile/1.0{rel}"


def sprint_datetime(ctx: Ctx, value: datetime) -> str:
    stamp = value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if ctx.cloud:
        return stamp + "Z"
    offset = value.strftime("%z") or "+0000"
    return f"{stamp}{offset[:3]}:{offset[3:]}"


def render_board(ctx: Ctx, board: Board) -> dict[str, Any]:
    """A board as ``Board``: id, links, type and the project it is located in."""
    out: dict[str, Any] = {
        "id": board.id,
        "self": agile_url(ctx, f"/board/{board.id}"),
        "name": board.name,
        "type": board.type,
    }
    project = ctx.instance.projects.get(board.project_id)
    if project is not None:
        shown = f"{project.name} ({project.key})"
        out["location"] = {
            "projectId": project.id,
            "displayName": shown,
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": project.project_type_key,
            "avatarURI": avatar_urls(ctx, "project", str(project.id))["48x48"],
            "name": shown,
        }
    if ctx.cloud:
        out["isPrivate"] = False
    return out


def render_sprint(ctx: Ctx, sprint: Sprint) -> dict[str, Any]:
    """A sprint as ``SprintBean`` (dates only once the sprint has them)."""
    out: dict[str, Any] = {
        "id": sprint.id,
        "self": agile_url(ctx, f"/sprint/{sprint.id}"),
        "state": sprint.state,
        "name": sprint.name,
    }
    for key, value in (
        ("startDate", sprint.start_date),
        ("endDate", sprint.end_date),
        ("completeDate", sprint.complete_date),
        ("createdDate", sprint.created),
    ):
        if value is not None:
            out[key] = sprint_datetime(ctx, value)
    out["originBoardId"] = sprint.board_id
    out["goal"] = sprint.goal
    return out


def _sprint_string(ctx: Ctx, sprint: Sprint) -> str:
    """Data Center's ``Sprint.toString()``, as its REST v2 puts it in the sprint field."""

    def when(value: datetime | None) -> str:
        return "<null>" if value is None else sprint_datetime(ctx, value)

    parts = (
        f"id={sprint.id}",
        f"rapidViewId={sprint.board_id}",
        f"state={sprint.state.upper()}",
        f"name={sprint.name}",
        f"startDate={when(sprint.start_date)}",
        f"endDate={when(sprint.end_date)}",
        f"completeDate={when(sprint.complete_date)}",
        f"activatedDate={when(sprint.start_date if sprint.state != 'future' else None)}",
        f"sequence={sprint.id}",
        f"goal={sprint.goal}",
        "autoStartStop=false",
        "synced=false",
    )
    return f"com.atlassian.greenhopper.service.sprint.Sprint@{sprint.id:x}[{','.join(parts)}]"


def sprint_field_value(ctx: Ctx, sprint_ids: list[int]) -> list[Any] | None:
    """The sprint custom field of an issue in ``sprint_ids`` (None when in no sprint)."""
    sprints = [s for sid in sprint_ids if (s := ctx.instance.sprints.get(sid)) is not None]
    if not sprints:
        return None
    if not ctx.cloud:
        return [_sprint_string(ctx, s) for s in sprints]
    out = []
    for s in sprints:
        item: dict[str, Any] = {"id": s.id, "name": s.name, "state": s.state, "boardId": s.board_id}
        item["goal"] = s.goal
        for key, value in (
            ("startDate", s.start_date),
            ("endDate", s.end_date),
            ("completeDate", s.complete_date),
        ):
            if value is not None:
                item[key] = sprint_datetime(ctx, value)
        out.append(item)
    return out
