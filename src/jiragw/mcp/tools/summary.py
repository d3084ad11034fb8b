"""``summarize_issues``: counts by status, assignee, priority, type and project for a JQL query.

A quick cross-project dashboard in one call: the issues are read page after
page with only the grouped fields (Cloud's ``/search/jql``, Data Center's
``/search``) up to :data:`MAX_ISSUES`; past that the answer says how many it
counted, never silently less.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput
from jiragw.jira.pagination import paginate_offset, paginate_token

from ..arguments import JQL
from ..render import name_of, person
from ..tool import Call, Result, ToolSpec
from .search import SEARCH_OPS

__all__ = ["MAX_ISSUES", "TOOLS"]

MAX_ISSUES = 5000
GROUPS = ("status", "assignee", "priority", "type", "project")
_FIELD = {
    "status": "status",
    "assignee": "assignee",
    "priority": "priority",
    "type": "issuetype",
    "project": "project",
}


async def _summary(call: Call, args: Mapping[str, Any]) -> Result:
    jql = str(args["jql"])
    groups = list(args.get("group_by") or ["status", "assignee", "priority", "type"])
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise InvalidInput(f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    params = {"jql": jql, "fields": ",".join(_FIELD[g] for g in groups)}
    ctx = call.jira.ctx

    async def fetch(p: dict[str, Any]) -> Any:
        return await ctx.get("/search/jql" if call.cloud else "/search", p)

    pages = (
        paginate_token(fetch, params, page_size=100)
        if call.cloud
        else paginate_offset(fetch, params, page_size=100)
    )
    counts: dict[str, Counter[str]] = {g: Counter() for g in groups}
    seen = 0
    capped = False
    async for issue in pages:
        if seen >= MAX_ISSUES:
            capped = True
            break
        seen += 1
        f = issue.get("fields") or {}
        for g in groups:
            value = f.get(_FIELD[g])
            label = (
                person(value)
                if g == "assignee"
                else (value or {}).get("key")
                if g == "project"
                else name_of(value)
            )
            counts[g][label or ("Unassigned" if g == "assignee" else "None")] += 1
    data: dict[str, Any] = {
        "jql": jql,
        "issues": seen,
        "counts": {g: dict(c.most_common()) for g, c in counts.items()},
    }
    lines = [f"{seen} issues" + (f" (stopped counting at {MAX_ISSUES}; narrow the query)" if capped else "")]
    for g, c in counts.items():
        lines.append(f"By {g}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
    if capped:
        data["capped"] = True
    return Result("\n".join(lines), data)


TOOLS = (
    ToolSpec(
        name="summarize_issues",
        title="Summarize issues",
        description=(
            "Counts of the issues a JQL query finds, by status, "
            "assignee, priority, type (or project): a quick "
            "cross-project dashboard without listing the issues."
        ),
        properties={
            "jql": JQL,
            "group_by": {
                "type": "array",
                "items": {"type": "string", "enum": list(GROUPS)},
                "uniqueItems": True,
            },
        },
        required=("jql",),
        ops=SEARCH_OPS[:2],
        handler=_summary,
    ),
)
