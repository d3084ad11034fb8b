"""Issues as compact data and terse Markdown (what search and get_issue answer).

Core facts first (key, summary, type, status, priority, assignee, dates),
then any further field the caller asked for, by its name, pruned of Jira's
noise (:func:`jiragw.mcp.render.prune`). Custom fields travel by the name
people know (``Story Points``), never by ``customfield_10016``.
:func:`issue_ref` is what structured content says of an issue: its key and
status, the handles a program chains its next call on; every other fact
travels once, in the Markdown (:class:`jiragw.mcp.tool.Result`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .render import joined, name_of, person, prune, short_date, text_value

__all__ = ["CORE_FIELDS", "issue_data", "issue_line", "issue_ref"]

# Jira field ids a search always asks for.
CORE_FIELDS = ("summary", "issuetype", "status", "priority", "assignee", "created", "updated")
_SHOWN = frozenset(
    {
        *CORE_FIELDS,
        "description",
        "comment",
        "reporter",
        "labels",
        "issuelinks",
        "subtasks",
        "parent",
        "project",
    }
)
# Bookkeeping Jira sends with every issue that tells a reader nothing about the work.
_NOISE = frozenset(
    {"creator", "watches", "votes", "lastViewed", "statuscategorychangedate", "workratio", "thumbnail"}
)


def issue_data(
    raw: Mapping[str, Any], names: Mapping[str, str], extra: Sequence[str] = (), *, everything: bool = False
) -> dict[str, Any]:
    """Core facts plus the ``extra`` field ids (``everything``: every non-empty field)."""
    f = raw.get("fields") or {}
    data: dict[str, Any] = {
        "key": raw.get("key"),
        "summary": f.get("summary"),
        "type": name_of(f.get("issuetype")),
        "status": name_of(f.get("status")),
        "priority": name_of(f.get("priority")),
        "assignee": person(f.get("assignee")),
        "created": short_date(f.get("created")),
        "updated": short_date(f.get("updated")),
    }
    wanted = (
        [k for k in f if k not in _SHOWN and k not in _NOISE]
        if everything
        else [k for k in extra if k not in CORE_FIELDS]
    )
    more: dict[str, Any] = {}
    for fid in wanted:
        if fid in ("description", "comment"):
            continue
        value = f.get(fid)
        if fid in (
            "created",
            "updated",
            "resolutiondate",
            "duedate",
            "lastViewed",
            "statuscategorychangedate",
        ):
            value = short_date(value)
        else:
            value = prune(value)
        if value is not None:
            more[names.get(fid, fid)] = value
    if everything:
        for fid in ("reporter", "labels", "parent"):
            value = prune(f.get(fid)) if fid != "parent" else (f.get("parent") or {}).get("key")
            if value:
                more[names.get(fid, fid.capitalize())] = value
    data = {k: v for k, v in data.items() if v is not None}
    if more:
        data["fields"] = more
    return data


def issue_line(data: Mapping[str, Any]) -> str:
    """One issue on one line: ``KEY [Type · Status · Priority] Summary — Assignee; dates; fields``."""
    tags = joined([data.get("type"), data.get("status"), data.get("priority")])
    dates = joined(
        [
            f"created {data['created']}" if data.get("created") else None,
            f"updated {data['updated']}" if data.get("updated") else None,
        ],
        ", ",
    )
    extra = "; ".join(f"{k}: {text_value(v)}" for k, v in (data.get("fields") or {}).items())
    tail = joined([data.get("assignee") or "unassigned", dates, extra], "; ")
    return f"{data.get('key')} [{tags}] {data.get('summary', '')} — {tail}"


def issue_ref(data: Mapping[str, Any]) -> dict[str, Any]:
    """An issue in structured content: its key and status (the facts live in the Markdown)."""
    return {k: data[k] for k in ("key", "status") if data.get(k) is not None}
