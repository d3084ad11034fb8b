"""An issue as Jira answers with it: ``IssueBean`` and the shapes embedded in it.

:class:`FieldSelection` implements the ``fields`` parameter (``*all``,
``*navigable``, explicit ids, ``-id`` exclusions; unknown ids ignored), and
:func:`render_issue` the bean with its expands (``renderedFields``, ``names``,
``schema``, ``transitions``, ``editmeta``, ``changelog``,
``versionedRepresentations``) and ``properties``. Rich text is ADF on REST v3
and a wiki string on v2 (see :mod:`jiragw.sandbox.rendering.richtext`). Comments,
changelog entries, transitions and issue links are rendered here too, since
the issue bean embeds them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..http.context import Ctx
from ..rendering.agile import sprint_field_value
from ..rendering.richtext import as_adf, as_wiki
from ..rendering.shapes import (
    jira_date,
    jira_datetime,
    render_issue_type,
    render_priority,
    render_project_ref,
    render_status,
    render_user,
)
from ..state.model import (
    SPRINT_FIELD_TYPE,
    ChangeHistory,
    Comment,
    Issue,
    IssueLink,
    IssueLinkType,
    RichText,
    Transition,
)
from .fields import EDIT_SCREEN, field_metadata

__all__ = [
    "EXPANDABLE",
    "FieldSelection",
    "render_changelog_entry",
    "render_comment",
    "render_compact_issue",
    "render_issue",
    "render_link",
    "render_link_type",
    "render_rich",
    "render_transition",
]

EXPANDABLE = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"

# System fields Jira leaves out of ``*navigable`` (search does not return them by default).
_NOT_NAVIGABLE = frozenset({"comment", "attachment"})
# Fields the bean carries that have no FieldDef of their own: id -> (name, schema).
_EXTRA_FIELDS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "subtasks": ("Sub-tasks", {"type": "array", "items": "issuelinks", "system": "subtasks"}),
    "votes": ("Votes", {"type": "votes", "system": "votes"}),
    "attachment": ("Attachment", {"type": "array", "items": "attachment", "system": "attachment"}),
    "lastViewed": ("Last Viewed", {"type": "datetime", "system": "lastViewed"}),
}
_ID_ONLY = frozenset({"id", "key", "issuekey"})


@dataclass(frozen=True, slots=True)
class FieldSelection:
    """Which fields a request asked for (the ``fields`` parameter)."""

    all: bool = False
    navigable: bool = False
    explicit: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, values: list[str] | None, default: str = "*all") -> FieldSelection:
        items = [v.strip() for v in values or [] if v.strip()]
        positive = [v for v in items if not v.startswith("-")]
        excluded = frozenset(v[1:] for v in items if v.startswith("-"))
        if not positive:
            positive = [default]  # only exclusions (or nothing): start from the default
        return cls(
            all="*all" in positive,
            navigable="*navigable" in positive,
            explicit=frozenset(v for v in positive if not v.startswith("*")),
            excluded=excluded,
        )

    def wants(self, fid: str, navigable: bool = True) -> bool:
        if fid in self.excluded:
            return False
        return self.all or fid in self.explicit or (self.navigable and navigable)

    @property
    def only_ids(self) -> bool:
        """True when nothing beyond ``id``/``key`` is requested."""
        return not self.all and not self.navigable and self.explicit <= _ID_ONLY


# -- pieces -----------------------------------------------------------------


def render_rich(ctx: Ctx, rt: RichText | None) -> Any:
    """A rich-text value in the caller's API version (ADF on v3, wiki on v2)."""
    if rt is None:
        return None
    return as_adf(rt) if ctx.v3 else as_wiki(rt)


def _user(ctx: Ctx, account_id: str | None) -> dict[str, Any] | None:
    user = ctx.instance.users.get(account_id) if account_id else None
    return render_user(ctx, user) if user else None


def render_comment(ctx: Ctx, comment: Comment, *, rendered: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "self": ctx.api(f"/issue/{comment.issue_id}/comment/{comment.id}"),
        "id": str(comment.id),
        "author": _user(ctx, comment.author),
        "body": render_rich(ctx, comment.body),
        "updateAuthor": _user(ctx, comment.update_author),
        "created": jira_datetime(comment.created),
        "updated": jira_datetime(comment.updated),
    }
    if rendered:
        out["renderedBody"] = _html(comment.body)
    if comment.visibility:
        out["visibility"] = comment.visibility
    if ctx.cloud:
        out["jsdPublic"] = True
    return out


