"""Instance-wide metadata: priorities, statuses, status categories, issue types, resolutions.

Implements ``getPriorities``, ``getPriority``, ``searchPriorities`` (Cloud),
``getStatuses``, ``getStatus``, ``getStatusCategories``, ``getStatusCategory``,
``getIssueAllTypes``, ``getIssueType``, ``getResolutions``, ``getResolution``
and ``searchResolutions`` (Cloud). Any signed-in user may read them, as in Jira.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import not_found
from ..rendering.shapes import (
    page_bean,
    render_issue_type,
    render_priority,
    render_status,
    render_status_category,
)
from ..state.model import Priority, Resolution

# Status categories as (id, key), in Jira's order. Id 1 is Jira's "No Category",
# which no status uses but the list still shows.
_CATEGORIES: tuple[tuple[int, str], ...] = ((1, "undefined"), (2, "new"), (4, "indeterminate"), (3, "done"))
_UNDEFINED = {"id": 1, "key": "undefined", "colorName": "medium-gray", "name": "No Category"}


def _priority(ctx: Ctx, priority: Priority) -> dict[str, Any]:
    out = render_priority(ctx, priority)
    out["statusColor"] = priority.color
    out["description"] = priority.description or priority.name
    if ctx.cloud:
        out["isDefault"] = priority.id == ctx.instance.default_priority_id
    return out


def _resolution(ctx: Ctx, resolution: Resolution) -> dict[str, Any]:
    return {
        "self": ctx.api(f"/resolution/{resolution.id}"),
        "id": resolution.id,
        "description": resolution.description,
        "name": resolution.name,
    }


@endpoint("GET", "/rest/api/{version}/priority", "getPriorities")
async def get_priorities(ctx: Ctx) -> list[dict[str, Any]]:
    return [_priority(ctx, p) for p in ctx.instance.priorities.values()]


@endpoint("GET", "/rest/api/{version}/priority/search", "searchPriorities", flavors=("cloud",))
async def search_priorities(ctx: Ctx) -> dict[str, Any]:
    priorities = list(ctx.instance.priorities.values())
    ids = ctx.query_list("id")
    if ids is not None:
        priorities = [p for p in priorities if p.id in ids]
    name = (ctx.query("priorityName") or "").lower()
    if name:
        priorities = [p for p in priorities if name in p.name.lower()]
    if ctx.query_bool("onlyDefault", False):
        priorities = [p for p in priorities if p.id == ctx.instance.default_priority_id]
    return page_bean(ctx, [_priority(ctx, p) for p in priorities])


@endpoint("GET", "/rest/api/{version}/priority/{id}", "getPriority")
async def get_priority(ctx: Ctx) -> dict[str, Any]:
    pid = ctx.path("id")
    priority = ctx.instance.priorities.get(pid)
    if priority is None:
        raise not_found(f"The priority with id '{pid}' does not exist")
    return _priority(ctx, priority)


@endpoint("GET", "/rest/api/{version}/status", "getStatuses")
async def get_statuses(ctx: Ctx) -> list[dict[str, Any]]:
    return [render_status(ctx, s) for s in ctx.instance.statuses.values()]


@endpoint("GET", "/rest/api/{version}/status/{idOrName}", "getStatus")
async def get_status(ctx: Ctx) -> dict[str, Any]:
    ref = ctx.path("idOrName")
    statuses = ctx.instance.statuses
    status = statuses.get(ref) or next((s for s in statuses.values() if s.name.lower() == ref.lower()), None)
    if status is None:
        raise not_found(f"The status with id '{ref}' does not exist")
    return render_status(ctx, status)


def _category(ctx: Ctx, cid: int, key: str) -> dict[str, Any]:
    if key == "undefined":
        return {"self": ctx.api(f"/statuscategory/{cid}"), **_UNDEFINED}
    return render_status_category(ctx, key)


@endpoint("GET", "/rest/api/{version}/statuscategory", "getStatusCategories")
async def get_status_categories(ctx: Ctx) -> list[dict[str, Any]]:
    return [_category(ctx, cid, key) for cid, key in _CATEGORIES]


@endpoint("GET", "/rest/api/{version}/statuscategory/{idOrKey}", "getStatusCategory")
async def get_status_category(ctx: Ctx) -> dict[str, Any]:
    ref = ctx.path("idOrKey")
    for cid, key in _CATEGORIES:
        if ref == str(cid) or ref.lower() == key:
            return _category(ctx, cid, key)
    raise not_found(f"The status category with id or key '{ref}' does not exist")


@endpoint("GET", "/rest/api/{version}/issuetype", "getIssueAllTypes")
async def get_issue_all_types(ctx: Ctx) -> list[dict[str, Any]]:
    return [render_issue_type(ctx, t) for t in ctx.instance.issue_types.values()]


@endpoint("GET", "/rest/api/{version}/issuetype/{id}", "getIssueType")
async def get_issue_type(ctx: Ctx) -> dict[str, Any]:
    tid = ctx.path("id")
    issue_type = ctx.instance.issue_types.get(tid)
    if issue_type is None:
        raise not_found(f"The issue type with id '{tid}' does not exist.")
    return render_issue_type(ctx, issue_type)


@endpoint("GET", "/rest/api/{version}/resolution", "getResolutions")
async def get_resolutions(ctx: Ctx) -> list[dict[str, Any]]:
    return [_resolution(ctx, r) for r in ctx.instance.resolutions.values()]


@endpoint("GET", "/rest/api/{version}/resolution/search", "searchResolutions", flavors=("cloud",))
async def search_resolutions(ctx: Ctx) -> dict[str, Any]:
    resolutions = list(ctx.instance.resolutions.values())
    ids = ctx.query_list("id")
    if ids is not None:
        resolutions = [r for r in resolutions if r.id in ids]
    # The sandbox has no default resolution, so onlyDefault finds none.
    if ctx.query_bool("onlyDefault", False):
        resolutions = []
    return page_bean(ctx, [{**_resolution(ctx, r), "default": False} for r in resolutions])


@endpoint("GET", "/rest/api/{version}/resolution/{id}", "getResolution")
async def get_resolution(ctx: Ctx) -> dict[str, Any]:
    rid = ctx.path("id")
    resolution = ctx.instance.resolutions.get(rid)
    if resolution is None:
        raise not_found(f"The resolution with id '{rid}' does not exist")
    return _resolution(ctx, resolution)


ROUTES = (
    get_priorities,
    search_priorities,
    get_priority,
    get_statuses,
    get_status,
    get_status_categories,
    get_status_category,
    get_issue_all_types,
    get_issue_type,
    get_resolutions,
    search_resolutions,
    get_resolution,
)
