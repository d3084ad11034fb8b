"""Parsing and validating issue ``fields``/``update`` payloads, and applying them.

Used by create, edit and transition (``IssueUpdateDetails`` in the spec). A
payload is first parsed into normalised model values (all errors gathered into
one ErrorCollection, worded like Jira's), then :func:`apply_values` writes them
to the issue and returns the changelog items Jira would record, and
:func:`record` stamps the issue (``updated``, changelog, stale text cache).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .defaults import CUSTOM_FIELD_OPTIONS
from .http import Ctx, JiraHttpError
from .model import (
    BROWSE,
    SPRINT_FIELD_TYPE,
    ChangeHistory,
    ChangeItem,
    Comment,
    FieldDef,
    Instance,
    Issue,
    Project,
    RichText,
)
from .richtext import ADF_REQUIRED, as_wiki, is_adf_doc

__all__ = [
    "EDIT_SCREEN",
    "ISSUE_404",
    "InvalidValue",
    "Parsed",
    "apply_values",
    "change_item",
    "field_metadata",
    "field_options",
    "new_comment",
    "not_on_screen",
    "parse_payload",
    "parse_rich",
    "record",
    "user_ref_id",
    "visible_issue",
]


class InvalidValue(Exception):
    """One field's value is unacceptable (message worded like Jira's)."""


# Fields on the default create/edit screen (custom fields are always on it).
EDIT_SCREEN = frozenset(
    {
        "summary", "description", "environment", "issuetype", "priority", "assignee", "reporter",
        "labels", "duedate", "components", "fixVersions", "versions", "parent",
    }
)  # fmt: skip
_LIST_FIELDS = frozenset({"labels", "components", "fixVersions", "versions"})


# Model attribute for each system field that maps onto one.
_ATTRS = {
    "summary": "summary",
    "description": "description",
    "environment": "environment",
    "issuetype": "issue_type_id",
    "priority": "priority_id",
    "assignee": "assignee",
    "reporter": "reporter",
    "labels": "labels",
    "duedate": "due_date",
    "components": "component_ids",
    "fixVersions": "fix_version_ids",
    "versions": "version_ids",
    "resolution": "resolution_id",
    "parent": "parent_id",
}
# Changelog ``field`` names Jira writes for system fields (others use their id).
_CHANGE_NAMES = {
    "components": "Component",
    "fixVersions": "Fix Version",
    "versions": "Version",
    "parent": "IssueParentAssociation",
}


def not_on_screen(fid: str) -> str:
    return f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."


def field_options(fdef: FieldDef) -> list[dict[str, str]]:
    """The options of a select custom field as ``{"id", "value"}``."""
    return [{"id": oid, "value": value} for oid, value in CUSTOM_FIELD_OPTIONS.get(fdef.custom_id or 0, ())]


@dataclass(slots=True)
class Parsed:
    """Normalised values by field id, plus comments to add (``update.comment``)."""

    values: dict[str, Any] = field(default_factory=dict)
    comments: list[tuple[RichText, dict[str, Any] | None]] = field(default_factory=list)


# -- single-value parsers ---------------------------------------------------


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


def _sprint(ctx: Ctx, raw: Any) -> list[int]:
    """Jira takes a sprint's id (a number) and puts the issue in that sprint alone."""
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise InvalidValue("Number value expected as the Sprint id.")
    if int(raw) not in ctx.instance.sprints:
        raise InvalidValue(f"Sprint with id {raw} does not exist.")
    return [int(raw)]


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


def _parse_one(ctx: Ctx, project: Project, fid: str, raw: Any) -> Any:
    if fid in _PARSERS:
        return _PARSERS[fid](ctx, project, raw)
    return _custom(ctx, ctx.instance.fields[fid], raw)


def _current(issue: Issue | None, fid: str) -> Any:
    if issue is None:
        return [] if fid in _LIST_FIELDS else None
    if fid in _ATTRS:
        return getattr(issue, _ATTRS[fid])
    return issue.custom.get(fid)


