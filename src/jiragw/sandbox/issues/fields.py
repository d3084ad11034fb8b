"""Parsing and validating issue ``fields``/``update`` payloads; finding the issue a request names.

Used by create, edit and transition (``IssueUpdateDetails`` in the spec). A
payload is parsed field by field (:mod:`jiragw.sandbox.issues.field_values`) into
normalised model values, all errors gathered into one ErrorCollection worded
like Jira's; :func:`jiragw.sandbox.issues.changes.apply_values` then writes
them and returns the changelog items, and
:func:`~jiragw.sandbox.issues.changes.record` stamps the issue. Field metadata
lives in :mod:`jiragw.sandbox.issues.field_meta`. The names other modules import from
here are re-exported from those modules.

The parent a payload leaves an issue with is checked against Jira's issue
hierarchy on create, edit and transition alike (:func:`hierarchy_errors`):
a parent sits exactly one level above its child (a subtask under a standard
issue, a standard issue under an epic), a subtask always has one, in its own
project, and no issue becomes its own ancestor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..http.context import Ctx
from ..http.errors import JiraHttpError
from ..rendering.richtext import as_wiki
from ..state.model import BROWSE, Instance, Issue, Project, RichText
from .changes import apply_values, change_item, current_value, new_comment, record
from .field_meta import field_metadata
from .field_values import LIST_FIELDS, InvalidValue, field_options, parse_rich, parse_value, user_ref_id
from .sprints import SPRINT_FIELD, schedule_refusal

__all__ = [
    "EDIT_SCREEN",
    "ISSUE_404",
    "InvalidValue",
    "Parsed",
    "apply_values",
    "change_item",
    "field_metadata",
    "field_options",
    "hierarchy_errors",
    "new_comment",
    "not_on_screen",
    "parse_payload",
    "parse_rich",
    "record",
    "user_ref_id",
    "visible_issue",
]


# Fields on the default create/edit screen (custom fields are always on it).
EDIT_SCREEN = frozenset(
    {
        "summary", "description", "environment", "issuetype", "priority", "assignee", "reporter",
        "labels", "duedate", "components", "fixVersions", "versions", "parent",
    }
)  # fmt: skip


def not_on_screen(fid: str) -> str:
    return f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."


@dataclass(slots=True)
class Parsed:
    """Normalised values by field id, plus comments to add (``update.comment``)."""

    values: dict[str, Any] = field(default_factory=dict)
    comments: list[tuple[RichText, dict[str, Any] | None]] = field(default_factory=list)


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
            out.values[fid] = parse_value(ctx, project, fid, raw)
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
            out.values[fid] = _apply_ops(
                ctx, project, fid, ops, out.values.get(fid, current_value(ctx, issue, fid))
            )
        except InvalidValue as exc:
            errors[fid] = str(exc)
    if ("parent" in out.values or "issuetype" in out.values) and not {"parent", "issuetype"} & set(errors):
        errors.update(hierarchy_errors(ctx, project, issue, out.values))
    if SPRINT_FIELD in out.values and SPRINT_FIELD not in errors:
        reason = _sprint_refusal(ctx, issue, out.values)
        if reason:
            errors[SPRINT_FIELD] = reason
    if errors:
        raise JiraHttpError(400, [], errors)
    return out


def _sprint_refusal(ctx: Ctx, issue: Issue | None, values: dict[str, Any]) -> str | None:
    """Why the Sprint field cannot take its parsed value on this issue (type as the payload leaves it)."""
    type_id = values.get("issuetype") or (issue.issue_type_id if issue else None)
    sprint_id = values[SPRINT_FIELD]
    sprint = ctx.instance.sprints.get(sprint_id) if sprint_id is not None else None
    return schedule_refusal(ctx.instance, type_id, sprint)


NO_PARENT = "Issue type is a sub-task but parent issue key or id not specified."
WRONG_LEVEL = "Given parent work item does not belong to appropriate hierarchy."
OTHER_PROJECT = "A sub-task must be in the same project as its parent."
OWN_ANCESTOR = "An issue cannot be its own parent, nor the parent of an issue above it."


def hierarchy_errors(
    ctx: Ctx, project: Project, issue: Issue | None, values: dict[str, Any]
) -> dict[str, str]:
    """The ``parent`` error, if the type and parent the payload leaves ``issue`` with break the hierarchy.

    ``issue`` is ``None`` on create; ``project`` is the one the issue is (to be) in.
    """
    inst = ctx.instance
    type_id = values.get("issuetype") or (issue.issue_type_id if issue else None)
    issue_type = inst.issue_types.get(type_id or "")
    if issue_type is None:
        return {}
    parent_id = values.get("parent", issue.parent_id if issue else None)
    if parent_id is None:
        return {"parent": NO_PARENT} if issue_type.subtask else {}
    parent = inst.issues[parent_id]
    if issue is not None and _ancestor_or_self(inst, issue.id, parent):
        return {"parent": OWN_ANCESTOR}
    if inst.issue_types[parent.issue_type_id].hierarchy_level != issue_type.hierarchy_level + 1:
        return {"parent": WRONG_LEVEL}
    if issue_type.subtask and parent.project_id != project.id:
        return {"parent": OTHER_PROJECT}
    return {}


def _ancestor_or_self(inst: Instance, issue_id: int, start: Issue) -> bool:
    """Whether ``issue_id`` is ``start`` or one of its ancestors (a cycle in the data stops the walk)."""
    seen: set[int] = set()
    node: Issue | None = start
    while node is not None and node.id not in seen:
        if node.id == issue_id:
            return True
        seen.add(node.id)
        node = inst.issues.get(node.parent_id) if node.parent_id is not None else None
    return False


def _apply_ops(ctx: Ctx, project: Project, fid: str, ops: Any, current: Any) -> Any:
    if not isinstance(ops, list):
        raise InvalidValue(f"Field '{fid}' update operations must be a list.")
    value = current
    for op in ops:
        if not isinstance(op, dict) or len(op) != 1:
            raise InvalidValue(f"Field '{fid}' update operations must be objects with one operation each.")
        verb, raw = next(iter(op.items()))
        if verb == "set":
            value = parse_value(ctx, project, fid, raw)
        elif verb in ("add", "remove") and fid in LIST_FIELDS:
            items = parse_value(ctx, project, fid, [raw])
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


# -- access ----------------------------------------------------------------

ISSUE_404 = "Issue does not exist or you do not have permission to see it."


def visible_issue(ctx: Ctx, ref: str) -> Issue:
    """The issue ``ref`` (id or key) if the caller may browse it; Jira's 404 otherwise."""
    issue = ctx.instance.find_issue(ref)
    if issue is None or not ctx.user.can(BROWSE):
        raise JiraHttpError(404, [ISSUE_404])
    return issue
