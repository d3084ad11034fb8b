"""JSON shapes shared by many endpoints: users, statuses, priorities, types, projects.

Also the avatar images their ``avatarUrls`` point at (:func:`avatar_image`).

Shapes follow the schemas of Jira's published OpenAPI specifications (``User``,
``StatusDetails``, ``Priority``, ``IssueTypeDetails``, ``Project``). DC differs from Cloud the way
real Data Center does: users carry ``name``/``key``, Cloud users ``accountId``.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import date, datetime
from typing import Any

from starlette.responses import Response

from ..http.context import Ctx
from ..state.model import IssueType, Priority, Project, StatusDef, User

__all__ = [
    "avatar_image",
    "avatar_urls",
    "jira_date",
    "jira_datetime",
    "page_bean",
    "render_issue_type",
    "render_priority",
    "render_project_ref",
    "render_status",
    "render_status_category",
    "render_user",
]

_CATEGORIES = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}


def jira_datetime(value: datetime) -> str:
    """Jira's timestamp format: ``2024-01-31T09:15:00.000+0000``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}" + value.strftime("%z")


def jira_date(value: date) -> str:
    return value.isoformat()


def avatar_urls(ctx: Ctx, kind: str, ident: str) -> dict[str, str]:
    base = ctx.url(f"/secure/{kind}avatar?avatarId={ident}")
    return {f"{n}x{n}": f"{base}&size={n}" for n in (48, 24, 16, 32)}


# Jira's named avatar sizes (``?size=large``) next to the pixel sizes the sandbox links to.
_AVATAR_SIZES = {"xsmall": 16, "small": 24, "medium": 32, "large": 48, "xlarge": 64}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def avatar_image(ctx: Ctx) -> Response:
    """The picture an ``avatarUrls`` link shows: a square PNG of one colour per ``avatarId``.

    Jira answers every avatar id, a default picture for an unknown one; the
    size is ``size`` in pixels or by name, 48 otherwise (at most 128).
    """
    size_param = ctx.query("size") or ""
    size = int(size_param) if size_param.isdigit() else _AVATAR_SIZES.get(size_param, 48)
    size = min(max(size, 1), 128)
    red, green, blue = hashlib.sha256((ctx.query("avatarId") or "").encode()).digest()[:3]
    row = b"\x00" + bytes((red, green, blue)) * size  # filter byte, then RGB pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(row * size))
    return Response(png + _chunk(b"IEND", b""), media_type="image/png")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def render_user(ctx: Ctx, user: User, *, full: bool = False) -> dict[str, Any]:
    """A user reference (``UserDetails``); ``full`` adds the ``User`` extras."""
    out: dict[str, Any]
    if ctx.cloud:
        out = {
            "self": ctx.api(f"/user?accountId={user.account_id}"),
            "accountId": user.account_id,
            "accountType": "atlassian",
            "emailAddress": user.email,
            "avatarUrls": avatar_urls(ctx, "user", user.account_id),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
        }
    else:
        out = {
            "self": ctx.api(f"/user?username={user.username}"),
            "name": user.username,
            "key": user.username,
            "emailAddress": user.email,
            "avatarUrls": avatar_urls(ctx, "user", user.username),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
        }
    if full:
        out["locale"] = user.locale
        out["groups"] = {"size": 1, "items": []}
        out["applicationRoles"] = {"size": 1, "items": []}
        out["expand"] = "groups,applicationRoles"
    return out


def render_status_category(ctx: Ctx, category: str) -> dict[str, Any]:
    cid, name, color = _CATEGORIES[category]
    return {
        "self": ctx.api(f"/statuscategory/{cid}"),
        "id": cid,
        "key": category,
        "colorName": color,
        "name": name,
    }


def render_status(ctx: Ctx, status: StatusDef) -> dict[str, Any]:
    return {
        "self": ctx.api(f"/status/{status.id}"),
        "description": status.description,
        "iconUrl": ctx.url("/images/icons/statuses/generic.png"),
        "name": status.name,
        "id": status.id,
        "statusCategory": render_status_category(ctx, status.category),
    }


def render_priority(ctx: Ctx, priority: Priority) -> dict[str, Any]:
    return {
        "self": ctx.api(f"/priority/{priority.id}"),
        "iconUrl": ctx.url(f"/images/icons/priorities/{priority.name.lower()}.svg"),
        "name": priority.name,
        "id": priority.id,
    }


def render_issue_type(ctx: Ctx, issue_type: IssueType) -> dict[str, Any]:
    out: dict[str, Any] = {
        "self": ctx.api(f"/issuetype/{issue_type.id}"),
        "id": issue_type.id,
        "description": issue_type.description,
        "iconUrl": ctx.url(f"/images/icons/issuetypes/{issue_type.name.lower()}.svg"),
        "name": issue_type.name,
        "subtask": issue_type.subtask,
        "avatarId": 10300 + int(issue_type.id) % 100,
    }
    if ctx.cloud:
        out["hierarchyLevel"] = issue_type.hierarchy_level
    return out


def render_project_ref(ctx: Ctx, project: Project) -> dict[str, Any]:
    """The compact project shape embedded in issues and lists."""
    out: dict[str, Any] = {
        "self": ctx.api(f"/project/{project.id}"),
        "id": str(project.id),
        "key": project.key,
        "name": project.name,
        "projectTypeKey": project.project_type_key,
        "avatarUrls": avatar_urls(ctx, "project", str(project.id)),
    }
    if ctx.cloud:
        out["simplified"] = False
    return out


def page_bean(ctx: Ctx, items: list[Any], *, default_max: int = 50, cap: int = 100) -> dict[str, Any]:
    """Slice ``items`` by ``startAt``/``maxResults`` into Jira's PageBean shape.

    ``maxResults`` above ``cap`` is silently lowered to ``cap``, as Jira does.
    """
    start = ctx.query_int("startAt", 0)
    size = min(ctx.query_int("maxResults", default_max), cap)
    values = items[start : start + size]
    is_last = start + size >= len(items)
    out: dict[str, Any] = {
        "self": str(ctx.request.url),
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": is_last,
        "values": values,
    }
    if not is_last:
        out["nextPage"] = str(ctx.request.url.include_query_params(startAt=start + size))
    return out
