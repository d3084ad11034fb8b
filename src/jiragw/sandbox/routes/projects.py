"""Projects: list, search, get, create, update, delete, and a project's statuses and issue types.

Implements the spec's Projects group (``getAllProjects``, ``searchProjects``,
``getRecent``, ``getProject``, ``createProject``, ``updateProject``,
``deleteProject``), ``getProjectRoles``, Project
statuses (``getAllStatuses``) and ``getIssueTypesForProject``; outside the
REST API, the ``/secure/projectavatar`` servlet that projects' ``avatarUrls``
point at. Components and versions live in :mod:`.project_parts`, create
metadata in :mod:`.createmeta`.

Permissions are global in the sandbox: browsing needs ``BROWSE_PROJECTS``,
creating, editing and deleting projects needs ``ADMINISTER``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint, servlet
from ..http.errors import bad_request, not_found
from ..rendering.shapes import avatar_image, page_bean, render_issue_type, render_status
from ..state.model import BROWSE, CREATE, Instance, Project, User
from .project_access import (
    find_project,
    project_expand,
    project_roles,
    render_project,
    render_project_full,
    require_admin,
    resolve_user,
)

_ADMIN_ONLY = "You must have global administrator rights in order to modify projects."

# Jira's project key rules (the spec's CreateProjectDetails.key), with its messages.
_KEY_PATTERN = re.compile(r"[A-Z][A-Z0-9]+")
_KEY_MAX = 10
_NAME_MAX = 80
# Keys Jira refuses because they name devices on Windows file systems.
_RESERVED_KEYS = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{n}" for n in range(1, 10)} | {f"LPT{n}" for n in range(1, 10)}
)
_PROJECT_TYPES = {
    "cloud": frozenset({"software", "business", "service_desk", "product_discovery"}),
    "dc": frozenset({"software", "business", "service_desk"}),
}
# Template key prefix -> the project type it creates (when projectTypeKey is omitted).
_TEMPLATE_TYPES = (
    ("com.pyxis.greenhopper.jira:", "software"),
    ("com.atlassian.servicedesk:", "service_desk"),
    ("com.atlassian.jira-core-project-templates:", "business"),
    ("com.atlassian.jira.jira-incident-management-plugin:", "service_desk"),
)
_ASSIGNEE_TYPES = frozenset({"PROJECT_LEAD", "UNASSIGNED"})
_RECENT = 20  # Jira lists up to 20 recent projects


def _by_name(p: Project) -> tuple[str, str]:
    return (p.name.lower(), p.key)


def _visible(ctx: Ctx) -> list[Project]:
    if not ctx.user.can(BROWSE):
        return []
    return list(ctx.instance.projects.values())


@endpoint("GET", "/rest/api/{version}/project", "getAllProjects")
async def get_all_projects(ctx: Ctx) -> list[dict[str, Any]]:
    projects = sorted(_visible(ctx), key=_by_name)
    recent = ctx.query_int("recent", 0)
    if recent:
        projects = projects[:recent]
    expand = project_expand(ctx)
    return [render_project(ctx, p, expand) for p in projects]


def _issue_stats(instance: Instance) -> dict[int, tuple[int, str]]:
    """project id -> (issue count, latest update as a sortable string)."""
    stats: dict[int, tuple[int, str]] = {}
    for issue in instance.issues.values():
        count, latest = stats.get(issue.project_id, (0, ""))
        stats[issue.project_id] = (count + 1, max(latest, issue.updated.isoformat()))
    return stats


# orderBy values of searchProjects -> sort key (project, issue stats, users).
_ORDER_KEYS: dict[str, Callable[[Project, dict[int, tuple[int, str]], dict[str, User]], Any]] = {
    "key": lambda p, s, u: p.key,
    "name": lambda p, s, u: p.name.lower(),
    "category": lambda p, s, u: p.key,  # the sandbox has no project categories
    "owner": lambda p, s, u: u[p.lead].display_name.lower() if p.lead in u else "",
    "issueCount": lambda p, s, u: s.get(p.id, (0, ""))[0],
    "lastIssueUpdatedDate": lambda p, s, u: s.get(p.id, (0, ""))[1],
    "archivedDate": lambda p, s, u: p.key,
    "deletedDate": lambda p, s, u: p.key,
}
# searchProjects ``action`` -> permission the caller needs on the project.
_ACTIONS = {"view": BROWSE, "browse": BROWSE, "edit": "ADMINISTER", "create": CREATE}


@endpoint("GET", "/rest/api/{version}/project/search", "searchProjects", flavors=("cloud",))
async def search_projects(ctx: Ctx) -> dict[str, Any]:
    action = ctx.query("action", "view") or "view"
    if action not in _ACTIONS:
        raise bad_request(f"Invalid action '{action}'. Valid values are: view, browse, edit, create.")
    projects = _visible(ctx) if ctx.user.can(_ACTIONS[action]) else []
    ids = ctx.query_list("id")
    if ids is not None:
        projects = [p for p in projects if str(p.id) in ids]
    keys = ctx.query_list("keys")
    if keys is not None:
        wanted = {k.upper() for k in keys}
        projects = [p for p in projects if p.key.upper() in wanted]
    query = (ctx.query("query") or "").lower()
    if query:
        projects = [p for p in projects if query in p.key.lower() or query in p.name.lower()]
    type_keys = ctx.query_list("typeKey")
    if type_keys is not None:
        projects = [p for p in projects if p.project_type_key in type_keys]
    status = ctx.query_list("status")
    if status is not None and "live" not in status:
        projects = []  # every sandbox project is live: none archived or in the trash
    order = ctx.query("orderBy", "key") or "key"
    descending = order.startswith("-")
    field = order.lstrip("+-")
    if field not in _ORDER_KEYS:
        raise bad_request(f"Invalid orderBy value '{order}'.")
    stats = _issue_stats(ctx.instance)
    users = ctx.instance.users
    projects.sort(key=lambda p: (_ORDER_KEYS[field](p, stats, users), p.key), reverse=descending)
    expand = project_expand(ctx)
    return page_bean(ctx, [render_project(ctx, p, expand) for p in projects])


@endpoint("GET", "/rest/api/{version}/project/recent", "getRecent")
async def get_recent(ctx: Ctx) -> list[dict[str, Any]]:
    # The sandbox keeps no view history: "recent" are the projects with the latest issue activity.
    stats = _issue_stats(ctx.instance)
    projects = sorted(_visible(ctx), key=lambda p: (stats.get(p.id, (0, ""))[1], p.id), reverse=True)
    expand = project_expand(ctx)
    return [render_project(ctx, p, expand) for p in projects[:_RECENT]]


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}/role", "getProjectRoles")
async def get_project_roles(ctx: Ctx) -> dict[str, str]:
    return project_roles(ctx, find_project(ctx, ctx.path("projectIdOrKey")))


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}", "getProject")
async def get_project(ctx: Ctx) -> dict[str, Any]:
    return render_project_full(ctx, find_project(ctx, ctx.path("projectIdOrKey")))


def _key_errors(instance: Instance, key: Any, own: Project | None = None) -> str | None:
    if not isinstance(key, str) or not key:
        return (
            "You must specify a unique project key, at least 2 characters long, "
            "containing only uppercase letters."
        )
    if len(key) > _KEY_MAX:
        return f"The project key must not exceed {_KEY_MAX} characters in length."
    if not _KEY_PATTERN.fullmatch(key):
        return (
            "Project keys must start with an uppercase letter, followed by one or more uppercase "
            "alphanumeric characters."
        )
    if key in _RESERVED_KEYS:
        return "This keyword is invalid as it is a reserved word on this operating system."
    holder = instance.find_project(key)
    if holder is not None and holder is not own:
        return f"Project '{holder.name}' uses this project key."
    return None


def _name_errors(instance: Instance, name: Any, own: Project | None = None) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "You must specify a valid project name."
    if len(name) > _NAME_MAX:
        return f"The project name must not exceed {_NAME_MAX} characters in length."
    low = name.strip().lower()
    if any(p.name.lower() == low and p is not own for p in instance.projects.values()):
        return "A project with that name already exists."
    return None


def _lead_ref(ctx: Ctx, body: dict[str, Any]) -> Any:
    # Cloud names the lead by account id (``lead`` is the deprecated alias); DC by username.
    return body.get("leadAccountId") or body.get("lead") if ctx.cloud else body.get("lead")


def _project_type(ctx: Ctx, body: dict[str, Any], errors: dict[str, str]) -> str:
    type_key = body.get("projectTypeKey")
    if type_key is None:
        template = str(body.get("projectTemplateKey") or "")
        return next((t for prefix, t in _TEMPLATE_TYPES if template.startswith(prefix)), "software")
    if type_key not in _PROJECT_TYPES[ctx.instance.kind]:
        errors["projectTypeKey"] = f"The project type '{type_key}' is invalid."
    return str(type_key)


@endpoint("POST", "/rest/api/{version}/project", "createProject")
async def create_project(ctx: Ctx) -> Reply:
    require_admin(ctx, _ADMIN_ONLY)
    body = await ctx.body_object()
    instance = ctx.instance
    errors: dict[str, str] = {}
    key, name = body.get("key"), body.get("name")
    if (problem := _key_errors(instance, key)) is not None:
        errors["projectKey"] = problem
    if (problem := _name_errors(instance, name)) is not None:
        errors["projectName"] = problem
    lead_ref = _lead_ref(ctx, body)
    lead = resolve_user(ctx, lead_ref)
    if lead is None:
        errors["projectLead"] = (
            "You must specify a valid project lead."
            if not lead_ref
            else "The user you have specified as project lead does not exist."
        )
    type_key = _project_type(ctx, body, errors)
    assignee_type = body.get("assigneeType", "UNASSIGNED")
    if assignee_type not in _ASSIGNEE_TYPES:
        errors["assigneeType"] = "Invalid assignee type."
    if errors:
        raise bad_request(**errors)
    assert isinstance(key, str)
    assert isinstance(name, str)
    assert lead is not None
    project = Project(
        id=instance.new_id(),
        key=key,
        name=name.strip(),
        lead=lead.account_id,
        issue_type_ids=list(instance.issue_types),
        description=str(body.get("description") or ""),
        project_type_key=type_key,
        assignee_type=str(assignee_type),
        url=str(body.get("url") or ""),
        created=ctx.sandbox.clock.now(),
    )
    instance.add_project(project)
    ident = {"self": ctx.api(f"/project/{project.id}"), "id": project.id, "key": project.key}
    return Reply(201, ident)


def _rename(instance: Instance, project: Project, new_key: str) -> None:
    """Give ``project`` a new key; issues are re-keyed and old keys keep resolving, as in Jira."""
    project.key = new_key
    instance.project_by_key[new_key.upper()] = project.id  # the old key stays reserved and resolvable
    for issue in instance.issues.values():
        if issue.project_id != project.id:
            continue
        instance.old_issue_keys[issue.key.upper()] = issue.id
        instance.issue_by_key.pop(issue.key.upper(), None)
        issue.key = f"{new_key}-{issue.key.rsplit('-', 1)[-1]}"
        instance.issue_by_key[issue.key.upper()] = issue.id


@endpoint("PUT", "/rest/api/{version}/project/{projectIdOrKey}", "updateProject")
async def update_project(ctx: Ctx) -> dict[str, Any]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    require_admin(ctx, _ADMIN_ONLY)
    body = await ctx.body_object()
    instance = ctx.instance
    errors: dict[str, str] = {}
    new_key = body.get("key", project.key)
    if new_key != project.key and (problem := _key_errors(instance, new_key, project)) is not None:
        errors["projectKey"] = problem
    if "name" in body and (problem := _name_errors(instance, body["name"], project)) is not None:
        errors["projectName"] = problem
    lead = None
    lead_ref = _lead_ref(ctx, body)
    if lead_ref is not None:
        lead = resolve_user(ctx, lead_ref)
        if lead is None:
            errors["projectLead"] = "The user you have specified as project lead does not exist."
    type_key = _project_type(ctx, body, errors) if "projectTypeKey" in body else project.project_type_key
    if "assigneeType" in body and body["assigneeType"] not in _ASSIGNEE_TYPES:
        errors["assigneeType"] = "Invalid assignee type."
    if errors:
        raise bad_request(**errors)
    if new_key != project.key:
        _rename(instance, project, str(new_key))
    if "name" in body:
        project.name = str(body["name"]).strip()
    if lead is not None:
        project.lead = lead.account_id
    project.project_type_key = type_key
    for attr, key in (("description", "description"), ("url", "url"), ("assignee_type", "assigneeType")):
        if key in body:
            setattr(project, attr, str(body[key] or ""))
    return render_project_full(ctx, project)


@endpoint("DELETE", "/rest/api/{version}/project/{projectIdOrKey}", "deleteProject")
async def delete_project(ctx: Ctx) -> None:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    require_admin(ctx, _ADMIN_ONLY)
    ctx.instance.remove_project(project)


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}/statuses", "getAllStatuses")
async def get_all_statuses(ctx: Ctx) -> list[dict[str, Any]]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    instance = ctx.instance
    workflow = instance.workflows[project.workflow]
    used = {workflow.initial_status_id} | {t.to_status_id for t in workflow.transitions}
    statuses = [render_status(ctx, s) for s in instance.statuses.values() if s.id in used]
    out = []
    for type_id in project.issue_type_ids:
        issue_type = instance.issue_types.get(type_id)
        if issue_type is None:
            continue
        out.append(
            {
                "self": ctx.api(f"/issueType/{issue_type.id}"),
                "id": issue_type.id,
                "name": issue_type.name,
                "subtask": issue_type.subtask,
                "statuses": statuses,
            }
        )
    return out


@endpoint("GET", "/rest/api/{version}/issuetype/project", "getIssueTypesForProject", flavors=("cloud",))
async def get_issue_types_for_project(ctx: Ctx) -> list[dict[str, Any]]:
    raw = ctx.query("projectId")
    if not raw:
        raise bad_request("The projectId parameter is required.")
    if not raw.isdigit():
        raise bad_request(f"The 'projectId' parameter must be an integer, not '{raw}'.")
    project = ctx.instance.projects.get(int(raw))
    if project is None or not ctx.user.can(BROWSE):
        raise not_found(f"No project could be found with id '{raw}'.")
    level = ctx.query("level")
    types = [ctx.instance.issue_types[t] for t in project.issue_type_ids if t in ctx.instance.issue_types]
    if level is not None:
        types = [t for t in types if str(t.hierarchy_level) == level]
    return [render_issue_type(ctx, t) for t in types]


@servlet("GET", "/secure/projectavatar", "projectavatar")
async def project_avatar(ctx: Ctx) -> Response:
    """A project's picture; like Jira with anonymous access off, only for a signed-in caller."""
    return avatar_image(ctx)


ROUTES = (
    get_all_projects,
    search_projects,
    get_recent,
    get_project_roles,
    get_project,
    create_project,
    update_project,
    delete_project,
    get_all_statuses,
    get_issue_types_for_project,
)
SERVLETS = (project_avatar,)