def parse_payload(
    ctx: Ctx,
    project: Project,
    issue: Issue | None,
    fields: Any,
    update: Any,
    *,
    screen: frozenset[str],
) -> Parsed:
    """Validate ``fields`` and ``update`` against ``screen`` (custom fields are always on it).

    Raises a 400 ErrorCollection naming every bad field.
    """
    errors: dict[str, str] = {}
    out = Parsed()
    if fields is not None and not isinstance(fields, dict):
        raise JiraHttpError(400, ["Can not deserialize instance of fields out of the request body."])
    if update is not None and not isinstance(update, dict):
        raise JiraHttpError(400, ["Can not deserialize instance of update out of the request body."])

    def settable(fid: str) -> bool:
        return fid in screen or (fid.startswith("customfield_") and fid in ctx.instance.fields)

    for fid, raw in (fields or {}).items():
        if not settable(fid):
            errors[fid] = not_on_screen(fid)
            continue
        try:
            out.values[fid] = _parse_one(ctx, project, fid, raw)
        except InvalidValue as exc:
            errors[fid] = str(exc)
    for fid, ops in (update or {}).items():
        if fid == "comment":
            _comment_ops(ctx, ops, out, errors)
            continue
        if not settable(fid):
            errors[fid] = not_on_screen(fid)
            continue
        try:
            out.values[fid] = _apply_ops(ctx, project, fid, ops, out.values.get(fid, _current(issue, fid)))
        except InvalidValue as exc:
            errors[fid] = str(exc)
    if errors:
        raise JiraHttpError(400, [], errors)
    return out


def _apply_ops(ctx: Ctx, project: Project, fid: str, ops: Any, current: Any) -> Any:
    if not isinstance(ops, list):
        raise InvalidValue(f"Field '{fid}' update operations must be a list.")
    value = current
    for op in ops:
        if not isinstance(op, dict) or len(op) != 1:
            raise InvalidValue(f"Field '{fid}' update operations must be objects with one operation each.")
        verb, raw = next(iter(op.items()))
        if verb == "set":
            value = _parse_one(ctx, project, fid, raw)
        elif verb in ("add", "remove") and fid in _LIST_FIELDS:
            items = _parse_one(ctx, project, fid, [raw])
            value = (
                [*value, *(i for i in items if i not in value)]
                if verb == "add"
                else [v for v in value if v not in items]
            )
        else:
            raise InvalidValue(f"Could not find operation '{verb}' for field '{fid}'.")
    return value


def _comment_ops(ctx: Ctx, ops: Any, out: Parsed, errors: dict[str, str]) -> None:
    for op in ops if isinstance(ops, list) else [ops]:
        add = op.get("add") if isinstance(op, dict) else None
        if not isinstance(add, dict):
            errors["comment"] = "Could not find operation for field 'comment'."
            return
        try:
            body = parse_rich(ctx, add.get("body"))
        except InvalidValue as exc:
            errors["comment"] = str(exc)
            return
        if body is None or not as_wiki(body).strip():
            errors["comment"] = "Comment body can not be empty!"
            return
        out.comments.append((body, add.get("visibility")))


# -- applying -------------------------------------------------------------


def _describe(ctx: Ctx, fid: str, value: Any) -> tuple[str | None, str | None]:
    """(``from``/``to`` id, ``fromString``/``toString``) as Jira's changelog records a value."""
    inst = ctx.instance
    if value is None or value == []:
        return None, None
    if fid in ("assignee", "reporter") or (isinstance(value, str) and value in inst.users):
        user = inst.users.get(value)
        if user is None:
            return value, value
        return (user.account_id if ctx.cloud else user.username), user.display_name
    if fid == "issuetype":
        return value, inst.issue_types[value].name
    if fid == "priority":
        return value, inst.priorities[value].name
    if fid == "resolution":
        return value, inst.resolutions[value].name
    if fid == "status":
        return value, inst.statuses[value].name
    if fid == "parent":
        parent = inst.issues.get(value)
        return str(value), parent.key if parent else None
    if fid == "labels":
        return None, " ".join(value)
    if isinstance(value, RichText):
        return None, as_wiki(value)
    if isinstance(value, date):
        return value.isoformat(), value.isoformat()
    if isinstance(value, dict) and "value" in value:
        return str(value.get("id")), str(value["value"])
    return None, str(value)


def change_item(ctx: Ctx, fid: str, old: Any, new: Any) -> ChangeItem:
    fdef = ctx.instance.fields.get(fid)
    custom = bool(fdef and fdef.custom)
    name = fdef.name if custom and fdef else _CHANGE_NAMES.get(fid, fid)
    (from_id, from_s), (to_id, to_s) = _describe(ctx, fid, old), _describe(ctx, fid, new)
    return ChangeItem(name, fid, from_id, from_s, to_id, to_s, "custom" if custom else "jira")


