"""Writing parsed field values to an issue, and the changelog Jira records for them.

:func:`apply_values` takes what :mod:`jiragw.sandbox.issues.field_values` parsed,
writes it to the issue and returns the changelog items Jira would record for
what actually changed (the ``field``, ``from``/``fromString`` and
``to``/``toString`` of the platform spec's ``ChangeDetails``); :func:`record`
stamps the issue after any mutation (``updated``, a changelog entry, a stale
text cache).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..http.context import Ctx
from ..rendering.richtext import as_wiki
from ..state.model import ChangeHistory, ChangeItem, Comment, Issue, RichText
from .field_values import LIST_FIELDS
from .sprints import SPRINT_FIELD, follow_parent, open_sprint, schedule, sprint_change

__all__ = ["apply_values", "change_item", "current_value", "new_comment", "record"]


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


def current_value(ctx: Ctx, issue: Issue | None, fid: str) -> Any:
    """Field ``fid``'s value on ``issue`` in the form its parser returns (a new issue: empty).

    The Sprint field's is the issue's open sprint: the one a value set replaces.
    """
    if issue is None:
        return [] if fid in LIST_FIELDS else None
    if fid == SPRINT_FIELD:
        return open_sprint(ctx.instance, issue)
    if fid in _ATTRS:
        return getattr(issue, _ATTRS[fid])
    return issue.custom.get(fid)


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
    """Write parsed values to ``issue``; the changelog items for what actually changed.

    A subtask given a new parent (on create too) takes that parent's open sprint.
    """
    items: list[ChangeItem] = []
    reparented = False
    for fid, new in values.items():
        if fid == SPRINT_FIELD:
            items += _schedule(ctx, issue, new)
            continue
        old = current_value(ctx, issue, fid)
        if old == new:
            continue
        if fid in ("components", "fixVersions", "versions"):
            items += _entity_items(ctx, fid, list(old), list(new))
        else:
            items.append(change_item(ctx, fid, old, new))
        if fid == "parent":
            ctx.instance.set_parent(issue, new)
            reparented = True
        elif fid in _ATTRS:
            setattr(issue, _ATTRS[fid], list(new) if fid in LIST_FIELDS else new)
        elif new is None:
            issue.custom.pop(fid, None)
        else:
            issue.custom[fid] = new
    if reparented:
        # After the loop: the issue type the payload leaves decides whether it follows.
        moved = follow_parent(ctx.instance, issue)
        if moved is not None and moved[0] != moved[1]:
            items.append(sprint_change(ctx.instance, *moved))
    return items


def _schedule(ctx: Ctx, issue: Issue, sprint_id: int | None) -> list[ChangeItem]:
    """Move ``issue`` (and its subtasks) into the sprint or, for ``None``, the backlog.

    The changelog item for ``issue``; each subtask that moved gets its own entry.
    """
    inst = ctx.instance
    items: list[ChangeItem] = []
    sprint = inst.sprints[sprint_id] if sprint_id is not None else None
    for each, old, new in schedule(inst, issue, sprint):
        if each is issue:
            items.append(sprint_change(inst, old, new))
        else:
            record(ctx, each, [sprint_change(inst, old, new)])
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
