"""Finding and rendering projects, components and versions (shared by the project route modules).

Shapes follow the spec's ``Project``, ``ProjectComponent`` and ``Version``
schemas. A project the caller may not browse answers exactly like a project
that does not exist (404 "No project could be found with key 'X'."), as Jira
does, so that permissions cannot be probed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from ..http.context import Ctx
from ..http.errors import JiraHttpError, bad_request, not_found
from ..rendering.shapes import avatar_urls, jira_date, jira_datetime, render_issue_type, render_user
from ..state.model import ADMIN, BROWSE, Component, Project, User, Version

__all__ = [
    "PROJECT_ROLES",
    "find_project",
    "parse_date",
    "project_expand",
    "project_roles",
    "render_component",
    "render_project",
    "render_project_full",
    "render_version",
    "require_admin",
    "resolve_user",
]

# Expansions ``GET /project`` and ``/project/search`` understand, as Jira lists them in ``expand``.
_EXPANDS = "description,lead,issueTypes,url,projectKeys,permissions,insight"
# Jira's default project roles (name, id), as a classic project lists them.
PROJECT_ROLES = (("Administrators", 10002), ("Developers", 10000), ("Users", 10001))

# Jira writes dates for humans in the instance's short format (``6/Jul/2010``).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(ref: str) -> JiraHttpError:
    kind = "id" if ref.isdigit() else "key"
    return not_found(f"No project could be found with {kind} '{ref}'.")


def find_project(ctx: Ctx, ref: str) -> Project:
    """The project ``ref`` (id or key) if the caller may browse it; 404 otherwise."""
    project = ctx.instance.find_project(ref) if ref else None
    if project is None or not ctx.user.can(BROWSE):
        raise _missing(ref)
    return project


def require_admin(ctx: Ctx, message: str, status: int = 403) -> User:
    """The caller, who must be a Jira administrator (``status`` with ``message`` otherwise)."""
    user = ctx.user
    if not user.can(ADMIN):
        raise JiraHttpError(status, [message])
    return user


def resolve_user(ctx: Ctx, ref: Any) -> User | None:
    """A user named by account id (Cloud) or username/key (DC); None when unknown."""
    if not isinstance(ref, str) or not ref:
        return None
    user = ctx.instance.find_user(ref)
    if user is None:
        return None
    # Cloud names users only by account id; DC only by name/key.
    if ctx.cloud and ref != user.account_id:
        return None
    if not ctx.cloud and ref.lower() != user.username.lower():
        return None
    return user


def parse_date(value: Any, field: str) -> date | None:
    """An ISO ``yyyy-mm-dd`` date from a request body (None clears it)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad_request(**{field: "Invalid date format. Please enter the date in the format yyyy-MM-dd."})


def project_expand(ctx: Ctx) -> set[str]:
    return set(ctx.query_list("expand") or ())


def _user_date(value: date) -> str:
    return f"{value.day}/{_MONTHS[value.month - 1]}/{value.strftime('%y')}"


def render_project(ctx: Ctx, project: Project, expand: Collection[str] = ()) -> dict[str, Any]:
    """A project as listed by ``GET /project`` and ``/project/search`` (expansions on request)."""
    out: dict[str, Any] = {
        "expand": _EXPANDS,
        "self": ctx.api(f"/project/{project.id}"),
        "id": str(project.id),
        "key": project.key,
        "name": project.name,
        "avatarUrls": avatar_urls(ctx, "project", str(project.id)),
        "projectTypeKey": project.project_type_key,
    }
    if ctx.cloud:
        out.update({"simplified": False, "style": "classic", "isPrivate": False, "properties": {}})
    if "description" in expand:
        out["description"] = project.description
    if "lead" in expand:
        _add_lead(ctx, project, out)
    if "issueTypes" in expand:
        out["issueTypes"] = _issue_types(ctx, project)
    if "url" in expand and project.url:
        out["url"] = project.url
    if "insight" in expand and ctx.cloud:
        out["insight"] = _insight(ctx, project)
    return out