def _entity_items(ctx: Ctx, fid: str, old: list[int], new: list[int]) -> list[ChangeItem]:
    table: dict[int, Any] = ctx.instance.components if fid == "components" else ctx.instance.versions
    name = _CHANGE_NAMES[fid]
    items = [
        ChangeItem(name, fid, str(i), table[i].name if i in table else None, None, None)
        for i in old
        if i not in new
    ]
    items += [
        ChangeItem(name, fid, None, None, str(i), table[i].name if i in table else None)
        for i in new
        if i not in old
    ]
    return items


def apply_values(ctx: Ctx, issue: Issue, values: dict[str, Any]) -> list[ChangeItem]:
    """Write parsed values to ``issue``; the changelog items for what actually changed."""
    items: list[ChangeItem] = []
    for fid, new in values.items():
        old = _current(issue, fid)
        if old == new:
            continue
        if fid in ("components", "fixVersions", "versions"):
            items += _entity_items(ctx, fid, list(old), list(new))
        else:
            items.append(change_item(ctx, fid, old, new))
        if fid == "parent":
            ctx.instance.set_parent(issue, new)
        elif fid in _ATTRS:
            setattr(issue, _ATTRS[fid], list(new) if fid in _LIST_FIELDS else new)
        elif new is None:
            issue.custom.pop(fid, None)
        else:
            issue.custom[fid] = new
    return items


def new_comment(ctx: Ctx, issue: Issue, body: RichText, visibility: dict[str, Any] | None) -> Comment:
    now = ctx.sandbox.clock.now()
    user = ctx.user
    comment = Comment(
        ctx.instance.new_id(), issue.id, user.account_id, body, now, now, user.account_id, visibility
    )
    issue.comments.append(comment)
    issue.updated = now
    issue.text_cache = None
    return comment


def record(ctx: Ctx, issue: Issue, items: list[ChangeItem]) -> None:
    """Stamp ``issue`` after a mutation: ``updated``, a changelog entry, stale text cache."""
    now = ctx.sandbox.clock.now()
    issue.updated = now
    issue.text_cache = None
    if items:
        author = ctx.maybe_user.account_id if ctx.maybe_user else ""
        issue.changelog.append(ChangeHistory(ctx.instance.new_id(), author, now, items))


# -- metadata (editmeta, transitions.fields) --------------------------------


# Schemas for settable system fields whose FieldDef carries none (Jira's JsonTypeBean).
_FALLBACK_SCHEMAS: dict[str, dict[str, Any]] = {"parent": {"type": "issuelink", "system": "parent"}}


def field_metadata(ctx: Ctx, project: Project, fid: str, *, required: bool = False) -> dict[str, Any] | None:
    """Jira's ``FieldMetadata`` for one settable field (``None`` for unknown ids)."""
    from .render import render_priority

    inst: Instance = ctx.instance
    fdef = inst.fields.get(fid)
    if fdef is None:
        return None
    ops = ["add", "set", "remove"] if fid in _LIST_FIELDS else ["set"]
    out: dict[str, Any] = {
        "required": required,
        "schema": fdef.schema or _FALLBACK_SCHEMAS.get(fid, {"type": "any", "system": fid}),
        "name": fdef.name,
        "key": fid,
        "operations": ops,
        "hasDefaultValue": False,
    }
    allowed: list[dict[str, Any]] | None = None
    if fid == "priority":
        allowed = [render_priority(ctx, p) for p in inst.priorities.values()]
    elif fid == "resolution":
        allowed = [
            {"self": ctx.api(f"/resolution/{r.id}"), "id": r.id, "name": r.name, "description": r.description}
            for r in inst.resolutions.values()
        ]
    elif fid == "components":
        allowed = [
            {"self": ctx.api(f"/component/{c}"), "id": str(c), "name": inst.components[c].name}
            for c in project.component_ids
            if c in inst.components
        ]
    elif fid in ("fixVersions", "versions"):
        allowed = [
            {"self": ctx.api(f"/version/{v}"), "id": str(v), "name": inst.versions[v].name}
            for v in project.version_ids
            if v in inst.versions
        ]
    elif fdef.schema and fdef.schema.get("type") == "option":
        allowed = [{"self": ctx.api(f"/customFieldOption/{o['id']}"), **o} for o in field_options(fdef)]
    if allowed is not None:
        out["allowedValues"] = allowed
    return out


# -- access ----------------------------------------------------------------

ISSUE_404 = "Issue does not exist or you do not have permission to see it."


def visible_issue(ctx: Ctx, ref: str) -> Issue:
    """The issue ``ref`` (id or key) if the caller may browse it; Jira's 404 otherwise."""
    issue = ctx.instance.find_issue(ref)
    if issue is None or not ctx.user.can(BROWSE):
        raise JiraHttpError(404, [ISSUE_404])
    return issue
