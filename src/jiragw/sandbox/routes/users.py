"""Users: get one, search, assignable-user search, bulk get and the user picker.

Implements ``getUser``, ``findUsers``, ``findAssignableUsers``,
``findBulkAssignableUsers``, ``bulkGetUsers`` (Cloud), ``getAllUsers``/``getAllUsersDefault`` (Cloud's
``users/search`` and ``users``: every user, inactive ones too, paged by ``startAt``/``maxResults``)
and ``findUsersForPicker``; outside the REST API, the ``/secure/useravatar``
servlet that users' ``avatarUrls`` point at.

Cloud and DC name users differently, as the real products do: Cloud takes
``accountId`` and a free-text ``query`` (and refuses ``username`` as Cloud's
GDPR strict mode does); DC takes ``username``/``key``, and its searches
take the search string in ``username``.

A search string matches a user when it is a case-insensitive prefix of a word
of the display name, of the email address or (DC) of the username.

*Assignable* users: Jira asks for the ASSIGNABLE_USER project permission; the
sandbox, whose permissions are global, counts an active user as assignable
when they may browse projects and edit or transition issues.
"""

from __future__ import annotations

import html
from typing import Any

from starlette.responses import Response

from ..http.context import Ctx
from ..http.endpoints import endpoint, servlet
from ..http.errors import bad_request, not_found
from ..issues.fields import visible_issue
from ..rendering.shapes import avatar_image, avatar_urls, page_bean, render_user
from ..state.model import BROWSE, EDIT, TRANSITION, User
from .project_access import find_project

_SEARCH_CAP = 1000  # Jira returns at most 1000 users per search page
_GDPR = "The query parameter 'username' is not supported in GDPR strict mode."


def _candidates(ctx: Ctx, user: User) -> list[str]:
    words = [*user.display_name.lower().split(), user.display_name.lower(), user.email.lower()]
    if not ctx.cloud:
        words.append(user.username.lower())
    return words


def _matches(ctx: Ctx, user: User, query: str) -> bool:
    low = query.strip().lower()
    return not low or any(word.startswith(low) for word in _candidates(ctx, user))


def _sorted(users: list[User]) -> list[User]:
    return sorted(users, key=lambda u: (u.display_name.lower(), u.username))


def _plain_page(ctx: Ctx, users: list[User]) -> list[dict[str, Any]]:
    """A plain JSON list sliced by startAt/maxResults (user searches do not use PageBean)."""
    start = ctx.query_int("startAt", 0)
    size = min(ctx.query_int("maxResults", 50), _SEARCH_CAP)
    return [render_user(ctx, u) for u in users[start : start + size]]


def _search_term(ctx: Ctx) -> str:
    """The search string: Cloud's ``query``, DC's ``username``."""
    if ctx.cloud:
        if ctx.query("username") is not None:
            raise bad_request(_GDPR)
        return ctx.query("query") or ""
    return ctx.query("username") or ""


def _assignable(user: User) -> bool:
    return user.active and user.can(BROWSE) and (user.can(EDIT) or user.can(TRANSITION))


@endpoint("GET", "/rest/api/{version}/user", "getUser")
async def get_user(ctx: Ctx) -> dict[str, Any]:
    instance = ctx.instance
    if ctx.cloud:
        if ctx.query("username") is not None or ctx.query("key") is not None:
            raise bad_request(_GDPR)
        account_id = ctx.query("accountId")
        if not account_id:
            raise bad_request("The 'accountId' query parameter needs to be provided.")
        user = instance.users.get(account_id)
        if user is None:
            raise not_found("Specified user does not exist or you do not have required permissions")
        return render_user(ctx, user, full=True)
    username, key = ctx.query("username"), ctx.query("key")
    ref = username or key
    if not ref:
        raise bad_request("Either the 'username' or the 'key' query parameter must be provided.")
    found = instance.user_by_username.get(ref.lower())
    if found is None:
        what = f"The user named '{ref}'" if username else f"The user with the key '{ref}'"
        raise not_found(f"{what} does not exist")
    return render_user(ctx, instance.users[found], full=True)


@endpoint("GET", "/rest/api/{version}/user/search", "findUsers")
async def find_users(ctx: Ctx) -> list[dict[str, Any]]:
    users = list(ctx.instance.users.values())
    if ctx.cloud:
        term = _search_term(ctx)
        account_id = ctx.query("accountId")
        if not term and not account_id and ctx.query("property") is None:
            raise bad_request("One of 'accountId', 'query' or 'property' query parameters must be provided.")
        if account_id:
            users = [u for u in users if u.account_id == account_id]
        # Cloud's user search lists active users only.
        users = [u for u in users if u.active and _matches(ctx, u, term)]
    else:
        term = ctx.query("username") or ""
        if not term:
            raise bad_request("The username query parameter was not provided")
        active, inactive = ctx.query_bool("includeActive", True), ctx.query_bool("includeInactive", False)
        users = [u for u in users if (active if u.active else inactive) and _matches(ctx, u, term)]
    return _plain_page(ctx, _sorted(users))