def render_changelog_entry(ctx: Ctx, entry: ChangeHistory) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "author": _user(ctx, entry.author),
        "created": jira_datetime(entry.created),
        "items": [
            {
                "field": i.field,
                "fieldtype": i.fieldtype,
                "fieldId": i.field_id,
                "from": i.from_value,
                "fromString": i.from_string,
                "to": i.to_value,
                "toString": i.to_string,
            }
            for i in entry.items
        ],
    }


def render_compact_issue(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    """The issue shape embedded in links, parents and subtasks."""
    inst = ctx.instance
    fields: dict[str, Any] = {
        "summary": issue.summary,
        "status": render_status(ctx, inst.statuses[issue.status_id]),
        "issuetype": render_issue_type(ctx, inst.issue_types[issue.issue_type_id]),
    }
    if issue.priority_id and issue.priority_id in inst.priorities:
        fields["priority"] = render_priority(ctx, inst.priorities[issue.priority_id])
    return {"id": str(issue.id), "key": issue.key, "self": ctx.api(f"/issue/{issue.id}"), "fields": fields}


def render_link_type(ctx: Ctx, lt: IssueLinkType) -> dict[str, Any]:
    return {
        "id": lt.id,
        "name": lt.name,
        "inward": lt.inward,
        "outward": lt.outward,
        "self": ctx.api(f"/issueLinkType/{lt.id}"),
    }


def render_link(ctx: Ctx, link: IssueLink, viewed_from: Issue | None = None) -> dict[str, Any]:
    """An issue link; from one issue's side only the *other* issue is shown.

    The link's inward issue is its source: from the source's side the other
    issue appears as ``outwardIssue``, from the destination's as ``inwardIssue``.
    """
    inst = ctx.instance
    out: dict[str, Any] = {
        "id": str(link.id),
        "self": ctx.api(f"/issueLink/{link.id}"),
        "type": render_link_type(ctx, inst.link_types[link.type_id]),
    }
    inward, outward = inst.issues.get(link.inward_issue_id), inst.issues.get(link.outward_issue_id)
    if outward is not None and (viewed_from is None or viewed_from.id == link.inward_issue_id):
        out["outwardIssue"] = render_compact_issue(ctx, outward)
    if inward is not None and (viewed_from is None or viewed_from.id != link.inward_issue_id):
        out["inwardIssue"] = render_compact_issue(ctx, inward)
    return out


def render_transition(ctx: Ctx, issue: Issue, t: Transition, *, with_fields: bool) -> dict[str, Any]:
    inst = ctx.instance
    target = inst.statuses[t.to_status_id]
    screen = transition_screen(ctx, t)
    out: dict[str, Any] = {
        "id": t.id,
        "name": t.name,
        "to": render_status(ctx, target),
        "hasScreen": bool(screen),
        "isGlobal": not t.from_status_ids,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
        "isLooped": False,
    }
    if with_fields:
        project = inst.projects[issue.project_id]
        fields = {}
        for fid in sorted(screen):
            meta = field_metadata(ctx, project, fid, required=fid in t.required_fields)
            if meta is not None:
                fields[fid] = meta
        out["fields"] = fields
    return out


def transition_screen(ctx: Ctx, t: Transition) -> frozenset[str]:
    """Fields a transition's screen shows: its required fields, plus resolution into done."""
    screen = set(t.required_fields)
    if ctx.instance.statuses[t.to_status_id].category == "done":
        screen.add("resolution")
    return frozenset(screen)


def _html(rt: RichText | None) -> str | None:
    """A plain HTML rendering of rich text (``renderedFields``)."""
    if rt is None:
        return None
    paragraphs = [p for p in as_wiki(rt).split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br/>\n") + "</p>" for p in paragraphs)


# -- field values -----------------------------------------------------------

_Value = Callable[[Ctx, Issue], Any]


def _opt_user(attr: str) -> _Value:
    return lambda ctx, issue: _user(ctx, getattr(issue, attr))


def _entities(attr: str, kind: str) -> _Value:
    def value(ctx: Ctx, issue: Issue) -> list[dict[str, Any]]:
        table: dict[int, Any] = ctx.instance.components if kind == "component" else ctx.instance.versions
        out = []
        for eid in getattr(issue, attr):
            entity = table.get(eid)
            if entity is None:
                continue
            item: dict[str, Any] = {"self": ctx.api(f"/{kind}/{eid}"), "id": str(eid), "name": entity.name}
            if entity.description:
                item["description"] = entity.description
            if kind == "version":
                item["archived"] = entity.archived
                item["released"] = entity.released
                if entity.release_date:
                    item["releaseDate"] = jira_date(entity.release_date)
            out.append(item)
        return out

    return value


def _comments(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    comments = [render_comment(ctx, c) for c in issue.comments]
    return {
        "comments": comments,
        "self": ctx.api(f"/issue/{issue.id}/comment"),
        "maxResults": len(comments),
        "total": len(comments),
        "startAt": 0,
    }


def _links(ctx: Ctx, issue: Issue) -> list[dict[str, Any]]:
    links = [ctx.instance.links[i] for i in issue.link_ids if i in ctx.instance.links]
    return [render_link(ctx, link, viewed_from=issue) for link in links]


def _resolution(ctx: Ctx, issue: Issue) -> dict[str, Any] | None:
    r = ctx.instance.resolutions.get(issue.resolution_id or "")
    if r is None:
        return None
    return {"self": ctx.api(f"/resolution/{r.id}"), "id": r.id, "description": r.description, "name": r.name}


def _parent(ctx: Ctx, issue: Issue) -> dict[str, Any] | None:
    parent = ctx.instance.issues.get(issue.parent_id) if issue.parent_id else None
    return render_compact_issue(ctx, parent) if parent else None


def _subtasks(ctx: Ctx, issue: Issue) -> list[dict[str, Any]]:
    return [render_compact_issue(ctx, i) for i in ctx.instance.subtasks(issue.id)]


def _watches(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    me = ctx.maybe_user
    return {
        "self": ctx.api(f"/issue/{issue.key}/watchers"),
        "watchCount": len(issue.watchers),
        "isWatching": bool(me and me.account_id in issue.watchers),
    }


def _dt(attr: str) -> _Value:
    return lambda ctx, issue: jira_datetime(v) if (v := getattr(issue, attr)) else None


SYSTEM_VALUES: dict[str, _Value] = {
    "summary": lambda ctx, i: i.summary,
    "description": lambda ctx, i: render_rich(ctx, i.description),
    "environment": lambda ctx, i: render_rich(ctx, i.environment),
    "project": lambda ctx, i: render_project_ref(ctx, ctx.instance.projects[i.project_id]),
    "issuetype": lambda ctx, i: render_issue_type(ctx, ctx.instance.issue_types[i.issue_type_id]),
    "status": lambda ctx, i: render_status(ctx, ctx.instance.statuses[i.status_id]),
    "priority": lambda ctx, i: (
        render_priority(ctx, ctx.instance.priorities[i.priority_id]) if i.priority_id else None
    ),
    "assignee": _opt_user("assignee"),
    "reporter": _opt_user("reporter"),
    "creator": _opt_user("creator"),
    "labels": lambda ctx, i: list(i.labels),
    "created": _dt("created"),
    "updated": _dt("updated"),
    "resolution": _resolution,
    "resolutiondate": _dt("resolution_date"),
    "statuscategorychangedate": _dt("status_category_changed"),
    "duedate": lambda ctx, i: jira_date(i.due_date) if i.due_date else None,
    "components": _entities("component_ids", "component"),
    "fixVersions": _entities("fix_version_ids", "version"),
    "versions": _entities("version_ids", "version"),
    "comment": _comments,
    "issuelinks": _links,
    "parent": _parent,
    "subtasks": _subtasks,
    "watches": _watches,
    "votes": lambda ctx, i: {"self": ctx.api(f"/issue/{i.key}/votes"), "votes": 0, "hasVoted": False},
    "attachment": lambda ctx, i: [],
    "lastViewed": lambda ctx, i: None,
}


def _custom_value(ctx: Ctx, fid: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, RichText):
        return render_rich(ctx, value)
    if isinstance(value, dict) and "value" in value and "id" in value:
        return {
            "self": ctx.api(f"/customFieldOption/{value['id']}"),
            "value": value["value"],
            "id": value["id"],
        }
    fdef = ctx.instance.fields.get(fid)
    if fdef and fdef.schema and fdef.schema.get("type") == "user" and isinstance(value, str):
        return _user(ctx, value)
    if fdef and fdef.schema and fdef.schema.get("custom") == SPRINT_FIELD_TYPE and isinstance(value, list):
        return sprint_field_value(ctx, value)
    return value


def _field_ids(ctx: Ctx, issue: Issue, sel: FieldSelection) -> list[str]:
    out = []
    for fid in SYSTEM_VALUES:
        fdef = ctx.instance.fields.get(fid)
        navigable = fid not in _NOT_NAVIGABLE and (fdef.navigable if fdef else True)
        if sel.wants(fid, navigable):
            if fid == "parent" and issue.parent_id is None:
                continue  # Jira leaves ``parent`` out when there is none
            out.append(fid)
    out += [f.id for f in ctx.instance.fields.values() if f.custom and sel.wants(f.id, f.navigable)]
    return out


def _field_value(ctx: Ctx, issue: Issue, fid: str) -> Any:
    if fid in SYSTEM_VALUES:
        return SYSTEM_VALUES[fid](ctx, issue)
    return _custom_value(ctx, fid, issue.custom.get(fid))


def _rendered_value(ctx: Ctx, issue: Issue, fid: str) -> Any:
    if fid in ("description", "environment"):
        return _html(getattr(issue, fid))
    if fid == "comment":
        comments = [render_comment(ctx, c, rendered=True) for c in issue.comments]
        for c in comments:
            c["body"] = c.pop("renderedBody")
        return {"comments": comments, "maxResults": len(comments), "total": len(comments), "startAt": 0}
    value = issue.custom.get(fid)
    if isinstance(value, RichText):
        return _html(value)
    return None


def _properties(issue: Issue, wanted: list[str]) -> dict[str, Any]:
    keys = [w for w in wanted if not w.startswith("-")]
    excluded = {w[1:] for w in wanted if w.startswith("-")}
    names = list(issue.properties) if "*all" in keys else [k for k in keys if k in issue.properties]
    return {k: issue.properties[k] for k in names if k not in excluded}


def render_issue(
    ctx: Ctx, issue: Issue, sel: FieldSelection, expand: set[str], properties: list[str] | None = None
) -> dict[str, Any]:
    """The ``IssueBean`` for ``issue`` with the selected fields and expansions."""
    inst = ctx.instance
    fids = _field_ids(ctx, issue, sel)
    out: dict[str, Any] = {
        "expand": EXPANDABLE,
        "id": str(issue.id),
        "self": ctx.api(f"/issue/{issue.id}"),
        "key": issue.key,
    }
    if "renderedFields" in expand:
        out["renderedFields"] = {fid: _rendered_value(ctx, issue, fid) for fid in fids}
    if properties:
        out["properties"] = _properties(issue, properties)
    if "names" in expand:
        out["names"] = {fid: _name(ctx, fid) for fid in fids}
    if "schema" in expand:
        out["schema"] = {fid: s for fid in fids if (s := _schema(ctx, fid)) is not None}
    if "transitions" in expand:
        wf = inst.workflow_for(issue)
        out["transitions"] = [
            render_transition(ctx, issue, t, with_fields="transitions.fields" in expand)
            for t in wf.available_from(issue.status_id)
        ]
    if "editmeta" in expand:
        project = inst.projects[issue.project_id]
        meta: dict[str, Any] = {}
        for fid in [*sorted(EDIT_SCREEN), *(f.id for f in inst.fields.values() if f.custom)]:
            if (m := field_metadata(ctx, project, fid, required=fid == "summary")) is not None:
                meta[fid] = m
        out["editmeta"] = {"fields": meta}
    if "changelog" in expand:
        histories = [render_changelog_entry(ctx, h) for h in issue.changelog]
        if ctx.cloud:  # Cloud: newest first, at most 40 (see the spec's expand notes)
            histories = histories[::-1][:40]
        out["changelog"] = {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        }
    if "versionedRepresentations" in expand:
        out["versionedRepresentations"] = {fid: {"1": _field_value(ctx, issue, fid)} for fid in fids}
    else:
        out["fields"] = {fid: _field_value(ctx, issue, fid) for fid in fids}
    return out


def _name(ctx: Ctx, fid: str) -> str:
    fdef = ctx.instance.fields.get(fid)
    if fdef is not None:
        return fdef.name
    return _EXTRA_FIELDS.get(fid, (fid, None))[0]


def _schema(ctx: Ctx, fid: str) -> dict[str, Any] | None:
    fdef = ctx.instance.fields.get(fid)
    if fdef is not None:
        return fdef.schema
    return _EXTRA_FIELDS.get(fid, (fid, None))[1]
