"""Which JQL clause names exist, what kind of value each holds, and its operators.

System clause names (case-insensitive) map to a field id and a *kind*; the
kind decides the operators a clause accepts and how values are resolved and
compared (see :mod:`.compiler`) and sorted (see :mod:`.ordering`). Custom
fields are found by ``cf[N]`` or by name, their kind read off their schema
(Jira Software's sprint field, ``sprint = 12``, by its custom type).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..state.model import SPRINT_FIELD_TYPE, FieldDef, Instance
from .ast import FieldRef

__all__ = ["OPERATORS", "SYSTEM_CLAUSES", "ResolvedField", "resolve_field"]

# clause name (lower case) -> (field id, kind)
SYSTEM_CLAUSES: dict[str, tuple[str, str]] = {
    "project": ("project", "project"),
    "key": ("issuekey", "issuekey"),
    "issuekey": ("issuekey", "issuekey"),
    "issue": ("issuekey", "issuekey"),
    "id": ("issuekey", "issuekey"),
    "summary": ("summary", "text"),
    "description": ("description", "text"),
    "environment": ("environment", "text"),
    "comment": ("comment", "text"),
    "text": ("text", "alltext"),
    "status": ("status", "status"),
    "statuscategory": ("statusCategory", "statuscategory"),
    "assignee": ("assignee", "user"),
    "reporter": ("reporter", "user"),
    "creator": ("creator", "user"),
    "watcher": ("watches", "watcher"),
    "watchers": ("watches", "watcher"),
    "issuetype": ("issuetype", "issuetype"),
    "type": ("issuetype", "issuetype"),
    "priority": ("priority", "priority"),
    "resolution": ("resolution", "resolution"),
    "labels": ("labels", "labels"),
    "label": ("labels", "labels"),
    "created": ("created", "datetime"),
    "createddate": ("created", "datetime"),
    "updated": ("updated", "datetime"),
    "updateddate": ("updated", "datetime"),
    "resolved": ("resolutiondate", "datetime"),
    "resolutiondate": ("resolutiondate", "datetime"),
    "statuscategorychangeddate": ("statuscategorychangedate", "datetime"),
    "duedate": ("duedate", "date"),
    "due": ("duedate", "date"),
    "component": ("components", "component"),
    "fixversion": ("fixVersions", "version"),
    "affectedversion": ("versions", "version"),
    "parent": ("parent", "parent"),
    "filter": ("filter", "filter"),
    "savedfilter": ("filter", "filter"),
    "searchrequest": ("filter", "filter"),
    "request": ("filter", "filter"),
}

_EQ = frozenset({"=", "!=", "in", "not in", "is", "is not"})
_RANGE = frozenset({"<", "<=", ">", ">="})
_TEXT = frozenset({"~", "!~", "is", "is not"})

# kind -> operators its clauses accept
OPERATORS: dict[str, frozenset[str]] = {
    "project": _EQ,
    "issuekey": _EQ | _RANGE,
    "text": _TEXT,
    "alltext": frozenset({"~", "!~"}),
    "status": _EQ,
    "statuscategory": _EQ,
    "user": _EQ,
    "watcher": _EQ,
    "issuetype": _EQ,
    "priority": _EQ | _RANGE,
    "resolution": _EQ,
    "labels": _EQ,
    "datetime": _EQ | _RANGE,
    "date": _EQ | _RANGE,
    "component": _EQ,
    "version": _EQ,
    "parent": frozenset({"=", "!=", "in", "not in"}),
    "filter": frozenset({"=", "!=", "in", "not in"}),
    "number": _EQ | _RANGE,
    "cftext": _TEXT,
    "option": _EQ,
    "cfdate": _EQ | _RANGE,
    "sprint": _EQ,
}

# custom field schema type -> kind
_CUSTOM_KINDS = {
    "number": "number",
    "string": "cftext",
    "option": "option",
    "date": "cfdate",
    "datetime": "cfdate",
}


@dataclass(frozen=True, slots=True)
class ResolvedField:
    id: str  # field id ("status", "customfield_10016")
    kind: str
    label: str  # the name as written, for messages
    definition: FieldDef | None = None


def resolve_field(instance: Instance, ref: FieldRef) -> ResolvedField | None:
    """The field ``ref`` names, or None when no such (searchable) field exists."""
    if ref.custom_id is None:
        system = SYSTEM_CLAUSES.get(ref.name.lower())
        if system is not None:
            return ResolvedField(system[0], system[1], ref.name)
        found = instance.find_field(ref.name)
    else:
        found = instance.fields.get(f"customfield_{ref.custom_id}")
    if found is None or not found.custom or not found.searchable:
        return None
    schema = found.schema or {}
    if schema.get("custom") == SPRINT_FIELD_TYPE:
        return ResolvedField(found.id, "sprint", ref.label, found)
    return ResolvedField(found.id, _CUSTOM_KINDS.get(str(schema.get("type")), "option"), ref.label, found)
