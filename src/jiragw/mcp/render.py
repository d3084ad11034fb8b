"""Compact renderings of Jira's JSON: only the meaningful fields, as terse Markdown and as data.

Jira answers carry ``self`` URLs, avatar maps, icon URLs, nulls and empty
lists on every object; agents pay for each byte. These functions keep the
facts (key, summary, status, type, priority, people, dates, text) and drop
the rest. :func:`prune` does it for arbitrary values (custom fields);
:func:`issue_line` and :func:`issue_data` for issues. Dates keep minute
precision (``2024-05-01 14:03``), which is what a reader needs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

from jiragw.errors import InvalidInput

__all__ = [
    "cursor_decode",
    "cursor_encode",
    "name_of",
    "person",
    "prune",
    "short_date",
    "text_value",
]

_NOISE = frozenset(
    {"self", "avatarUrls", "iconUrl", "expand", "statusCategory", "timeZone", "accountType", "hasScreen"}
)


def short_date(value: Any) -> str | None:
    """``2024-05-01T14:03:22.000+0000`` -> ``2024-05-01 14:03``; date-only values stay as they are."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) >= 16 and value[10] == "T":
        return value[:10] + " " + value[11:16]
    return value


def person(value: Any) -> str | None:
    """A user object as its display name."""
    if isinstance(value, Mapping):
        found = value.get("displayName") or value.get("name") or value.get("accountId")
        return None if found is None else str(found)
    return None


def name_of(value: Any) -> str | None:
    """A named entity (status, priority, type, option, version) as its name or value."""
    if isinstance(value, Mapping):
        if "displayName" in value:
            return person(value)
        for key in ("name", "value", "key"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    if value is None or value == "" or value == []:
        return None
    return str(value)


def prune(value: Any) -> Any:
    """``value`` without noise keys, nulls and empty containers; entities collapse to their names."""
    if isinstance(value, Mapping):
        named = name_of(value)
        if named is not None and ("id" in value or "self" in value or "displayName" in value):
            return named
        out = {k: prune(v) for k, v in value.items() if k not in _NOISE}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})} or None
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})] or None
    return value


def text_value(value: Any) -> str | None:
    """A pruned field value as short text."""
    pruned = prune(value)
    if pruned is None:
        return None
    if isinstance(pruned, list):
        return ", ".join(x if isinstance(x, str) else json.dumps(x, separators=(",", ":")) for x in pruned)
    if isinstance(pruned, dict):
        return json.dumps(pruned, separators=(",", ":"), ensure_ascii=False)
    return str(pruned)


def joined(parts: Iterable[str | None], sep: str = " · ") -> str:
    return sep.join(p for p in parts if p)


# -- cursors -------------------------------------------------------------------------------


def cursor_encode(state: Mapping[str, Any]) -> str:
    """An opaque cursor for the next page (the tool's own state: token or offset, and the query)."""
    raw = json.dumps(dict(state), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the cursor is not one this server gave; start again without it") from exc
    if not isinstance(data, dict):
        raise InvalidInput("the cursor is not one this server gave; start again without it")
    return data
