"""ORDER BY: sort keys per field, computed once per issue per query (decorate-sort).

Sort orders follow Jira's: issue keys by project then number (PRJ-2 before
PRJ-10); statuses, issue types and resolutions in their configured order;
priorities by rank (``DESC`` puts Highest first); users by display name.
Empty values sort last ascending and first descending. Without an explicit
direction, dates and priority sort descending and everything else ascending.
Sorting is stable: issues equal on every key keep their input order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..state.model import Instance, Issue
from .ast import SortItem
from .fields import ResolvedField, resolve_field
from .values import CATEGORY_ORDER, Resolver

__all__ = ["SortSpec", "sort_issues", "sort_spec"]

KeyFn = Callable[[Issue], Any]
_DESC_BY_DEFAULT = frozenset({"datetime", "date", "cfdate", "priority"})
_UNSORTABLE = frozenset({"alltext", "filter", "watcher"})


@dataclass(frozen=True, slots=True)
class SortSpec:
    field_id: str
    descending: bool
    key: KeyFn  # None for an empty value


def _key_tuple(key: str) -> tuple[str, int]:
    prefix, _, tail = key.rpartition("-")
    return prefix, int(tail) if tail.isdigit() else 0


def _index(table: dict[str, Any]) -> dict[str, int]:
    return {key: n for n, key in enumerate(table)}


def _sort_key(instance: Instance, values: Resolver, field: ResolvedField) -> KeyFn:
    kind = field.kind
    if kind == "issuekey":
        return lambda i: _key_tuple(i.key)
    if kind == "project":
        projects = instance.projects
        return lambda i: projects[i.project_id].key if i.project_id in projects else ""
    if kind in ("status", "issuetype", "resolution"):
        tables: dict[str, dict[str, Any]] = {
            "status": dict(instance.statuses),
            "issuetype": dict(instance.issue_types),
            "resolution": dict(instance.resolutions),
        }
        order = _index(tables[kind])
        get = values.getter(field)
        return lambda i: order.get(v) if (v := get(i)) is not None else None
    if kind == "priority":
        ranks = values.priority_rank
        return lambda i: ranks.get(i.priority_id) if i.priority_id is not None else None
    if kind == "statuscategory":
        cats = values.status_category
        return lambda i: CATEGORY_ORDER.get(cats.get(i.status_id, ""))
    if kind == "user":
        users = instance.users
        get = values.getter(field)
        return lambda i: users[v].display_name.casefold() if (v := get(i)) in users else None
    if kind in ("component", "version"):
        names: dict[int, str] = {
            eid: e.name.casefold()
            for eid, e in (instance.components if kind == "component" else instance.versions).items()
        }
        get = values.getter(field)
        return lambda i: tuple(sorted(names[x] for x in get(i) if x in names)) or None
    if kind == "labels":
        return lambda i: tuple(sorted(i.labels)) or None
    if kind == "parent":
        issues = instance.issues
        return lambda i: _key_tuple(issues[i.parent_id].key) if i.parent_id in issues else None
    get = values.getter(field)
    if kind in ("text", "cftext"):
        return lambda i: get(i) or None
    return get


def sort_spec(instance: Instance, values: Resolver, item: SortItem) -> SortSpec | None:
    """How to sort by ``item`` (None when the field does not exist or cannot be sorted)."""
    field = resolve_field(instance, item.field)
    if field is None or field.kind in _UNSORTABLE or field.id == "comment":
        return None
    descending = item.descending if item.descending is not None else field.kind in _DESC_BY_DEFAULT
    return SortSpec(field.id, descending, _sort_key(instance, values, field))


def sort_issues(issues: list[Issue], order: list[SortSpec]) -> list[Issue]:
    """``issues`` sorted by ``order`` (stable; each key computed once per issue)."""
    if not order or len(issues) < 2:
        return issues
    rows: list[tuple[list[Any], Issue]] = []
    for issue in issues:
        keys: list[Any] = []
        for spec in order:
            value = spec.key(issue)
            keys.append((1, 0) if value is None else (0, value))
        rows.append((keys, issue))
    # Successive stable sorts, least significant key first, honour mixed directions.
    for n in range(len(order) - 1, -1, -1):
        rows.sort(key=lambda row: row[0][n], reverse=order[n].descending)
    return [issue for _, issue in rows]
