"""Dashboards: ``/rest/api/{version}/dashboard...`` (spec tag "Dashboards").

Both flavors list dashboards (``getAllDashboards``, the ``startAt`` /
``maxResults`` / ``filter=my|favourite`` page with ``prev``/``next`` links)
and read one. Cloud also has the paginated ``dashboard/search`` and create,
update, delete and copy. Every instance has a system dashboard (id 10000,
shared with everyone, owned by nobody, not editable), created on first use
by :func:`~jiragw.sandbox.state.defaults.ensure_default_dashboard`. Visibility and writability follow the
share and edit permissions, as for filters.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import JiraHttpError, bad_request, not_found
from ..rendering.shapes import page_bean, render_user
from ..state.defaults import SYSTEM_DASHBOARD_ID, SYSTEM_DASHBOARD_OWNER, ensure_default_dashboard
from ..state.model import Dashboard
from .filters import (
    can_edit,
    can_view,
    order_key,
    parse_expand,
    parse_share_permissions,
    render_share_permissions,
)

__all__ = ["ROUTES", "render_dashboard"]

# getAllDashboards: default page size and the largest Jira serves.
_LIST_DEFAULT, _LIST_CAP = 20, 1000


def _view_url(ctx: Ctx, d: Dashboard) -> str:
    if ctx.cloud:
        return ctx.url(f"/jira/dashboards/{d.id}")
    return ctx.url(f"/secure/Dashboard.jspa?selectPageId={d.id}")


def _writable(ctx: Ctx, d: Dashboard) -> bool:
    return d.owner != SYSTEM_DASHBOARD_OWNER and can_edit(d.owner, d.edit_permissions, ctx.user)


# A dashboard's owner is a ``UserBean``: the user reference without email or time zone.
_USER_BEAN_KEYS = ("self", "accountId", "key", "name", "displayName", "active", "avatarUrls")


def _owner(ctx: Ctx, d: Dashboard) -> dict[str, Any]:
    owner = ctx.instance.users.get(d.owner)
    if owner is None:
        return {}
    full = render_user(ctx, owner)
    return {"owner": {k: full[k] for k in _USER_BEAN_KEYS if k in full}}


# Optional parts of a dashboard, by the ``expand`` name ``dashboard/search`` knows them under.
_PARTS: dict[str, Any] = {
    "description": lambda ctx, d: {"description": d.description} if d.description else {},
    "owner": _owner,
    "viewUrl": lambda ctx, d: {"view": _view_url(ctx, d)},
    "favourite": lambda ctx, d: {"isFavourite": ctx.user.account_id in d.favourited_by},
    "favouritedCount": lambda ctx, d: {"popularity": len(d.favourited_by)},
    "sharePermissions": lambda ctx, d: {
        "sharePermissions": render_share_permissions(ctx, d.share_permissions)
    },
    "editPermissions": lambda ctx, d: {"editPermissions": render_share_permissions(ctx, d.edit_permissions)},
    "isWritable": lambda ctx, d: {"isWritable": _writable(ctx, d)},
}


def render_dashboard(ctx: Ctx, d: Dashboard, parts: frozenset[str] | None = None) -> dict[str, Any]:
    """A dashboard as Jira's ``Dashboard`` (``parts`` None: every part)."""
    out: dict[str, Any] = {"id": str(d.id), "name": d.name, "self": ctx.api(f"/dashboard/{d.id}")}
    for name, part in _PARTS.items():
        if parts is None or name in parts:
            out.update(part(ctx, d))
    if ctx.cloud:
        out["systemDashboard"] = d.id == SYSTEM_DASHBOARD_ID
        if ctx.user.account_id in d.favourited_by:
            out["rank"] = sorted(
                x.id for x in ctx.instance.dashboards.values() if ctx.user.account_id in x.favourited_by
            ).index(d.id)
    return out


def _visible(ctx: Ctx, d: Dashboard) -> bool:
    return can_view(d.owner, d.share_permissions, d.edit_permissions, ctx.user)


def _not_found(raw: str) -> JiraHttpError:
    return not_found(f"The dashboard with id '{raw}' does not exist.")


def _get(ctx: Ctx) -> Dashboard:
    ensure_default_dashboard(ctx.instance)
    raw = ctx.path("id")
    d = ctx.instance.dashboards.get(int(raw)) if raw.isdigit() else None
    if d is None or not _visible(ctx, d):
        raise _not_found(raw)
    return d


def _editable(ctx: Ctx) -> Dashboard:
    d = _get(ctx)
    if not _writable(ctx, d):
        raise JiraHttpError(403, ["You don't have permission to edit this dashboard."])
    return d


