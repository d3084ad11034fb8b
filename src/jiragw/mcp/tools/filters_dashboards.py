"""Saved filters and dashboards: ``filters`` (list, get, run), ``create_filter``, ``dashboards`` (list, get).

Jira "Filters" and "Dashboards". Cloud searches filters by name
(``/filter/search``); Data Center has no filter search, so its listing is the
caller's favourites. Running a filter is a JQL search of its query, paged
with the same cursor as ``search_issues``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.jira.resources.dashboards import Dashboard
from jiragw.jira.resources.filters import Filter

from ..arguments import JQL, NUMERIC_ID
from ..issue_view import issue_ref
from ..tool import Call, Op, Result, ToolSpec
from .search import CURSOR, LIMIT, SEARCH_OPS, render_page, search_page

__all__ = ["TOOLS"]

_LIST_MAX = 50


def _filter_data(f: Filter) -> dict[str, Any]:
    data: dict[str, Any] = {"id": f.id, "name": f.name, "jql": f.jql, "description": f.description or None}
    if f.favourite:
        data["favourite"] = True
    return {k: v for k, v in data.items() if v not in (None, "")}


async def _filters(call: Call, args: Mapping[str, Any]) -> Result:
    if args.get("id"):
        flt = await call.jira.filters.get(str(args["id"]))
        data = _filter_data(flt)
        text = f"Filter {flt.id}: {flt.name}\nJQL: {flt.jql}" + (
            f"\n{flt.description}" if flt.description else ""
        )
        if args.get("run"):
            issues, nxt, total = await search_page(
                call, flt.jql, list(args.get("fields") or ()), int(args.get("limit", 20)), args.get("cursor")
            )
            data["issues"] = [issue_ref(i) for i in issues]
            if nxt:
                data["next_cursor"] = nxt
            if total is not None:
                data["total"] = total
            text += "\n" + render_page(issues, nxt, total)
        return Result(text, data)
    query = str(args.get("query") or "")
    found: list[Filter] = []
    if call.cloud:
        async for flt in call.jira.filters.search(query or None):
            found.append(flt)
            if len(found) > _LIST_MAX:
                break
    else:
        found = [f for f in await call.jira.filters.favourites() if query.casefold() in f.name.casefold()]
    shown = found[:_LIST_MAX]
    data_list = [_filter_data(f) for f in shown]
    lines = [f"- {f['id']}: {f['name']} — {f.get('jql', '')}" for f in data_list]
    text = f"{len(shown)} filters:\n" + "\n".join(lines) if shown else "No filter matches."
    out: dict[str, Any] = {"filters": data_list}
    if len(found) > _LIST_MAX:
        out["truncated"] = True
        text += f"\nOnly the first {_LIST_MAX} are shown; narrow the query."
    return Result(text, out)


async def _create_filter(call: Call, args: Mapping[str, Any]) -> Result:
    flt = await call.jira.filters.create(
        str(args["name"]),
        str(args["jql"]),
        description=args.get("description"),
        favourite=bool(args.get("favourite", True)),
    )
    return Result(f"Created filter {flt.id}: {flt.name}", _filter_data(flt))


def _dashboard_data(d: Dashboard) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": d.id,
        "name": d.name,
        "description": d.description or None,
        "owner": d.owner,
    }
    gadgets = d.raw.get("gadgets")
    if isinstance(gadgets, list) and gadgets:
        data["gadgets"] = [str(g.get("title") or g.get("moduleKey") or g.get("id")) for g in gadgets]
    return {k: v for k, v in data.items() if v not in (None, "")}


async def _dashboards(call: Call, args: Mapping[str, Any]) -> Result:
    if args.get("id"):
        dash = await call.jira.dashboards.get(str(args["id"]))
        data = _dashboard_data(dash)
        text = f"Dashboard {dash.id}: {dash.name}" + (f"\n{dash.description}" if dash.description else "")
        if "gadgets" in data:
            text += "\nGadgets: " + ", ".join(data["gadgets"])
        return Result(text, data)
    found: list[Dashboard] = []
    async for dash in call.jira.dashboards.search(args.get("query") or None):
        found.append(dash)
        if len(found) > _LIST_MAX:
            break
    shown = found[:_LIST_MAX]
    data_list = [_dashboard_data(d) for d in shown]
    text = f"{len(shown)} dashboards:\n" + "\n".join(f"- {d['id']}: {d['name']}" for d in data_list)
    out: dict[str, Any] = {"dashboards": data_list}
    if len(found) > _LIST_MAX:
        out["truncated"] = True
        text += f"\nOnly the first {_LIST_MAX} are shown; narrow the query."
    return Result(text if shown else "No dashboard matches.", out)


ID = NUMERIC_ID

TOOLS = (
    ToolSpec(
        name="filters",
        title="Saved filters",
        description=(
            "Without 'id': list saved filters whose name contains 'query' (Data Center: your favourites). "
            "With 'id': the filter's name and JQL; with run=true also "
            "one page of its issues (cursor for more)."
        ),
        properties={
            "id": ID,
            "query": {"type": "string"},
            "run": {"type": "boolean", "default": False},
            "fields": {"type": "array", "items": {"type": "string"}},
            "limit": LIMIT,
            "cursor": CURSOR,
        },
        ops=(
            Op("GET", "/rest/api/3/filter/search", "cloud"),
            Op("GET", "/rest/api/3/filter/favourite", "dc"),
            Op("GET", "/rest/api/3/filter/1"),
            *SEARCH_OPS,
        ),
        handler=_filters,
    ),
    ToolSpec(
        name="create_filter",
        title="Save a filter",
        description="Save a JQL query as a filter (a favourite by default); answers its id.",
        properties={
            "name": {"type": "string", "minLength": 1},
            "jql": JQL,
            "description": {"type": "string"},
            "favourite": {"type": "boolean", "default": True},
        },
        required=("name", "jql"),
        ops=(Op("POST", "/rest/api/3/filter"),),
        handler=_create_filter,
        read_only=False,
        idempotent=False,
    ),
    ToolSpec(
        name="dashboards",
        title="Dashboards",
        description="Without 'id': list dashboards whose name contains 'query'. With 'id': that dashboard.",
        properties={"id": ID, "query": {"type": "string"}},
        ops=(
            Op("GET", "/rest/api/3/dashboard/search", "cloud"),
            Op("GET", "/rest/api/3/dashboard", "dc"),
            Op("GET", "/rest/api/3/dashboard/1"),
        ),
        handler=_dashboards,
    ),
)