@endpoint("GET", "/rest/api/{version}/users", "getAllUsersDefault", flavors=("cloud",))
@endpoint("GET", "/rest/api/{version}/users/search", "getAllUsers", flavors=("cloud",))
async def get_all_users(ctx: Ctx) -> list[dict[str, Any]]:
    # Every user, inactive ones too, unlike the searches (DC lists users through findUsers).
    return _plain_page(ctx, _sorted(list(ctx.instance.users.values())))


def _filter_assignable(ctx: Ctx, term: str) -> list[User]:
    users = [u for u in ctx.instance.users.values() if _assignable(u) and _matches(ctx, u, term)]
    account_id = ctx.query("accountId") if ctx.cloud else None
    if account_id:
        users = [u for u in users if u.account_id == account_id]
    return _sorted(users)


@endpoint("GET", "/rest/api/{version}/user/assignable/search", "findAssignableUsers")
async def find_assignable_users(ctx: Ctx) -> list[dict[str, Any]]:
    term = _search_term(ctx)
    project_ref = ctx.query("project")
    issue_ref = ctx.query("issueKey") or ctx.query("issueId")
    if not project_ref and not issue_ref:
        raise bad_request("One of the 'project', 'issueKey' or 'issueId' query parameters must be provided.")
    if issue_ref:
        visible_issue(ctx, issue_ref)
    if project_ref:
        find_project(ctx, project_ref)
    return _plain_page(ctx, _filter_assignable(ctx, term))


@endpoint("GET", "/rest/api/{version}/user/assignable/multiProjectSearch", "findBulkAssignableUsers")
async def find_bulk_assignable_users(ctx: Ctx) -> list[dict[str, Any]]:
    term = _search_term(ctx)
    keys = ctx.query_list("projectKeys")
    if not keys:
        raise bad_request("The 'projectKeys' query parameter must be provided.")
    for key in keys:
        find_project(ctx, key)  # each must exist; permissions are global, so they all agree
    return _plain_page(ctx, _filter_assignable(ctx, term))


@endpoint("GET", "/rest/api/{version}/user/bulk", "bulkGetUsers", flavors=("cloud",))
async def bulk_get_users(ctx: Ctx) -> dict[str, Any]:
    ids = ctx.query_list("accountId")
    if not ids:
        raise bad_request("The 'accountId' query parameter must be provided.")
    users = ctx.instance.users
    found = [users[a] for a in dict.fromkeys(ids) if a in users]
    return page_bean(ctx, [render_user(ctx, u) for u in found], default_max=10, cap=200)


def _highlight(text: str, term: str) -> str:
    """``text`` HTML-escaped with each word's ``term`` prefix in ``<strong>``, as the picker shows it."""
    low = term.lower()
    out = []
    for word in text.split(" "):
        if low and word.lower().startswith(low):
            out.append(f"<strong>{html.escape(word[: len(low)])}</strong>{html.escape(word[len(low) :])}")
        else:
            out.append(html.escape(word))
    return " ".join(out)


@endpoint("GET", "/rest/api/{version}/user/picker", "findUsersForPicker")
async def find_users_for_picker(ctx: Ctx) -> dict[str, Any]:
    term = ctx.query("query")
    if term is None:
        raise bad_request("The 'query' query parameter must be provided.")
    excluded = set(ctx.query_list("exclude") or ()) | set(ctx.query_list("excludeAccountIds") or ())
    matching = [
        u
        for u in _sorted(list(ctx.instance.users.values()))
        if u.active and _matches(ctx, u, term) and not excluded & {u.account_id, u.username}
    ]
    shown = matching[: ctx.query_int("maxResults", 50)]
    picked = []
    for user in shown:
        entry: dict[str, Any]
        if ctx.cloud:
            entry = {"accountId": user.account_id, "accountType": "atlassian"}
            ident = user.account_id
            suffix = f" - {_highlight(user.email, term)}"
        else:
            entry = {"name": user.username, "key": user.username}
            ident = user.username
            suffix = f" - {_highlight(user.email, term)} ({_highlight(user.username, term)})"
        entry["html"] = _highlight(user.display_name, term) + suffix
        entry["displayName"] = user.display_name
        entry["avatarUrl"] = avatar_urls(ctx, "user", ident)["16x16"]
        picked.append(entry)
    return {
        "users": picked,
        "total": len(matching),
        "header": f"Showing {len(picked)} of {len(matching)} matching users",
    }


@servlet("GET", "/secure/useravatar", "useravatar")
async def user_avatar(ctx: Ctx) -> Response:
    """A user's picture; like Jira with anonymous access off, only for a signed-in caller."""
    return avatar_image(ctx)


ROUTES = (
    get_user,
    find_users,
    get_all_users,
    find_assignable_users,
    find_bulk_assignable_users,
    bulk_get_users,
    find_users_for_picker,
)
SERVLETS = (user_avatar,)
