"""Jira Software's shapes: boards, sprints, epics, and the Agile fields of an issue.

Shapes follow the Software spec's ``Board``, ``BoardConfigBean`` and
``SprintBean`` schemas, and its examples of an epic and of the Agile fields
(``sprint``, ``closedSprints``, ``flagged``, ``epic``) that Agile 1.0 adds to
the issues it returns. Agile 1.0 writes sprint timestamps in ISO 8601 with
milliseconds: ``Z`` on Cloud, a ``+00:00`` offset on Data Center. Inside an
issue the sprint custom field is, on Cloud, a list of sprint objects; Data
Center's platform REST API still answers with the ``toString()`` of
GreenHopper's sprint class, one string per sprint, which clients parse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..http.context import Ctx
from ..state.defaults import SPRINT_FIELD_ID
from ..state.model import Board, Issue, Sprint
from .shapes import avatar_urls

__all__ = [
    "agile_fields",
    "agile_url",
    "is_epic",
    "render_board",
    "render_epic",
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


def is_epic(ctx: Ctx, issue: Issue) -> bool:
    """Whether ``issue`` is an epic (its type sits one level above standard issues)."""
    issue_type = ctx.instance.issue_types.get(issue.issue_type_id)
    return issue_type is not None and issue_type.hierarchy_level == 1


def render_epic(ctx: Ctx, epic: Issue) -> dict[str, Any]:
    """An epic as Agile 1.0 answers it (the sandbox's epic name is its summary)."""
    status = ctx.instance.statuses.get(epic.status_id)
    return {
        "id": epic.id,
        "key": epic.key,
        "self": agile_url(ctx, f"/epic/{epic.id}"),
        "name": epic.summary,
        "summary": epic.summary,
        "color": {"key": f"color_{epic.id % 14 + 1}"},
        "done": status is not None and status.category == "done",
    }


_AGILE_FIELDS = ("sprint", "closedSprints", "flagged", "epic")


def agile_fields(ctx: Ctx, issue: Issue, wanted: Callable[[str], bool]) -> dict[str, Any]:
    """The Agile fields ``wanted`` of ``issue``: its open sprint, closed sprints, flag and epic."""
    sprints = [
        s
        for sid in issue.custom.get(f"customfield_{SPRINT_FIELD_ID}") or ()
        if (s := ctx.instance.sprints.get(sid))
    ]
    open_sprints = sorted((s for s in sprints if s.state != "closed"), key=lambda s: s.state != "active")
    parent = ctx.instance.issues.get(issue.parent_id) if issue.parent_id is not None else None
    values: dict[str, Any] = {
        "sprint": render_sprint(ctx, open_sprints[0]) if open_sprints else None,
        "closedSprints": [render_sprint(ctx, s) for s in sprints if s.state == "closed"],
        "flagged": False,  # the sandbox does not model flags
        "epic": render_epic(ctx, parent) if parent is not None and is_epic(ctx, parent) else None,
    }
    return {name: values[name] for name in _AGILE_FIELDS if wanted(name)}
