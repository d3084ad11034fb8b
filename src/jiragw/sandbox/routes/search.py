"""Issue search: Cloud's enhanced ``search/jql``, DC's ``search``, and the approximate count.

- Cloud ``GET/POST /rest/api/{2,3}/search/jql`` (``searchAndReconsileIssuesUsingJql[Post]``):
  bounded JQL only, ``nextPageToken`` paging (see :mod:`jiragw.sandbox.http.paging`), no
  ``total``; ``fields`` defaults to ``id``, ``maxResults`` must lie in 1..5000 and is
  silently lowered to 100 when fields beyond id/key are asked for.
- Cloud ``POST /rest/api/{2,3}/search/approximate-count`` (``countIssues``).
- Cloud ``GET/POST /rest/api/{2,3}/search``: removed by Atlassian (CHANGE-2046), 410 Gone.
- DC ``GET/POST /rest/api/2/search`` (``searchForIssuesUsingJql[Post]``): ``startAt`` /
  ``maxResults`` (cap 1000) / ``total``, ``fields`` defaulting to ``*navigable``, the
  ``names``/``schema`` expands and ``validateQuery``: ``warn``/``none`` run the query with
  its invalid values matching nothing (see :func:`jiragw.sandbox.jql.compile_jql_lenient`),
  ``warn`` listing the problems in ``warningMessages``.

Only issues the caller may browse are found; a caller without ``BROWSE_PROJECTS``
gets an empty result, as Jira answers.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import JiraHttpError, bad_request
from ..http.paging import PageTokenError, decode_page_token, encode_page_token
from ..issues.render import FieldSelection, render_issue
from ..jql import compile_jql, compile_jql_lenient
from ..state.model import BROWSE, Issue

__all__ = ["ROUTES", "SearchParams", "render_search_page"]

UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
BAD_PAGE_TOKEN_MESSAGE = "The provided nextPageToken is invalid or has expired."  # noqa: S105 - a message

# Enhanced search page sizes: the range Jira accepts, and the most issues it returns
# per page once fields beyond id/key are asked for.
_ENHANCED_MAX, _FULL_FIELDS_MAX = 5000, 100
# Legacy (DC) search: default and largest page.
_LEGACY_DEFAULT, _LEGACY_MAX = 50, 1000
# ``validateQuery`` values and what they mean ("true"/"false" are the legacy synonyms).
_VALIDATION = {"strict": "strict", "true": "strict", "warn": "warn", "false": "warn", "none": "none"}
# Expands answered at the top of a search result rather than inside each issue.
_TOP_LEVEL_EXPANDS = frozenset({"names", "schema"})


class SearchParams:
    """The parameters of one search request, from the query string (GET) or the body (POST)."""

    __slots__ = ("data", "method")

    def __init__(self, data: dict[str, Any], method: str) -> None:
        self.data = data
        self.method = method

    @classmethod
    async def read(cls, ctx: Ctx, list_names: tuple[str, ...]) -> SearchParams:
        if ctx.request.method == "POST":
            return cls(await ctx.body_object(), "POST")
        data: dict[str, Any] = {k: v for k, v in ctx.request.query_params.items() if k not in list_names}
        for name in list_names:
            data[name] = ctx.query_list(name)
        return cls(data, "GET")

    def text(self, name: str, default: str = "") -> str:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise bad_request(f"The '{name}' parameter must be a string.")
        return value

    def int(self, name: str, default: int) -> int:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise bad_request(f"The '{name}' parameter must be an integer.")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"The '{name}' parameter must be an integer, not '{value}'.") from None

    def strings(self, name: str) -> list[str] | None:
        """A list parameter: a JSON list or comma-separated string (POST) or repeated (GET)."""
        value = self.data.get(name)
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [part.strip() for v in items for part in str(v).split(",") if part.strip()]


def _browsable(ctx: Ctx) -> list[Issue]:
    return list(ctx.instance.issues.values()) if ctx.user.can(BROWSE) else []


def _render_page(
    ctx: Ctx, page: list[Issue], sel: FieldSelection, expand: set[str], properties: list[str] | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rendered issues, and the top-level ``names``/``schema`` merged from them."""
    issues: list[dict[str, Any]] = []
    top: dict[str, Any] = {}
    for issue in page:
        bean = render_issue(ctx, issue, sel, expand, properties)
        for name in _TOP_LEVEL_EXPANDS & expand:
            top.setdefault(name, {}).update(bean.pop(name, {}))
        issues.append(bean)
    return issues, top


def render_search_page(
    ctx: Ctx, page: list[Issue], sel: FieldSelection, expand: set[str], properties: list[str] | None
) -> dict[str, Any]:
    """``{"issues": [...]}`` plus the top-level ``names``/``schema``, as a search page holds them."""
    issues, top = _render_page(ctx, page, sel, expand, properties)
    if not sel.only_ids:
        ctx.cost_issues = len(page)
    return {"issues": issues, **top}


