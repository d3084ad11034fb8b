"""Saved filters: ``/rest/api/{version}/filter...`` (spec tag "Filters").

Create, read, update and delete a filter; list favourites, the caller's own
filters and (Cloud) the paginated ``filter/search``; star and unstar. A
filter is visible to its owner and to whoever its share permissions reach,
writable by its owner and whoever its edit permissions reach
(:func:`can_view` / :func:`can_edit`, also used by dashboards). Jira answers
an unknown or hidden filter with a 400, not a 404, and the filter's JQL is
validated by the JQL engine on create and update (``errors.jql``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import JiraHttpError, bad_request
from ..rendering.shapes import page_bean, render_project_ref, render_user
from ..state.model import ADMIN, BROWSE, Filter, Instance, User

__all__ = [
    "NOT_AVAILABLE",
    "ROUTES",
    "can_edit",
    "can_view",
    "order_key",
    "parse_expand",
    "parse_share_permissions",
    "render_filter",
    "render_share_permissions",
]

NOT_AVAILABLE = (
    "The selected filter is not available to you, perhaps it has been deleted or had its permissions changed."
)
DUPLICATE_NAME = "Filter with same name already exists."
NAME_REQUIRED = "You must specify a name to save this filter as."

# Share types Jira accepts in a request, and whom each reaches.
_SHARE_TYPES = ("global", "loggedin", "authenticated", "project", "projectRole", "group", "user")
# Groups only administrators belong to; every other group is read as "all users" (the
# sandbox has no group membership, and every demo user is in jira-users).
_ADMIN_GROUPS = frozenset({"administrators", "jira-administrators", "site-admins"})


# -- share permissions -----------------------------------------------------
def _reaches(share: dict[str, Any], user: User) -> bool:
    kind = share["type"]
    if kind in ("global", "loggedin", "authenticated"):
        return True
    if kind in ("project", "projectRole"):
        return user.can(BROWSE)
    if kind == "group":
        return user.can(ADMIN) if share.get("group") in _ADMIN_GROUPS else True
    if kind == "user":
        return share.get("user") == user.account_id
    return False


def can_view(owner: str, shares: list[dict[str, Any]], edits: list[dict[str, Any]], user: User) -> bool:
    """Whether ``user`` may see a shared entity (filter or dashboard)."""
    return owner == user.account_id or any(_reaches(s, user) for s in [*shares, *edits])


def can_edit(owner: str, edits: list[dict[str, Any]], user: User) -> bool:
    return owner == user.account_id or any(_reaches(s, user) for s in edits)


def parse_share_permissions(instance: Instance, raw: Any, field: str) -> list[dict[str, Any]]:
    """Request ``SharePermission`` objects -> stored dicts (400 on a bad one).

    Each gets a fresh id from the instance counter: share ids are unique instance-wide.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request(**{field: "The share permissions must be a list."})
    out: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in _SHARE_TYPES:
            kind = item.get("type") if isinstance(item, dict) else item
            raise bad_request(**{field: f"Invalid share permission type '{kind}'."})
        share: dict[str, Any] = {"id": 0, "type": item["type"]}
        if share["type"] == "authenticated":
            share["type"] = "loggedin"
        if share["type"] in ("project", "projectRole"):
            ref = (item.get("project") or {}).get("id") or (item.get("project") or {}).get("key")
            project = instance.find_project(ref) if ref is not None else None
            if project is None:
                raise bad_request(**{field: "The project specified for the share permission does not exist."})
            share["project"] = project.id
            if share["type"] == "projectRole":
                share["role"] = str((item.get("role") or {}).get("id", ""))
        elif share["type"] == "group":
            group = item.get("group") or {}
            name = group.get("name") or group.get("groupId") or item.get("groupname")
            if not name:
                raise bad_request(**{field: "A group must be specified for a group share permission."})
            share["group"] = str(name)
        elif share["type"] == "user":
            user_ref = item.get("user") or {}
            ref = user_ref.get("accountId") or user_ref.get("name") or user_ref.get("key")
            user = instance.find_user(str(ref)) if ref else None
            if user is None:
                raise bad_request(**{field: "The user specified for the share permission does not exist."})
            share["user"] = user.account_id
        out.append(share)
    for share in out:  # ids only once the whole list is valid
        share["id"] = instance.new_id()
    return out