def render_project_full(ctx: Ctx, project: Project) -> dict[str, Any]:
    """A project as ``GET /project/{projectIdOrKey}`` returns it."""
    expand = project_expand(ctx)
    out: dict[str, Any] = {
        "expand": _EXPANDS,
        "self": ctx.api(f"/project/{project.id}"),
        "id": str(project.id),
        "key": project.key,
        "description": project.description,
    }
    _add_lead(ctx, project, out)
    out["components"] = [
        render_component(ctx, ctx.instance.components[c])
        for c in project.component_ids
        if c in ctx.instance.components
    ]
    out["issueTypes"] = _issue_types(ctx, project)
    if project.url:
        out["url"] = project.url
    out["assigneeType"] = project.assignee_type
    out["versions"] = [
        render_version(ctx, ctx.instance.versions[v])
        for v in project.version_ids
        if v in ctx.instance.versions
    ]
    out["name"] = project.name
    out["roles"] = project_roles(ctx, project)
    out["avatarUrls"] = avatar_urls(ctx, "project", str(project.id))
    out["projectTypeKey"] = project.project_type_key
    if ctx.cloud:
        out.update({"simplified": False, "style": "classic", "isPrivate": False, "properties": {}})
        if "insight" in expand:
            out["insight"] = _insight(ctx, project)
    return out


def project_roles(ctx: Ctx, project: Project) -> dict[str, str]:
    """Role name -> role URL, as ``roles`` in a project and ``getProjectRoles``."""
    return {name: ctx.api(f"/project/{project.id}/role/{rid}") for name, rid in PROJECT_ROLES}


def _add_lead(ctx: Ctx, project: Project, out: dict[str, Any]) -> None:
    lead = ctx.instance.users.get(project.lead)
    if lead is not None:
        out["lead"] = render_user(ctx, lead)


def _issue_types(ctx: Ctx, project: Project) -> list[dict[str, Any]]:
    types = ctx.instance.issue_types
    return [render_issue_type(ctx, types[t]) for t in project.issue_type_ids if t in types]


def _insight(ctx: Ctx, project: Project) -> dict[str, Any]:
    issues = [i for i in ctx.instance.issues.values() if i.project_id == project.id]
    out: dict[str, Any] = {"totalIssueCount": len(issues)}
    if issues:
        out["lastIssueUpdateTime"] = jira_datetime(max(i.updated for i in issues))
    return out


def render_component(ctx: Ctx, component: Component) -> dict[str, Any]:
    project = ctx.instance.projects.get(component.project_id)
    out: dict[str, Any] = {
        "self": ctx.api(f"/component/{component.id}"),
        "id": str(component.id),
        "name": component.name,
    }
    if component.description:
        out["description"] = component.description
    lead = ctx.instance.users.get(component.lead) if component.lead else None
    if lead is not None:
        out["lead"] = render_user(ctx, lead)  # leadAccountId/leadUserName are write-only
    out.update(
        {
            "assigneeType": "PROJECT_DEFAULT",
            "realAssigneeType": "PROJECT_DEFAULT",
            "isAssigneeTypeValid": False,
            "project": project.key if project else "",
            "projectId": component.project_id,
        }
    )
    return out


def render_version(ctx: Ctx, version: Version, expand: Collection[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"self": ctx.api(f"/version/{version.id}"), "id": str(version.id)}
    if version.description:
        out["description"] = version.description
    out.update({"name": version.name, "archived": version.archived, "released": version.released})
    if version.start_date is not None:
        out["startDate"] = jira_date(version.start_date)
        out["userStartDate"] = _user_date(version.start_date)
    if version.release_date is not None:
        out["releaseDate"] = jira_date(version.release_date)
        today = ctx.sandbox.clock.now().date()
        if not version.released:
            out["overdue"] = version.release_date < today
        out["userReleaseDate"] = _user_date(version.release_date)
    out["projectId"] = version.project_id
    if "issuesstatus" in expand:
        out["issuesStatusForFixVersion"] = _issues_status(ctx, version)
    if "operations" in expand:
        out["operations"] = []
    return out


def _issues_status(ctx: Ctx, version: Version) -> dict[str, int]:
    counts = {"unmapped": 0, "toDo": 0, "inProgress": 0, "done": 0}
    bucket = {"new": "toDo", "indeterminate": "inProgress", "done": "done"}
    for issue in ctx.instance.issues.values():
        if version.id in issue.fix_version_ids:
            status = ctx.instance.statuses.get(issue.status_id)
            counts[bucket[status.category] if status else "unmapped"] += 1
    return counts