async def _details(ctx: Ctx) -> tuple[str, str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(name, description, shares, edits) from a ``DashboardDetails`` body."""
    body = await ctx.body_object()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request(name="The dashboard name must not be empty.")
    description = body.get("description") or ""
    if not isinstance(description, str):
        raise bad_request(description="The dashboard description must be a string.")
    shares = parse_share_permissions(ctx.instance, body.get("sharePermissions"), "sharePermissions")
    edits = parse_share_permissions(ctx.instance, body.get("editPermissions"), "editPermissions")
    return name.strip(), description, shares, edits


@endpoint("GET", "/rest/api/{version}/dashboard", "getAllDashboards")
async def all_dashboards(ctx: Ctx) -> dict[str, Any]:
    ensure_default_dashboard(ctx.instance)
    me = ctx.user.account_id
    which = ctx.query("filter")
    if which not in (None, "", "my", "favourite"):
        raise bad_request(f"The 'filter' parameter must be 'my' or 'favourite', not '{which}'.")
    found = [
        d
        for d in sorted(ctx.instance.dashboards.values(), key=lambda d: d.id)
        if _visible(ctx, d)
        and (which != "my" or d.owner == me)
        and (which != "favourite" or me in d.favourited_by)
    ]
    start = ctx.query_int("startAt", 0)
    size = min(ctx.query_int("maxResults", _LIST_DEFAULT), _LIST_CAP)
    out: dict[str, Any] = {
        "startAt": start,
        "maxResults": size,
        "total": len(found),
        "dashboards": [render_dashboard(ctx, d) for d in found[start : start + size]],
    }
    url = ctx.request.url
    if start > 0:
        out["prev"] = str(url.include_query_params(startAt=max(0, start - size)))
    if start + size < len(found):
        out["next"] = str(url.include_query_params(startAt=start + size))
    return out


# ``orderBy`` keys of dashboard/search (Jira spells these "favorite", unlike filter/search).
_ORDER: dict[str, Any] = {
    "name": lambda ctx, d: d.name.lower(),
    "id": lambda ctx, d: d.id,
    "description": lambda ctx, d: d.description.lower(),
    "owner": lambda ctx, d: d.owner,
    "favorite_count": lambda ctx, d: len(d.favourited_by),
    "is_favorite": lambda ctx, d: ctx.user.account_id in d.favourited_by,
}


@endpoint("GET", "/rest/api/{version}/dashboard/search", "getDashboardsPaginated", flavors=("cloud",))
async def search_dashboards(ctx: Ctx) -> dict[str, Any]:
    ensure_default_dashboard(ctx.instance)
    account_id, owner_name = ctx.query("accountId"), ctx.query("owner")
    if account_id and owner_name:
        raise bad_request("The parameters 'accountId' and 'owner' cannot be used together.")
    if owner_name:
        found_owner = ctx.instance.find_user(owner_name)
        account_id = found_owner.account_id if found_owner else "\x00"
    parts = parse_expand(ctx, frozenset(_PARTS))
    key, desc = order_key(ctx, ctx.query("orderBy") or "name", _ORDER)
    status = ctx.query("status") or "active"
    if status not in ("active", "archived", "deleted"):
        raise bad_request(status=f"Invalid status '{status}'.")
    name_part = (ctx.query("dashboardName") or "").lower()
    project_id = ctx.query("projectId")
    found = [
        d
        for d in ctx.instance.dashboards.values()
        if status == "active"  # nothing is ever archived or soft-deleted here
        and _visible(ctx, d)
        and name_part in d.name.lower()
        and (not account_id or d.owner == account_id)
        and (not project_id or any(str(s.get("project")) == project_id for s in d.share_permissions))
    ]
    found.sort(key=lambda d: d.id)
    found.sort(key=lambda d: key(ctx, d), reverse=desc)
    return page_bean(ctx, [render_dashboard(ctx, d, parts) for d in found], cap=100)


@endpoint("GET", "/rest/api/{version}/dashboard/{id}", "getDashboard")
async def get_dashboard(ctx: Ctx) -> dict[str, Any]:
    return render_dashboard(ctx, _get(ctx))


@endpoint("POST", "/rest/api/{version}/dashboard", "createDashboard", flavors=("cloud",))
async def create_dashboard(ctx: Ctx) -> dict[str, Any]:
    ensure_default_dashboard(ctx.instance)
    name, description, shares, edits = await _details(ctx)
    did = ctx.instance.new_id()
    d = Dashboard(
        id=did,
        name=name,
        owner=ctx.user.account_id,
        description=description,
        share_permissions=shares,
        edit_permissions=edits,
    )
    ctx.instance.dashboards[did] = d
    return render_dashboard(ctx, d)


@endpoint("PUT", "/rest/api/{version}/dashboard/{id}", "updateDashboard", flavors=("cloud",))
async def update_dashboard(ctx: Ctx) -> dict[str, Any]:
    d = _editable(ctx)
    d.name, d.description, d.share_permissions, d.edit_permissions = await _details(ctx)
    return render_dashboard(ctx, d)


@endpoint("DELETE", "/rest/api/{version}/dashboard/{id}", "deleteDashboard", flavors=("cloud",))
async def delete_dashboard(ctx: Ctx) -> None:
    d = _editable(ctx)
    if d.owner != ctx.user.account_id:
        raise JiraHttpError(403, ["Only the owner of a dashboard can delete it."])
    del ctx.instance.dashboards[d.id]


@endpoint("POST", "/rest/api/{version}/dashboard/{id}/copy", "copyDashboard", flavors=("cloud",))
async def copy_dashboard(ctx: Ctx) -> dict[str, Any]:
    _get(ctx)  # any dashboard the caller can see may be copied
    name, description, shares, edits = await _details(ctx)
    did = ctx.instance.new_id()
    copy = Dashboard(
        id=did,
        name=name,
        owner=ctx.user.account_id,
        description=description,
        share_permissions=shares,
        edit_permissions=edits,
    )
    ctx.instance.dashboards[did] = copy
    return render_dashboard(ctx, copy)


ROUTES = (
    all_dashboards,
    search_dashboards,
    get_dashboard,
    create_dashboard,
    update_dashboard,
    delete_dashboard,
    copy_dashboard,
)
