"""Issue tools: get, create, update, transition, assign, link (Jira "Issues", "Issue links").

Markdown in and out (ADF on Cloud, wiki markup on Data Center, converted by
the SDK); custom fields by the names people use. ``create_issue`` reads the
create screen first, so a missing required field or a value Jira would refuse
comes back as one clear message listing the allowed values, before any write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput
from jiragw.jira.resources import from_jira_text
from jiragw.jira.urlpath import path

from ..arguments import ISSUE_KEY, PROJECT_KEY
from ..issue_view import issue_data, issue_line, issue_ref
from ..render import joined, name_of, short_date, text_value
from ..tool import Call, Op, Result, ToolSpec
from .users_fields import USER_SEARCH, resolve_user

__all__ = ["TOOLS"]

FIELD_LIST = Op("GET", "/rest/api/3/field")
GET_ISSUE = Op("GET", "/rest/api/3/issue/ABC-1")
_COMMENTS_SHOWN = 20
_AUTO = frozenset({"project", "issuetype", "summary", "reporter"})  # filled by the tool or by Jira


def _comment_lines(call: Call, comments: list[dict[str, Any]]) -> list[str]:
    lines = []
    for c in comments:
        body = from_jira_text(call.jira.ctx, c.get("body"))
        who = name_of(c.get("author")) or "someone"
        lines.append(f"- {who}, {short_date(c.get('created'))} [id {c.get('id')}]: {body}")
    return lines


def _links(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each link as (how it reads from this issue, the other issue's key)."""
    out = []
    for link in fields.get("issuelinks") or []:
        ltype = link.get("type") or {}
        if "outwardIssue" in link:
            out.append((str(ltype.get("outward", "relates to")), str(link["outwardIssue"].get("key"))))
        elif "inwardIssue" in link:
            out.append((str(ltype.get("inward", "relates to")), str(link["inwardIssue"].get("key"))))
    return out


async def _get(call: Call, args: Mapping[str, Any]) -> Result:
    key = str(args["key"])
    raw = await call.jira.ctx.get(path("/issue/{}", key))
    names = await call.jira.fields.names()
    data = issue_data(raw, names, everything=True)
    index = issue_ref(data)
    f = raw.get("fields") or {}
    lines = [f"{data['key']}: {data.get('summary', '')}"]
    lines.append(
        joined(
            [
                data.get("type"),
                data.get("status"),
                data.get("priority"),
                f"assignee {data.get('assignee') or 'none'}",
                f"created {data.get('created')}",
                f"updated {data.get('updated')}",
            ]
        )
    )
    extras = data.get("fields") or {}
    if extras:
        lines.append("; ".join(f"{k}: {text_value(v)}" for k, v in extras.items()))
    links = _links(f)
    if links:
        index["links"] = [other for _, other in links]
        lines.append("Links: " + "; ".join(f"{how} {other}" for how, other in links))
    subtasks = [
        (str(sub.get("key")), name_of((sub.get("fields") or {}).get("status")))
        for sub in f.get("subtasks") or []
    ]
    if subtasks:
        index["subtasks"] = [sub for sub, _ in subtasks]
        lines.append("Subtasks: " + ", ".join(f"{sub} ({status})" for sub, status in subtasks))
    if args.get("transitions", True):
        transitions = await call.jira.issues.transitions(key)
        targets = sorted({t.to.name for t in transitions if t.to is not None})
        if targets:
            index["transitions"] = targets
            lines.append("Can move to: " + ", ".join(targets))
    description = from_jira_text(call.jira.ctx, f.get("description"))
    if description:
        lines += ["", "Description:", description]
    block = f.get("comment") or {}
    comments = list(block.get("comments") or [])
    if args.get("comments", True) and comments:
        shown = comments[-_COMMENTS_SHOWN:]
        total = int(block.get("total") or len(comments))
        index["comment_ids"] = [str(c.get("id")) for c in shown]
        head = f"Comments ({total}):" if total == len(shown) else f"Comments (last {len(shown)} of {total}):"
        lines += ["", head, *_comment_lines(call, shown)]
        if total > len(shown):
            index["comments_total"] = total
            lines.append("Older comments: list_comments.")
    return Result("\n".join(lines), index)


# -- writing -------------------------------------------------------------------------------


def _allowed_names(meta: Mapping[str, Any]) -> list[str]:
    return [str(name_of(v)) for v in meta.get("allowedValues") or [] if name_of(v)]


