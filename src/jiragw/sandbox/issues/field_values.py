"""Parsing one field's value from an issue payload into the data model's form.

Create, edit and transition payloads (``IssueUpdateDetails`` in the platform
spec) name fields by id; each system field has a parser here, custom fields are
parsed by their schema type. A bad value raises :class:`InvalidValue` worded
like Jira's field error, which :mod:`jiragw.sandbox.issues.fields` gathers into
one ErrorCollection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from ..http.context import Ctx
from ..rendering.richtext import ADF_REQUIRED, is_adf_doc
from ..state.defaults import CUSTOM_FIELD_OPTIONS
from ..state.model import SPRINT_FIELD_TYPE, FieldDef, Project, RichText

__all__ = [
    "LIST_FIELDS",
    "InvalidValue",
    "field_options",
    "parse_rich",
    "parse_value",
    "user_ref_id",
]


class InvalidValue(Exception):
    """One field's value is unacceptable (message worded like Jira's)."""


# System fields holding lists: ``update`` may ``add`` to and ``remove`` from them.
LIST_FIELDS = frozenset({"labels", "components", "fixVersions", "versions"})


def field_options(fdef: FieldDef) -> list[dict[str, str]]:
    """The options of a select custom field as ``{"id", "value"}``."""
    return [{"id": oid, "value": value} for oid, value in CUSTOM_FIELD_OPTIONS.get(fdef.custom_id or 0, ())]


def _ref(raw: Any, what: str) -> tuple[str | None, str | None]:
    """(id, name) from ``{"id": ..}`` / ``{"name": ..}`` (a bare string is taken as a name)."""
    if isinstance(raw, str):
        return None, raw
    if not isinstance(raw, dict):
        raise InvalidValue(f"Specify the {what} (id or name) in the string format")
    rid, name = raw.get("id"), raw.get("name")
    if rid is None and name is None:
        raise InvalidValue(f"Specify the {what} (id or name) in the string format")
    return (str(rid) if rid is not None else None), (str(name) if name is not None else None)


def parse_rich(ctx: Ctx, raw: Any) -> RichText | None:
    """A rich-text value: ADF on v3, a string on v2 (``None`` clears it)."""
    if raw is None:
        return None
    if ctx.v3:
        if not is_adf_doc(raw):
            raise InvalidValue(ADF_REQUIRED)
        return RichText.from_adf(raw)
    if not isinstance(raw, str):
        raise InvalidValue("Operation value must be a string")
    return RichText.from_wiki(raw)


def user_ref_id(ctx: Ctx, raw: Any) -> str | None:
    """An account id from a user reference (Cloud ``accountId``, DC ``name``/``key``)."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        ref = raw.get("accountId") if ctx.cloud else (raw.get("name") or raw.get("key"))
        if ref is None and ctx.cloud and ("name" in raw or "key" in raw):
            ref = raw.get("name") or raw.get("key")
    else:
        ref = raw
    if ref is None:
        return None
    user = ctx.instance.find_user(str(ref))
    if user is None or not user.active:
        raise InvalidValue(
            "Specified user does not exist or you do not have required permissions"
            if ctx.cloud
            else f"User '{ref}' does not exist."
        )
    return user.account_id