def render_share_permissions(ctx: Ctx, shares: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for share in shares:
        item: dict[str, Any] = {"id": share["id"], "type": share["type"]}
        project = ctx.instance.projects.get(share.get("project", -1))
        if project is not None:
            item["project"] = render_project_ref(ctx, project)
        if "role" in share:
            item["role"] = {"self": ctx.api(f"/role/{share['role']}"), "id": share["role"]}
        if "group" in share:
            item["group"] = {"name": share["group"], "self": ctx.api(f"/group?groupname={share['group']}")}
        user = ctx.instance.users.get(share.get("user", ""))
        if user is not None:
            item["user"] = render_user(ctx, user)
        out.append(item)
    return out


# -- rendering ---------------------------------------------------------------
def _search_url(ctx: Ctx, jql: str) -> str:
    path = "/search/jql" if ctx.cloud else "/search"
    return ctx.api(f"{path}?jql={quote(jql, safe='')}")


def _view_url(ctx: Ctx, f: Filter) -> str:
    if ctx.cloud:
        return ctx.url(f"/issues/?filter={f.id}")
    return ctx.url(f"/secure/IssueNavigator.jspa?mode=hide&requestId={f.id}")


def _empty_list() -> dict[str, Any]:
    return {"size": 0, "items": [], "max-results": 0, "start-index": 0, "end-index": 0}


# Optional parts of a filter, by the ``expand`` name ``filter/search`` knows them under.
_PARTS: dict[str, Any] = {
    "description": lambda ctx, f: {"description": f.description} if f.description else {},
    "owner": lambda ctx, f: _owner(ctx, f),
    "jql": lambda ctx, f: {"jql": f.jql},
    "viewUrl": lambda ctx, f: {"viewUrl": _view_url(ctx, f)},
    "searchUrl": lambda ctx, f: {"searchUrl": _search_url(ctx, f.jql)},
    "favourite": lambda ctx, f: {"favourite": ctx.user.account_id in f.favourited_by},
    "favouritedCount": lambda ctx, f: {"favouritedCount": len(f.favourited_by)},
    "sharePermissions": lambda ctx, f: {
        "sharePermissions": render_share_permissions(ctx, f.share_permissions)
    },
    "editPermissions": lambda ctx, f: {"editPermissions": render_share_permissions(ctx, f.edit_permissions)},
    # Accepted expands the schema has no room for (isWritable) or that the sandbox does not
    # track (approximateLastUsed, which is omitted rather than null: the schema forbids null).
    "isWritable": lambda ctx, f: {},
    "approximateLastUsed": lambda ctx, f: {},
    "subscriptions": lambda ctx, f: {"subscriptions": _empty_list()},
}


def _owner(ctx: Ctx, f: Filter) -> dict[str, Any]:
    owner = ctx.instance.users.get(f.owner)
    return {"owner": render_user(ctx, owner)} if owner is not None else {}


def render_filter(ctx: Ctx, f: Filter, parts: frozenset[str] | None = None) -> dict[str, Any]:
    """A filter as Jira's ``Filter`` (``parts`` None: the full single-filter shape)."""
    out: dict[str, Any] = {"self": ctx.api(f"/filter/{f.id}"), "id": str(f.id), "name": f.name}
    if parts is not None:
        out = {"expand": ",".join(_PARTS), **out}
    for name, part in _PARTS.items():
        if parts is None or name in parts:
            out.update(part(ctx, f))
    if parts is None:
        out["sharedUsers"] = _empty_list()
    elif "subscriptions" in out:
        # filter/search's FilterDetails lists subscriptions as a plain array, where the
        # single-filter shape wraps them in a paged list.
        out["subscriptions"] = []
    return out


# -- lookups -----------------------------------------------------------------
def _visible(ctx: Ctx, f: Filter) -> bool:
    return can_view(f.owner, f.share_permissions, f.edit_permissions, ctx.user)


def _get(ctx: Ctx) -> Filter:
    raw = ctx.path("id")
    if not raw.isdigit():
        # The id is a numeric path parameter: anything else matches no resource (REST 404),
        # which is also what DC answers for the Cloud-only filter/my and filter/search.
        raise JiraHttpError(404, [f"No resource found for filter/{raw}"])
    f = ctx.instance.filters.get(int(raw))
    if f is None or not _visible(ctx, f):
        raise JiraHttpError(400, [NOT_AVAILABLE])
    return f


def _validate_jql(ctx: Ctx, jql: str) -> None:
    from ..jql import JqlError, compile_jql

    try:
        compile_jql(ctx.instance, jql, user=ctx.user, now=ctx.sandbox.clock.now())
    except JqlError as exc:
        # Jira reports a filter's JQL problems under the field, not as errorMessages.
        raise bad_request(jql=" ".join(exc.error_messages)) from None


def _check_name(ctx: Ctx, raw: Any, owner: str, exclude: int | None) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request(filterName=NAME_REQUIRED)
    name = raw.strip()
    for other in ctx.instance.filters.values():
        if other.owner == owner and other.id != exclude and other.name.lower() == name.lower():
            raise bad_request(filterName=DUPLICATE_NAME)
    return name


def _text(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise bad_request(**{key: f"The '{key}' must be a string."})
    return value


# -- endpoints ---------------------------------------------------------------
@endpoint("POST", "/rest/api/{version}/filter", "createFilter")
async def create_filter(ctx: Ctx) -> dict[str, Any]:
    user = ctx.user
    body = await ctx.body_object()
    name = _check_name(ctx, body.get("name"), user.account_id, None)
    jql = _text(body, "jql", "")
    _validate_jql(ctx, jql)
    shares = parse_share_permissions(ctx.instance, body.get("sharePermissions"), "sharePermissions")
    edits = parse_share_permissions(ctx.instance, body.get("editPermissions"), "editPermissions")
    fid = ctx.instance.new_id()
    f = Filter(
        id=fid,
        name=name,
        jql=jql,
        owner=user.account_id,
        description=_text(body, "description", ""),
        share_permissions=shares,
        edit_permissions=edits,
    )
    if body.get("favourite") is True:
        f.favourited_by.add(user.account_id)
    ctx.instance.filters[fid] = f
    return render_filter(ctx, f)


@endpoint("GET", "/rest/api/{version}/filter/{id}", "getFilter")
async def get_filter(ctx: Ctx) -> dict[str, Any]:
    return render_filter(ctx, _get(ctx))


@endpoint("PUT", "/rest/api/{version}/filter/{id}", "updateFilter")
async def update_filter(ctx: Ctx) -> dict[str, Any]:
    f = _get(ctx)
    user = ctx.user
    if not can_edit(f.owner, f.edit_permissions, user):
        raise JiraHttpError(400, [NOT_AVAILABLE])
    body = await ctx.body_object()
    name = _check_name(ctx, body.get("name", f.name), f.owner, f.id)
    jql = _text(body, "jql", f.jql)
    _validate_jql(ctx, jql)
    if "sharePermissions" in body:
        f.share_permissions = parse_share_permissions(
            ctx.instance, body["sharePermissions"], "sharePermissions"
        )
    if "editPermissions" in body:
        f.edit_permissions = parse_share_permissions(ctx.instance, body["editPermissions"], "editPermissions")
    f.name, f.jql = name, jql
    f.description = _text(body, "description", f.description)
    if body.get("favourite") is True:
        f.favourited_by.add(user.account_id)
    elif body.get("favourite") is False:
        f.favourited_by.discard(user.account_id)
    return render_filter(ctx, f)


@endpoint("DELETE", "/rest/api/{version}/filter/{id}", "deleteFilter")
async def delete_filter(ctx: Ctx) -> None:
    f = _get(ctx)
    if f.owner != ctx.user.account_id and not ctx.user.can(ADMIN):
        raise JiraHttpError(401, ["You don't have permission to delete this filter."])
    del ctx.instance.filters[f.id]


@endpoint("GET", "/rest/api/{version}/filter/favourite", "getFavouriteFilters")
async def favourite_filters(ctx: Ctx) -> list[dict[str, Any]]:
    me = ctx.user.account_id
    found = [f for f in ctx.instance.filters.values() if me in f.favourited_by and _visible(ctx, f)]
    return [render_filter(ctx, f) for f in sorted(found, key=lambda f: f.name.lower())]


@endpoint("GET", "/rest/api/{version}/filter/my", "getMyFilters", flavors=("cloud",))
async def my_filters(ctx: Ctx) -> list[dict[str, Any]]:
    me = ctx.user.account_id
    with_favourites = ctx.query_bool("includeFavourites", False)
    found = [
        f
        for f in ctx.instance.filters.values()
        if f.owner == me or (with_favourites and me in f.favourited_by and _visible(ctx, f))
    ]
    return [render_filter(ctx, f) for f in sorted(found, key=lambda f: f.name.lower())]


@endpoint("PUT", "/rest/api/{version}/filter/{id}/favourite", "setFavouriteForFilter", flavors=("cloud",))
async def set_favourite(ctx: Ctx) -> dict[str, Any]:
    f = _get(ctx)
    f.favourited_by.add(ctx.user.account_id)
    return render_filter(ctx, f)


@endpoint(
    "DELETE", "/rest/api/{version}/filter/{id}/favourite", "deleteFavouriteForFilter", flavors=("cloud",)
)
async def delete_favourite(ctx: Ctx) -> dict[str, Any]:
    f = _get(ctx)
    f.favourited_by.discard(ctx.user.account_id)
    return render_filter(ctx, f)


# ``orderBy`` keys of filter/search -> sort key (ties broken by id, as Jira's listing is stable).
_ORDER: dict[str, Any] = {
    "name": lambda ctx, f: f.name.lower(),
    "id": lambda ctx, f: f.id,
    "description": lambda ctx, f: f.description.lower(),
    "owner": lambda ctx, f: f.owner,
    "favourite_count": lambda ctx, f: len(f.favourited_by),
    "is_favourite": lambda ctx, f: ctx.user.account_id in f.favourited_by,
    "is_shared": lambda ctx, f: bool(f.share_permissions),
}


def order_key(ctx: Ctx, raw: str, table: dict[str, Any]) -> tuple[Any, bool]:
    """(key function, descending) for an ``orderBy`` value like ``-name`` (400 if unknown)."""
    field = raw.strip()
    desc = field.startswith("-")
    field = field.lstrip("+-")
    if field not in table:
        raise bad_request(orderBy=f"Invalid orderBy value '{raw}'.")
    return table[field], desc


def parse_expand(ctx: Ctx, known: frozenset[str]) -> frozenset[str]:
    parts = frozenset(ctx.query_list("expand") or ())
    unknown = sorted(parts - known)
    if unknown:
        raise bad_request(expand=f"Invalid expand value: {', '.join(unknown)}.")
    return parts


@endpoint("GET", "/rest/api/{version}/filter/search", "getFiltersPaginated", flavors=("cloud",))
async def search_filters(ctx: Ctx) -> dict[str, Any]:
    account_id, owner_name = ctx.query("accountId"), ctx.query("owner")
    if account_id and owner_name:
        raise bad_request("The parameters 'accountId' and 'owner' cannot be used together.")
    if owner_name:
        found_owner = ctx.instance.find_user(owner_name)
        account_id = found_owner.account_id if found_owner else "\x00"
    parts = parse_expand(ctx, frozenset(_PARTS))
    key, desc = order_key(ctx, ctx.query("orderBy") or "name", _ORDER)
    name_part = (ctx.query("filterName") or "").lower()
    ids = {int(i) for i in (ctx.query_list("id") or []) if i.isdigit()}
    project_id = ctx.query("projectId")
    found = [
        f
        for f in ctx.instance.filters.values()
        if _visible(ctx, f)
        and name_part in f.name.lower()
        and (not account_id or f.owner == account_id)
        and (not ids or f.id in ids)
        and (not project_id or any(str(s.get("project")) == project_id for s in f.share_permissions))
    ]
    found.sort(key=lambda f: f.id)
    found.sort(key=lambda f: key(ctx, f), reverse=desc)
    return page_bean(ctx, [render_filter(ctx, f, parts) for f in found], cap=100)


ROUTES = (
    create_filter,
    get_filter,
    update_filter,
    delete_filter,
    favourite_filters,
    my_filters,
    set_favourite,
    delete_favourite,
    search_filters,
)