# -- Cloud: enhanced search -------------------------------------------------
async def _enhanced(ctx: Ctx) -> dict[str, Any]:
    params = await SearchParams.read(ctx, ("fields", "properties", "reconcileIssues"))
    jql = params.text("jql")
    scope = ctx.instance.cloud_id
    token = params.data.get("nextPageToken")
    offset = 0
    if token not in (None, ""):
        try:
            offset = decode_page_token(str(token), jql, scope=scope)
        except PageTokenError:
            raise bad_request(BAD_PAGE_TOKEN_MESSAGE) from None
    requested = params.int("maxResults", 50)
    if not 1 <= requested <= _ENHANCED_MAX:
        raise bad_request(f"The maxResults parameter must be between 1 and {_ENHANCED_MAX}.")
    query = compile_jql(ctx.instance, jql, user=ctx.user, now=ctx.sandbox.clock.now())
    if not query.bounded:
        raise bad_request(UNBOUNDED)
    sel = FieldSelection.parse(params.strings("fields"), default="id")
    size = requested if sel.only_ids else min(requested, _FULL_FIELDS_MAX)
    found = query.search(_browsable(ctx))
    page = found[offset : offset + size]
    expand = set(params.strings("expand") or ())
    properties = params.strings("properties")
    if sel.only_ids and sel.explicit <= {"id"} and not expand and not properties:
        # The default answer: bare ids, nothing else per issue.
        issues: list[dict[str, Any]] = [{"id": str(i.id)} for i in page]
        top: dict[str, Any] = {}
    else:
        issues, top = _render_page(ctx, page, sel, expand, properties)
    if not sel.only_ids:
        ctx.cost_issues = len(page)
    out: dict[str, Any] = {"issues": issues, **top}
    is_last = offset + size >= len(found)
    if not is_last:
        out["nextPageToken"] = encode_page_token(jql, offset + size, scope=scope)
    out["isLast"] = is_last
    return out


@endpoint("GET", "/rest/api/{version}/search/jql", "searchAndReconsileIssuesUsingJql", flavors=("cloud",))
async def enhanced_search(ctx: Ctx) -> dict[str, Any]:
    return await _enhanced(ctx)


@endpoint(
    "POST", "/rest/api/{version}/search/jql", "searchAndReconsileIssuesUsingJqlPost", flavors=("cloud",)
)
async def enhanced_search_post(ctx: Ctx) -> dict[str, Any]:
    return await _enhanced(ctx)


@endpoint("POST", "/rest/api/{version}/search/approximate-count", "countIssues", flavors=("cloud",))
async def count_issues(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body_object()
    jql = SearchParams(body, "POST").text("jql")
    query = compile_jql(ctx.instance, jql, user=ctx.user, now=ctx.sandbox.clock.now())
    if not query.bounded:
        raise bad_request(UNBOUNDED)
    return {"count": sum(1 for issue in _browsable(ctx) if query.matches(issue))}


# -- Cloud: the removed legacy search ----------------------------------------
@endpoint("GET", "/rest/api/{version}/search", "searchForIssuesUsingJql", flavors=("cloud",))
async def removed_search(ctx: Ctx) -> None:
    raise JiraHttpError(410, [REMOVED])


@endpoint("POST", "/rest/api/{version}/search", "searchForIssuesUsingJqlPost", flavors=("cloud",))
async def removed_search_post(ctx: Ctx) -> None:
    raise JiraHttpError(410, [REMOVED])


# -- DC: legacy search ---------------------------------------------------------
async def _legacy(ctx: Ctx) -> dict[str, Any]:
    params = await SearchParams.read(ctx, ("fields", "properties", "expand"))
    jql = params.text("jql")
    start = params.int("startAt", 0)
    if start < 0:
        raise bad_request("The 'startAt' parameter must be at least 0.")
    size = max(0, min(params.int("maxResults", _LEGACY_DEFAULT), _LEGACY_MAX))
    raw_mode = params.data.get("validateQuery", "strict")
    mode = _VALIDATION.get(str(raw_mode).lower())
    if mode is None:
        raise bad_request(
            f"The 'validateQuery' parameter must be one of strict, warn or none, not '{raw_mode}'."
        )
    now = ctx.sandbox.clock.now()
    if mode == "strict":
        query = compile_jql(ctx.instance, jql, user=ctx.user, now=now)
    else:
        # Invalid values match nothing and the rest of the query still runs; syntax
        # errors stay a 400 (JqlError) in every mode.
        query = compile_jql_lenient(ctx.instance, jql, user=ctx.user, now=now)
    warnings = list(query.warnings) if mode == "warn" else []
    sel = FieldSelection.parse(params.strings("fields"), default="*navigable")
    found = query.search(_browsable(ctx))
    page = found[start : start + size]
    expand = set(params.strings("expand") or ())
    issues, top = _render_page(ctx, page, sel, expand, params.strings("properties"))
    if not sel.only_ids:
        ctx.cost_issues = len(page)
    out: dict[str, Any] = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": size,
        "total": len(found),
        "issues": issues,
        **top,
    }
    if warnings:
        out["warningMessages"] = warnings
    return out


@endpoint("GET", "/rest/api/{version}/search", "searchForIssuesUsingJql", flavors=("dc",))
async def legacy_search(ctx: Ctx) -> dict[str, Any]:
    return await _legacy(ctx)


@endpoint("POST", "/rest/api/{version}/search", "searchForIssuesUsingJqlPost", flavors=("dc",))
async def legacy_search_post(ctx: Ctx) -> dict[str, Any]:
    return await _legacy(ctx)


ROUTES = (
    enhanced_search,
    enhanced_search_post,
    count_issues,
    removed_search,
    removed_search_post,
    legacy_search,
    legacy_search_post,
)
