"""``search_issues``: JQL search with field selection and a cursor (Jira "Issue search").

Cloud pages with ``nextPageToken`` (``GET /rest/api/3/search/jql``), Data
Center with ``startAt`` (``GET /rest/api/2/search``); the cursor hides the
difference. A page is at most ``limit`` issues; when more exist the answer
says so and gives the cursor, so nothing is dropped silently. ``filters``
reuses :func:`search_page` to run a saved filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jiragw.errors import InvalidInput
from jiragw.jira.resources import from_jira_text

from ..arguments import JQL
from ..issue_view import CORE_FIELDS, issue_data, issue_line, issue_ref
from ..render import cursor_decode, cursor_encode
from ..tool import Call, Op, Result, ToolSpec

__all__ = ["SEARCH_OPS", "TOOLS", "search_page"]

MAX_LIMIT = 100
SEARCH_OPS = (
    Op("GET", "/rest/api/3/search/jql", "cloud"),
    Op("GET", "/rest/api/3/search", "dc"),
    Op("GET", "/rest/api/3/field"),
)


async def resolve_fields(call: Call, names: Sequence[str]) -> list[str]:
    return [await call.jira.fields.resolve(n) for n in names]


async def search_page(
    call: Call, jql: str, fields: Sequence[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """One page of ``jql``: compact issues, the next cursor (None at the end), and the total when known."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    state = cursor_decode(cursor)
    if state and state.get("jql") != jql:
        raise InvalidInput("the cursor belongs to another query; start again without it")
    ids = await resolve_fields(call, fields) if fields else []
    want_description = "description" in ids
    params: dict[str, Any] = {
        "jql": jql,
        "maxResults": limit,
        "fields": ",".join(dict.fromkeys([*CORE_FIELDS, *ids])),
    }
    ctx = call.jira.ctx
    if call.cloud:
        if state.get("t"):
            params["nextPageToken"] = state["t"]
        body = await ctx.get("/search/jql", params)
    else:
        params["startAt"] = int(state.get("s", 0))
        body = await ctx.get("/search", params)
    names = await call.jira.fields.names() if ids else {}
    issues = []
    for raw in body.get("issues", []):
        data = issue_data(raw, names, ids)
        if want_description:
            text = from_jira_text(ctx, (raw.get("fields") or {}).get("description"))
            if text:
                data["description"] = text
        issues.append(data)
    total = body.get("total") if isinstance(body.get("total"), int) else None
    next_state: dict[str, Any] | None = None
    if call.cloud:
        token = body.get("nextPageToken")
        if token and body.get("isLast") is not True:
            next_state = {"jql": jql, "t": token}
    else:
        start = int(params["startAt"]) + len(issues)
        if issues and total is not None and start < total:
            next_state = {"jql": jql, "s": start}
    return issues, (cursor_encode(next_state) if next_state else None), total


def render_page(issues: list[dict[str, Any]], next_cursor: str | None, total: int | None) -> str:
    lines = []
    for data in issues:
        lines.append(issue_line(data))
        if data.get("description"):
            lines += [f"  {line}" if line else "" for line in data["description"].split("\n")]
    head = f"{len(issues)} issues" + (f" of {total}" if total is not None else "")
    if not issues:
        return "No issues match."
    tail = f"\nMore issues: call again with cursor={next_cursor}" if next_cursor else ""
    return head + ":\n" + "\n".join(lines) + tail


async def _search(call: Call, args: Mapping[str, Any]) -> Result:
    issues, next_cursor, total = await search_page(
        call, str(args["jql"]), list(args.get("fields") or ()), int(args.get("limit", 20)), args.get("cursor")
    )
    data: dict[str, Any] = {"issues": [issue_ref(i) for i in issues]}
    if total is not None:
        data["total"] = total
    if next_cursor:
        data["next_cursor"] = next_cursor
    return Result(render_page(issues, next_cursor, total), data)


LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20, "description": "Page size."}
CURSOR = {"type": "string", "description": "The cursor a previous page returned."}

TOOLS = (
    ToolSpec(
        name="search_issues",
        title="Search issues (JQL)",
        description=(
            "Find issues with JQL, e.g. 'project = ABC AND status != Done ORDER BY updated DESC'. "
            "Each hit shows key, type, status, priority, summary, assignee, created and updated; "
            "'fields' adds more by name (e.g. 'Story Points', 'labels', 'description'). "
            "When more issues match, the answer gives a cursor for the next page."
        ),
        properties={
            "jql": {**JQL, "description": "The JQL query (it must restrict the search)."},
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Extra fields by name or id.",
            },
            "limit": LIMIT,
            "cursor": CURSOR,
        },
        required=("jql",),
        ops=SEARCH_OPS,
        handler=_search,
    ),
)