def _coerce(meta: Mapping[str, Any] | None, label: str, value: Any) -> Any:
    """``value`` as Jira wants it for a field with allowed values (a name becomes ``{"id": ...}``)."""
    if meta is None or not meta.get("allowedValues"):
        return value
    allowed = meta["allowedValues"]

    def one(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        for option in allowed:
            if v.casefold() in {str(name_of(option) or "").casefold(), str(option.get("id", ""))}:
                return {"id": str(option["id"])}
        raise InvalidInput(
            f"{label} does not accept {v!r}; allowed: {', '.join(_allowed_names(meta))}",
            details={"field": label, "available": _allowed_names(meta)},
        )

    if isinstance(value, list):
        return [one(v) for v in value]
    return one(value)


async def _create(call: Call, args: Mapping[str, Any]) -> Result:
    jira = call.jira
    project, itype, summary = str(args["project"]), str(args["issue_type"]), str(args["summary"])
    meta = await jira.projects.create_fields(project, itype)
    if not meta:
        types = [t.name for t in await jira.projects.issue_types(project)]
        raise InvalidInput(
            f"project {project} has no issue type {itype!r}; choose one of {', '.join(types)}",
            details={"field": "issue_type", "available": types},
        )
    given: dict[str, Any] = {}
    for name, value in dict(args.get("fields") or {}).items():
        fid = await jira.fields.resolve(name)
        given[fid] = _coerce(meta.get(fid), name, value)
    for fid, arg in (("priority", "priority"), ("parent", "parent")):
        if args.get(arg):
            given[fid] = {"key": args[arg]} if fid == "parent" else _coerce(meta.get(fid), arg, args[arg])
    provided = set(given) | {"description"} if args.get("description") else set(given)
    if args.get("assignee"):
        provided.add("assignee")
    if args.get("labels"):
        provided.add("labels")
    missing = [
        (fid, m)
        for fid, m in meta.items()
        if m.get("required") and not m.get("hasDefaultValue") and fid not in _AUTO and fid not in provided
    ]
    if missing:
        parts = []
        for fid, m in missing:
            allowed = _allowed_names(m)
            label = str(m.get("name") or fid)
            parts.append(f"{label} (one of: {', '.join(allowed[:25])})" if allowed else label)
        raise InvalidInput(
            f"{project} {itype} needs these fields: {'; '.join(parts)}. Pass them in 'fields' by name",
            details={"missing": [str(m.get("name") or fid) for fid, m in missing]},
        )
    assignee = await resolve_user(call, str(args["assignee"])) if args.get("assignee") else None
    issue = await jira.issues.create(
        project,
        summary,
        itype,
        description=args.get("description"),
        fields=given,
        assignee=assignee,
        labels=list(args["labels"]) if args.get("labels") else None,
    )
    data = issue_data(issue.raw, {})
    return Result("Created " + issue_line(data), issue_ref(data))


async def _field_values(call: Call, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Field values by id, option-typed strings wrapped as Jira wants them."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        field = await call.jira.fields.get(name)
        kind = field.schema_type
        items = (field.raw.get("schema") or {}).get("items")
        if kind == "option" and isinstance(value, str):
            value = {"value": value}
        elif kind == "array" and items == "option" and isinstance(value, list):
            value = [{"value": v} if isinstance(v, str) else v for v in value]
        elif kind == "user" and isinstance(value, str):
            value = {"accountId" if call.cloud else "name": await resolve_user(call, value)}
        out[field.id] = value
    return out


async def _update(call: Call, args: Mapping[str, Any]) -> Result:
    key = str(args["key"])
    fields = await _field_values(call, dict(args.get("fields") or {}))
    if args.get("priority"):
        fields["priority"] = {"name": args["priority"]}
    if args.get("labels") is not None:
        fields["labels"] = list(args["labels"])
    if not fields and args.get("summary") is None and args.get("description") is None:
        raise InvalidInput("nothing to change: give summary, description, priority, labels or fields")
    await call.jira.issues.edit(
        key, summary=args.get("summary"), description=args.get("description"), fields=fields
    )
    changed = sorted(
        [
            *(k for k in ("summary", "description", "priority", "labels") if args.get(k) is not None),
            *(args.get("fields") or {}),
        ]
    )
    return Result(f"Updated {key}: {', '.join(changed)}.", {"key": key, "changed": changed})


async def _transition(call: Call, args: Mapping[str, Any]) -> Result:
    key = str(args["key"])
    chosen = await call.jira.issues.transition(
        key, str(args["to"]), fields=args.get("fields") or None, comment=args.get("comment")
    )
    status = chosen.to.name if chosen.to else chosen.name
    return Result(f"{key} moved to {status}.", {"key": key, "status": status})


async def _assign(call: Call, args: Mapping[str, Any]) -> Result:
    key = str(args["key"])
    who = args.get("assignee")
    if who in (None, "", "unassigned"):
        await call.jira.issues.assign(key, None)
        return Result(f"{key} is now unassigned.", {"key": key, "assignee": None})
    ref = await resolve_user(call, str(who))
    await call.jira.issues.assign(key, ref)
    return Result(f"{key} is now assigned to {who} ({ref}).", {"key": key, "assignee": ref})


async def _link(call: Call, args: Mapping[str, Any]) -> Result:
    ltype = str(args.get("type") or "Relates")
    types = await call.jira.issues.link_types()
    names = {str(t.get("name")).casefold(): str(t.get("name")) for t in types}
    if ltype.casefold() not in names:
        raise InvalidInput(
            f"no link type named {ltype!r}; choose one of {', '.join(names.values())}",
            details={"field": "type", "available": list(names.values())},
        )
    inward, outward = str(args["from_key"]), str(args["to_key"])
    await call.jira.issues.link(inward, outward, names[ltype.casefold()])
    text = f"Linked {inward} → {outward} ({names[ltype.casefold()]})."
    return Result(text, {"from": inward, "to": outward, "type": names[ltype.casefold()]})


KEY = ISSUE_KEY
FIELDS = {
    "type": "object",
    "description": "Other fields by name (or id): {'Story Points': 5, 'Team': 'Falcon'}.",
    "additionalProperties": True,
}
MARKDOWN = {"type": "string", "description": "Markdown."}

TOOLS = (
    ToolSpec(
        name="get_issue",
        title="Get an issue",
        description=(
            "One issue: summary, type, status, priority, people, dates, every non-empty field by name, "
            "links, subtasks, the statuses it can move to, the "
            "description and the latest comments as Markdown."
        ),
        properties={
            "key": KEY,
            "comments": {"type": "boolean", "default": True, "description": "Include comments."},
            "transitions": {
                "type": "boolean",
                "default": True,
                "description": "Include statuses it can move to.",
            },
        },
        required=("key",),
        ops=(GET_ISSUE, FIELD_LIST, Op("GET", "/rest/api/3/issue/ABC-1/transitions")),
        handler=_get,
    ),
    ToolSpec(
        name="create_issue",
        title="Create an issue",
        description=(
            "Create an issue. 'description' is Markdown; 'fields' sets "
            "other fields by name. A missing required "
            "field or a refused value is reported with the allowed values before anything is created."
        ),
        properties={
            "project": PROJECT_KEY,
            "issue_type": {"type": "string", "description": "Issue type name, e.g. Task, Bug, Story."},
            "summary": {"type": "string", "minLength": 1},
            "description": MARKDOWN,
            "assignee": {"type": "string", "description": "Name, email or account id."},
            "priority": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}},
            "parent": {**ISSUE_KEY, "description": "Parent issue key (for subtasks)."},
            "fields": FIELDS,
        },
        required=("project", "issue_type", "summary"),
        ops=(
            Op("GET", "/rest/api/3/issue/createmeta", "cloud"),
            Op("GET", "/rest/api/3/project/ABC", "dc"),
            Op("GET", "/rest/api/3/issue/createmeta/ABC/issuetypes/1", "dc"),
            FIELD_LIST,
            USER_SEARCH,
            Op("POST", "/rest/api/3/issue"),
            GET_ISSUE,
        ),
        handler=_create,
        read_only=False,
        idempotent=False,
    ),
    ToolSpec(
        name="update_issue",
        title="Update an issue",
        description=(
            "Change an issue's summary, description (Markdown), priority, labels or other fields by name."
        ),
        properties={
            "key": KEY,
            "summary": {"type": "string", "minLength": 1},
            "description": MARKDOWN,
            "priority": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}, "description": "Replaces the labels."},
            "fields": FIELDS,
        },
        required=("key",),
        ops=(FIELD_LIST, USER_SEARCH, Op("PUT", "/rest/api/3/issue/ABC-1")),
        handler=_update,
        read_only=False,
        destructive=True,
    ),
    ToolSpec(
        name="transition_issue",
        title="Move an issue to a status",
        description=(
            "Move an issue to the status named 'to' (e.g. 'In Progress', 'Done'), optionally with a Markdown "
            "comment and screen fields by name (e.g. {'Resolution': 'Fixed'}). Lists the reachable statuses "
            "when 'to' is not one."
        ),
        properties={"key": KEY, "to": {"type": "string"}, "comment": MARKDOWN, "fields": FIELDS},
        required=("key", "to"),
        ops=(
            Op("GET", "/rest/api/3/issue/ABC-1/transitions"),
            Op("POST", "/rest/api/3/issue/ABC-1/transitions"),
            FIELD_LIST,
        ),
        handler=_transition,
        read_only=False,
        idempotent=False,
    ),
    ToolSpec(
        name="assign_issue",
        title="Assign an issue",
        description=(
            "Assign an issue to a user (name, email or account id); 'unassigned' or empty unassigns it."
        ),
        properties={"key": KEY, "assignee": {"type": "string"}},
        required=("key", "assignee"),
        ops=(USER_SEARCH, Op("PUT", "/rest/api/3/issue/ABC-1/assignee")),
        handler=_assign,
        read_only=False,
    ),
    ToolSpec(
        name="link_issues",
        title="Link two issues",
        description=(
            "Link two issues with a link type by name (e.g. Relates, Blocks, Duplicate): from_key is the "
            "link's inward issue, to_key its outward one. Lists the "
            "site's link types when the name is unknown."
        ),
        properties={"from_key": KEY, "to_key": KEY, "type": {"type": "string", "default": "Relates"}},
        required=("from_key", "to_key"),
        ops=(Op("GET", "/rest/api/3/issueLinkType"), Op("POST", "/rest/api/3/issueLink")),
        handler=_link,
        read_only=False,
        idempotent=False,
    ),
)