def _summary(ctx: Ctx, project: Project, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidValue("You must specify a summary of the issue.")
    if len(raw) > 255:
        raise InvalidValue("Summary must be less than 255 characters.")
    if "\n" in raw or "\r" in raw:
        raise InvalidValue("The summary is invalid because it contains newline characters.")
    return raw


def _priority(ctx: Ctx, project: Project, raw: Any) -> str | None:
    if raw is None:
        return None
    pid, name = _ref(raw, "Priority")
    for p in ctx.instance.priorities.values():
        if p.id == pid or (pid is None and name is not None and p.name.lower() == name.lower()):
            return p.id
    raise InvalidValue("The priority selected is invalid.")


def _issuetype(ctx: Ctx, project: Project, raw: Any) -> str:
    if raw is None:
        raise InvalidValue("valid issue type is required")
    tid, name = _ref(raw, "issue type")
    for type_id in project.issue_type_ids:
        t = ctx.instance.issue_types.get(type_id)
        if t and (t.id == tid or (tid is None and name is not None and t.name.lower() == name.lower())):
            return t.id
    raise InvalidValue("valid issue type is required")


def _resolution(ctx: Ctx, project: Project, raw: Any) -> str | None:
    if raw is None:
        return None
    rid, name = _ref(raw, "Resolution")
    for r in ctx.instance.resolutions.values():
        if r.id == rid or (rid is None and name is not None and r.name.lower() == name.lower()):
            return r.id
    raise InvalidValue(
        f"Resolution with id '{rid}' does not exist" if rid else f"Resolution '{name}' does not exist"
    )


def _labels(ctx: Ctx, project: Project, raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InvalidValue("Operation value must be a string")
    for label in raw:
        if any(ch.isspace() for ch in label):
            raise InvalidValue(f"The label '{label}' contains spaces which is invalid.")
        if len(label) > 255:
            raise InvalidValue("The label must not exceed 255 characters.")
    return list(dict.fromkeys(raw))


def _date(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidValue(f"Error parsing date string: {raw}")


def _entities(kind: str) -> Callable[[Ctx, Project, Any], list[int]]:
    """Parser for components / fix versions / affects versions of the issue's project."""

    def parse(ctx: Ctx, project: Project, raw: Any) -> list[int]:
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        ids = project.component_ids if kind == "Component" else project.version_ids
        table: dict[int, Any] = ctx.instance.components if kind == "Component" else ctx.instance.versions
        out: list[int] = []
        for item in items:
            eid, name = _ref(item, kind)
            match = [
                i
                for i in ids
                if i in table
                and (str(i) == eid or (eid is None and name is not None and table[i].name == name))
            ]
            if not match:
                if kind == "Component":
                    raise InvalidValue(
                        f"Component with id '{eid}' does not exist."
                        if eid
                        else f"Component name '{name}' is not valid"
                    )
                raise InvalidValue(
                    f"Version id '{eid}' is not valid" if eid else f"Version name '{name}' is not valid"
                )
            if match[0] not in out:
                out.append(match[0])
        return out

    return parse


def _parent(ctx: Ctx, project: Project, raw: Any) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not (raw.get("key") or raw.get("id")):
        raise InvalidValue("Could not find issue by id or key.")
    parent = ctx.instance.find_issue(str(raw.get("key") or raw.get("id")))
    if parent is None:
        raise InvalidValue("Could not find issue by id or key.")
    return parent.id


def _custom(ctx: Ctx, fdef: FieldDef, raw: Any) -> Any:
    schema = fdef.schema or {}
    if raw is None:
        return None
    kind, custom_type = schema.get("type"), str(schema.get("custom", ""))
    if custom_type.endswith(":textarea"):
        return parse_rich(ctx, raw)
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InvalidValue("Operation value must be a number")
        return raw
    if kind == "string":
        if not isinstance(raw, str):
            raise InvalidValue("Operation value must be a string")
        return raw
    if kind == "date":
        parsed = _date(raw)
        return parsed.isoformat() if parsed else None
    if kind == "option":
        oid, value = (None, raw) if isinstance(raw, str) else _ref_option(raw)
        for opt in field_options(fdef):
            if opt["id"] == oid or (oid is None and opt["value"] == value):
                return dict(opt)
        raise InvalidValue(
            f"Option id '{oid}' is not valid" if oid else f"Option value '{value}' is not valid"
        )
    if kind == "user":
        return user_ref_id(ctx, raw)
    if custom_type == SPRINT_FIELD_TYPE:
        return _sprint(ctx, raw)
    if kind == "array" and not isinstance(raw, list):
        raise InvalidValue("Operation value must be an array")
    return raw


def _sprint(ctx: Ctx, raw: Any) -> int:
    """The id of the sprint to move the issue into (null, the backlog, never gets here).

    The value is not the field's list of sprints: :func:`jiragw.sandbox.issues.changes.apply_values`
    moves the issue as the Agile API does (see :mod:`jiragw.sandbox.issues.sprints`).
    """
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise InvalidValue("Number value expected as the Sprint id.")
    sprint = ctx.instance.sprints.get(int(raw))
    if sprint is None:
        raise InvalidValue(f"Sprint with id {raw} does not exist.")
    return sprint.id


def _ref_option(raw: Any) -> tuple[str | None, str | None]:
    if not isinstance(raw, dict) or (raw.get("id") is None and raw.get("value") is None):
        raise InvalidValue("Could not find valid 'id' or 'value' in the Parent Option object.")
    oid, value = raw.get("id"), raw.get("value")
    return (str(oid) if oid is not None else None), (str(value) if value is not None else None)


_Parser = Callable[[Ctx, Project, Any], Any]
_PARSERS: dict[str, _Parser] = {
    "summary": _summary,
    "description": lambda ctx, p, raw: parse_rich(ctx, raw),
    "environment": lambda ctx, p, raw: parse_rich(ctx, raw),
    "issuetype": _issuetype,
    "priority": _priority,
    "assignee": lambda ctx, p, raw: user_ref_id(ctx, raw),
    "reporter": lambda ctx, p, raw: user_ref_id(ctx, raw),
    "labels": _labels,
    "duedate": lambda ctx, p, raw: _date(raw),
    "components": _entities("Component"),
    "fixVersions": _entities("Version"),
    "versions": _entities("Version"),
    "resolution": _resolution,
    "parent": _parent,
}


def parse_value(ctx: Ctx, project: Project, fid: str, raw: Any) -> Any:
    """The model value of field ``fid`` from its payload value ``raw``."""
    if fid in _PARSERS:
        return _PARSERS[fid](ctx, project, raw)
    return _custom(ctx, ctx.instance.fields[fid], raw)
