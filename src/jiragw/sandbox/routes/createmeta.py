"""Create metadata: which issue types a project offers and which fields creating one takes.

Implements ``getCreateIssueMetaIssueTypes`` and ``getCreateIssueMetaIssueTypeId``
(``/issue/createmeta/{projectIdOrKey}/issuetypes[/{issueTypeId}]``, Cloud and
DC 8.4+) and the older ``getCreateIssueMeta`` (``/issue/createmeta``), which
Cloud deprecated but still serves.

The two flavours page differently, as the real products do: Cloud answers
``{"issueTypes": [...]}`` / ``{"fields": [...]}`` with ``startAt``,
``maxResults`` and ``total``; DC answers a ``values`` page with ``isLast``
(what the ``jira`` PyPI client reads). Field entries come from
:func:`jiragw.sandbox.issues.fields.field_metadata`, so the allowed values a
client reads here are exactly what issue create accepts.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import bad_request, not_found
from ..issues.fields import EDIT_SCREEN, field_metadata
from ..rendering.shapes import avatar_urls, render_issue_type, render_project_ref
from ..state.model import CREATE, IssueType, Project
from .project_access import find_project

_PAGE_LIMIT = 200
# Fields creating an issue requires, and those subtasks require on top.
_REQUIRED = frozenset({"project", "issuetype", "summary"})
_SUBTASK_REQUIRED = frozenset({"parent"})
# The create screen's system fields, in the order Jira lists them.
# Schemas for fields whose definition has none (Jira describes the parent as an issue link).
_SCHEMA_FALLBACK: dict[str, dict[str, Any]] = {"parent": {"type": "issuelink", "system": "parent"}}
_SCREEN_ORDER = (
    "summary", "issuetype", "parent", "components", "description", "project", "reporter", "fixVersions",
    "priority", "labels", "environment", "duedate", "versions", "assignee",
)  # fmt: skip


def _issue_types(ctx: Ctx, project: Project) -> list[IssueType]:
    if not ctx.user.can(CREATE):
        return []  # Jira lists only what the caller may create
    types = ctx.instance.issue_types
    return [types[t] for t in project.issue_type_ids if t in types]


def _type_json(ctx: Ctx, issue_type: IssueType) -> dict[str, Any]:
    return render_issue_type(ctx, issue_type)


def _autocomplete(ctx: Ctx, project: Project, fid: str) -> str | None:
    if fid in ("assignee", "reporter"):
        param = "query" if ctx.cloud else "username"
        return ctx.api(f"/user/assignable/search?project={project.key}&{param}=")
    if fid == "labels":
        return (
            ctx.api("/label/suggest?query=") if ctx.cloud else ctx.url("/rest/api/1.0/labels/suggest?query=")
        )
    return None


def _fields(ctx: Ctx, project: Project, issue_type: IssueType) -> list[dict[str, Any]]:
    """The create screen of ``issue_type`` in ``project`` as FieldCreateMetadata entries."""
    required = _REQUIRED | (_SUBTASK_REQUIRED if issue_type.subtask else frozenset())
    screen = [f for f in _SCREEN_ORDER if f in EDIT_SCREEN or f == "project"]
    screen += sorted(f.id for f in ctx.instance.fields.values() if f.custom)
    out = []
    for fid in screen:
        meta = field_metadata(ctx, project, fid, required=fid in required)
        if meta is None:
            continue
        if meta["schema"] is None:
            if fid not in _SCHEMA_FALLBACK:
                continue
            meta["schema"] = dict(_SCHEMA_FALLBACK[fid])
        if fid == "project":
            meta["allowedValues"] = [render_project_ref(ctx, project)]
        elif fid == "issuetype":
            meta["allowedValues"] = [_type_json(ctx, issue_type)]
            meta["operations"] = []
        elif fid == "priority" and ctx.instance.default_priority_id in ctx.instance.priorities:
            meta["hasDefaultValue"] = True
            default = meta.get("allowedValues", [])
            meta["defaultValue"] = next(
                (p for p in default if p.get("id") == ctx.instance.default_priority_id), None
            )
        url = _autocomplete(ctx, project, fid)
        if url is not None:
            meta["autoCompleteUrl"] = url
        meta["fieldId"] = fid
        out.append(meta)
    return out


def _page(ctx: Ctx, items: list[dict[str, Any]], cloud_key: str) -> dict[str, Any]:
    start = ctx.query_int("startAt", 0)
    size = ctx.query_int("maxResults", 50)
    if size > _PAGE_LIMIT:
        raise bad_request(f"Parameter 'maxResults' must not exceed the limit '{_PAGE_LIMIT}'")
    values = items[start : start + size]
    if ctx.cloud:
        return {"startAt": start, "maxResults": size, "total": len(items), cloud_key: values}
    return {
        "self": str(ctx.request.url),
        "maxResults": size,
        "startAt": start,
        "total": len(items),
        "isLast": start + size >= len(items),
        "values": values,
    }


@endpoint(
    "GET",
    "/rest/api/{version}/issue/createmeta/{projectIdOrKey}/issuetypes",
    "getCreateIssueMetaIssueTypes",
)
async def get_create_meta_issue_types(ctx: Ctx) -> dict[str, Any]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    return _page(ctx, [_type_json(ctx, t) for t in _issue_types(ctx, project)], "issueTypes")


@endpoint(
    "GET",
    "/rest/api/{version}/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
    "getCreateIssueMetaIssueTypeId",
)
async def get_create_meta_fields(ctx: Ctx) -> dict[str, Any]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    type_id = ctx.path("issueTypeId")
    issue_type = next((t for t in _issue_types(ctx, project) if t.id == type_id), None)
    if issue_type is None:
        raise not_found(f"The issue type with id '{type_id}' does not exist.")
    return _page(ctx, _fields(ctx, project, issue_type), "fields")


def _selected_projects(ctx: Ctx) -> list[Project]:
    ids = ctx.query_list("projectIds")
    keys = ctx.query_list("projectKeys")
    projects = sorted(ctx.instance.projects.values(), key=lambda p: p.id)
    if ids is not None or keys is not None:
        wanted_ids = set(ids or ())
        wanted_keys = {k.upper() for k in keys or ()}
        projects = [p for p in projects if str(p.id) in wanted_ids or p.key.upper() in wanted_keys]
    return projects


@endpoint("GET", "/rest/api/{version}/issue/createmeta", "getCreateIssueMeta")
async def get_create_meta(ctx: Ctx) -> dict[str, Any]:
    expand = set(ctx.query_list("expand") or ())
    with_fields = "projects.issuetypes.fields" in expand
    type_ids = ctx.query_list("issuetypeIds")
    type_names = {n.lower() for n in ctx.query_list("issuetypeNames") or ()}
    projects = []
    for project in _selected_projects(ctx):
        types = _issue_types(ctx, project)
        if not types:
            continue  # unknown projects and those the caller cannot create in are left out
        if type_ids is not None or type_names:
            types = [t for t in types if t.id in (type_ids or ()) or t.name.lower() in type_names]
        rendered = []
        for issue_type in types:
            entry = {"expand": "fields", **_type_json(ctx, issue_type)}
            if with_fields:
                # The old endpoint keys fields by id and does not repeat it inside.
                metas = _fields(ctx, project, issue_type)
                entry["fields"] = {m.pop("fieldId"): m for m in metas}
            rendered.append(entry)
        projects.append(
            {
                "expand": "issuetypes",
                "self": ctx.api(f"/project/{project.id}"),
                "id": str(project.id),
                "key": project.key,
                "name": project.name,
                "avatarUrls": avatar_urls(ctx, "project", str(project.id)),
                "issuetypes": rendered,
            }
        )
    return {"expand": "projects", "projects": projects}


ROUTES = (get_create_meta_issue_types, get_create_meta_fields, get_create_meta)
