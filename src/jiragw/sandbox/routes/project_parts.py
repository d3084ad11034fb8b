"""Project components and versions: list (plain and paginated), create, get, update, delete.

Implements the spec's Project components group (``getProjectComponents``,
``getProjectComponentsPaginated``, ``createComponent``, ``getComponent``,
``updateComponent``, ``deleteComponent``, ``getComponentRelatedIssues``) and
Project versions group (``getProjectVersions``, ``getProjectVersionsPaginated``,
``createVersion``, ``getVersion``, ``updateVersion``, ``deleteVersion``,
``getVersionRelatedIssues``).

Changing components or versions needs ``ADMINISTER`` (Jira: project or global
administrator). Jira Cloud refuses version changes with 400, not 403, and the
sandbox keeps that quirk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request, not_found
from ..rendering.shapes import page_bean
from ..state.model import BROWSE, Component, Instance, Project, Version
from .project_access import (
    find_project,
    parse_date,
    project_expand,
    render_component,
    render_version,
    require_admin,
    resolve_user,
)

_NAME_MAX = 255
_COMPONENT_ADMIN = "You must have global or project administrator rights in order to modify components."
_VERSION_ADMIN = "You must have global or project administrator rights in order to modify versions."


# -- components -----------------------------------------------------------


def _component(ctx: Ctx, raw: str) -> Component:
    component = ctx.instance.components.get(int(raw)) if raw.isdigit() else None
    if component is None or not ctx.user.can(BROWSE):
        raise not_found(f"The component with id {raw} does not exist.")
    return component


def _component_issue_count(instance: Instance, component_id: int) -> int:
    return sum(1 for i in instance.issues.values() if component_id in i.component_ids)


def _lead_field(ctx: Ctx) -> str:
    return "leadAccountId" if ctx.cloud else "leadUserName"


def _component_lead(ctx: Ctx, body: dict[str, Any], errors: dict[str, str]) -> str | None:
    field = _lead_field(ctx)
    ref = body.get(field)
    if ref is None or ref == "":
        return None
    user = resolve_user(ctx, ref)
    if user is None:
        errors[field] = f"The user {ref} does not exist."
        return None
    return user.account_id


def _component_name_error(project: Project, instance: Instance, name: Any, own: int | None) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "The component name must not be empty."
    if len(name) > _NAME_MAX:
        return f"The component name must not exceed {_NAME_MAX} characters."
    for cid in project.component_ids:
        other = instance.components.get(cid)
        if other is not None and cid != own and other.name.lower() == name.strip().lower():
            return f"A component with the name {name.strip()} already exists in this project."
    return None


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}/components", "getProjectComponents")
async def get_project_components(ctx: Ctx) -> list[dict[str, Any]]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    comps = ctx.instance.components
    return [render_component(ctx, comps[c]) for c in project.component_ids if c in comps]


_COMPONENT_ORDER: dict[str, Callable[[Component, Instance], Any]] = {
    "name": lambda c, i: c.name.lower(),
    "description": lambda c, i: c.description.lower(),
    "issueCount": lambda c, i: _component_issue_count(i, c.id),
    "lead": lambda c, i: i.users[c.lead].display_name.lower() if c.lead in i.users else "",
}


@endpoint(
    "GET",
    "/rest/api/{version}/project/{projectIdOrKey}/component",
    "getProjectComponentsPaginated",
    flavors=("cloud",),
)
async def get_project_components_paginated(ctx: Ctx) -> dict[str, Any]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    instance = ctx.instance
    comps = [instance.components[c] for c in project.component_ids if c in instance.components]
    query = (ctx.query("query") or "").lower()
    if query:
        comps = [c for c in comps if query in c.name.lower() or query in c.description.lower()]
    order = ctx.query("orderBy")
    if order:
        field = order.lstrip("+-")
        if field not in _COMPONENT_ORDER:
            raise bad_request(f"Invalid orderBy value '{order}'.")
        comps.sort(key=lambda c: (_COMPONENT_ORDER[field](c, instance), c.id), reverse=order.startswith("-"))
    values = []
    for component in comps:
        entry = render_component(ctx, component)
        entry["issueCount"] = _component_issue_count(instance, component.id)
        values.append(entry)
    return page_bean(ctx, values)


@endpoint("POST", "/rest/api/{version}/component", "createComponent")
async def create_component(ctx: Ctx) -> Reply:
    body = await ctx.body_object()
    key = body.get("project")
    if not isinstance(key, str) or not key:
        raise bad_request(project="The project key must be specified.")
    project = find_project(ctx, key)
    require_admin(ctx, _COMPONENT_ADMIN)
    instance = ctx.instance
    errors: dict[str, str] = {}
    name = body.get("name")
    if (problem := _component_name_error(project, instance, name, None)) is not None:
        errors["name"] = problem
    lead = _component_lead(ctx, body, errors)
    if errors:
        raise bad_request(**errors)
    assert isinstance(name, str)
    component = Component(
        id=instance.new_id(),
        project_id=project.id,
        name=name.strip(),
        description=str(body.get("description") or ""),
        lead=lead,
    )
    instance.components[component.id] = component
    project.component_ids.append(component.id)
    return Reply(201, render_component(ctx, component))


@endpoint("GET", "/rest/api/{version}/component/{id}", "getComponent")
async def get_component(ctx: Ctx) -> dict[str, Any]:
    return render_component(ctx, _component(ctx, ctx.path("id")))


@endpoint("PUT", "/rest/api/{version}/component/{id}", "updateComponent")
async def update_component(ctx: Ctx) -> dict[str, Any]:
    component = _component(ctx, ctx.path("id"))
    require_admin(ctx, _COMPONENT_ADMIN)
    body = await ctx.body_object()
    instance = ctx.instance
    project = instance.projects[component.project_id]
    errors: dict[str, str] = {}
    if (
        "name" in body
        and (problem := _component_name_error(project, instance, body["name"], component.id)) is not None
    ):
        errors["name"] = problem
    lead = _component_lead(ctx, body, errors)
    if errors:
        raise bad_request(**errors)
    if "name" in body:
        component.name = str(body["name"]).strip()
    if "description" in body:
        component.description = str(body["description"] or "")
    if _lead_field(ctx) in body:
        component.lead = lead  # an empty or null lead clears it
    return render_component(ctx, component)


@endpoint("DELETE", "/rest/api/{version}/component/{id}", "deleteComponent")
async def delete_component(ctx: Ctx) -> None:
    component = _component(ctx, ctx.path("id"))
    require_admin(ctx, _COMPONENT_ADMIN)
    instance = ctx.instance
    target: int | None = None
    move_to = ctx.query("moveIssuesTo")
    if move_to:
        target = _component(ctx, move_to).id
    for issue in instance.issues.values():
        if component.id in issue.component_ids:
            issue.component_ids.remove(component.id)
            if target is not None and target not in issue.component_ids:
                issue.component_ids.append(target)
    instance.components.pop(component.id, None)
    project = instance.projects.get(component.project_id)
    if project is not None and component.id in project.component_ids:
        project.component_ids.remove(component.id)


@endpoint("GET", "/rest/api/{version}/component/{id}/relatedIssueCounts", "getComponentRelatedIssues")
async def get_component_related_issues(ctx: Ctx) -> dict[str, Any]:
    component = _component(ctx, ctx.path("id"))
    return {
        "self": ctx.api(f"/component/{component.id}"),
        "issueCount": _component_issue_count(ctx.instance, component.id),
    }


# -- versions -------------------------------------------------------------


def _version(ctx: Ctx, raw: str) -> Version:
    version = ctx.instance.versions.get(int(raw)) if raw.isdigit() else None
    if version is None or not ctx.user.can(BROWSE):
        raise not_found(f"Could not find version for id '{raw}'")
    return version


def _version_name_error(project: Project, instance: Instance, name: Any, own: int | None) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "You must specify a valid version name"
    if len(name) > _NAME_MAX:
        return f"The version name must not exceed {_NAME_MAX} characters."
    for vid in project.version_ids:
        other = instance.versions.get(vid)
        if other is not None and vid != own and other.name.lower() == name.strip().lower():
            return "A version with this name already exists in this project."
    return None


def _require_version_admin(ctx: Ctx) -> None:
    require_admin(ctx, _VERSION_ADMIN, status=400)


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}/versions", "getProjectVersions")
async def get_project_versions(ctx: Ctx) -> list[dict[str, Any]]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    versions = ctx.instance.versions
    expand = project_expand(ctx)
    return [render_version(ctx, versions[v], expand) for v in project.version_ids if v in versions]


_VERSION_ORDER: dict[str, Callable[[Version, int], Any]] = {
    "sequence": lambda v, n: n,
    "name": lambda v, n: v.name.lower(),
    "description": lambda v, n: v.description.lower(),
    "releaseDate": lambda v, n: (v.release_date is None, v.release_date),
    "startDate": lambda v, n: (v.start_date is None, v.start_date),
}
# status filter value -> predicate
_VERSION_STATUS: dict[str, Callable[[Version], bool]] = {
    "released": lambda v: v.released and not v.archived,
    "unreleased": lambda v: not v.released and not v.archived,
    "archived": lambda v: v.archived,
}


@endpoint("GET", "/rest/api/{version}/project/{projectIdOrKey}/version", "getProjectVersionsPaginated")
async def get_project_versions_paginated(ctx: Ctx) -> dict[str, Any]:
    project = find_project(ctx, ctx.path("projectIdOrKey"))
    instance = ctx.instance
    versions = [instance.versions[v] for v in project.version_ids if v in instance.versions]
    sequence = {v.id: n for n, v in enumerate(versions)}
    query = (ctx.query("query") or "").lower()
    if query:
        versions = [v for v in versions if query in v.name.lower() or query in v.description.lower()]
    statuses = ctx.query_list("status")
    if statuses is not None:
        unknown = [s for s in statuses if s not in _VERSION_STATUS]
        if unknown:
            raise bad_request(f"Invalid status value '{unknown[0]}'.")
        versions = [v for v in versions if any(_VERSION_STATUS[s](v) for s in statuses)]
    order = ctx.query("orderBy") or "sequence"
    field = order.lstrip("+-")
    if field not in _VERSION_ORDER:
        raise bad_request(f"Invalid orderBy value '{order}'.")
    versions.sort(
        key=lambda v: (_VERSION_ORDER[field](v, sequence[v.id]), v.id), reverse=order.startswith("-")
    )
    expand = project_expand(ctx)
    return page_bean(ctx, [render_version(ctx, v, expand) for v in versions])


def _version_project(ctx: Ctx, body: dict[str, Any]) -> Project:
    ref = body.get("projectId", body.get("project"))
    if ref is None or ref == "":
        raise bad_request(project="Project must be specified to create a version.")
    return find_project(ctx, str(ref))


def _apply_dates(version: Version, body: dict[str, Any], errors: dict[str, str]) -> None:
    for key, attr in (("releaseDate", "release_date"), ("startDate", "start_date")):
        if key in body:
            try:
                setattr(version, attr, parse_date(body[key], key))
            except JiraHttpError as exc:
                errors.update(exc.errors)
    if version.start_date and version.release_date and version.start_date > version.release_date:
        errors["startDate"] = "The start date must be before the release date."


@endpoint("POST", "/rest/api/{version}/version", "createVersion")
async def create_version(ctx: Ctx) -> Reply:
    body = await ctx.body_object()
    project = _version_project(ctx, body)
    _require_version_admin(ctx)
    instance = ctx.instance
    errors: dict[str, str] = {}
    name = body.get("name")
    if (problem := _version_name_error(project, instance, name, None)) is not None:
        errors["name"] = problem
    version = Version(
        id=0,
        project_id=project.id,
        name=str(name or "").strip(),
        description=str(body.get("description") or ""),
        released=bool(body.get("released", False)),
        archived=bool(body.get("archived", False)),
    )
    _apply_dates(version, body, errors)
    if errors:
        raise bad_request(**errors)
    version.id = instance.new_id()
    instance.versions[version.id] = version
    project.version_ids.append(version.id)
    return Reply(201, render_version(ctx, version))


@endpoint("GET", "/rest/api/{version}/version/{id}", "getVersion")
async def get_version(ctx: Ctx) -> dict[str, Any]:
    return render_version(ctx, _version(ctx, ctx.path("id")), project_expand(ctx))


@endpoint("PUT", "/rest/api/{version}/version/{id}", "updateVersion")
async def update_version(ctx: Ctx) -> dict[str, Any]:
    version = _version(ctx, ctx.path("id"))
    _require_version_admin(ctx)
    body = await ctx.body_object()
    instance = ctx.instance
    project = instance.projects[version.project_id]
    errors: dict[str, str] = {}
    if (
        "name" in body
        and (problem := _version_name_error(project, instance, body["name"], version.id)) is not None
    ):
        errors["name"] = problem
    # Dates are validated on a copy so that a refused update changes nothing.
    draft = Version(version.id, version.project_id, version.name, release_date=version.release_date)
    draft.start_date = version.start_date
    _apply_dates(draft, body, errors)
    move_to: Version | None = None
    if body.get("moveUnfixedIssuesTo"):
        move_to = _version(ctx, str(body["moveUnfixedIssuesTo"]).rstrip("/").rsplit("/", 1)[-1])
    if errors:
        raise bad_request(**errors)
    if "name" in body:
        version.name = str(body["name"]).strip()
    if "description" in body:
        version.description = str(body["description"] or "")
    for key in ("released", "archived"):
        if key in body:
            setattr(version, key, bool(body[key]))
    version.release_date, version.start_date = draft.release_date, draft.start_date
    if move_to is not None:
        for issue in instance.issues.values():
            if version.id in issue.fix_version_ids and issue.resolution_id is None:
                issue.fix_version_ids.remove(version.id)
                if move_to.id not in issue.fix_version_ids:
                    issue.fix_version_ids.append(move_to.id)
    return render_version(ctx, version)


def _swap(ids: list[int], old: int, new: int | None) -> None:
    if old in ids:
        ids.remove(old)
        if new is not None and new not in ids:
            ids.append(new)


@endpoint("DELETE", "/rest/api/{version}/version/{id}", "deleteVersion")
async def delete_version(ctx: Ctx) -> None:
    version = _version(ctx, ctx.path("id"))
    _require_version_admin(ctx)
    fix_to = ctx.query("moveFixIssuesTo")
    affected_to = ctx.query("moveAffectedIssuesTo")
    fix_target = _version(ctx, fix_to).id if fix_to else None
    affected_target = _version(ctx, affected_to).id if affected_to else None
    instance = ctx.instance
    for issue in instance.issues.values():
        _swap(issue.fix_version_ids, version.id, fix_target)
        _swap(issue.version_ids, version.id, affected_target)
    instance.versions.pop(version.id, None)
    project = instance.projects.get(version.project_id)
    if project is not None and version.id in project.version_ids:
        project.version_ids.remove(version.id)


@endpoint("GET", "/rest/api/{version}/version/{id}/relatedIssueCounts", "getVersionRelatedIssues")
async def get_version_related_issues(ctx: Ctx) -> dict[str, Any]:
    version = _version(ctx, ctx.path("id"))
    issues = ctx.instance.issues.values()
    return {
        "self": ctx.api(f"/version/{version.id}"),
        "issuesFixedCount": sum(1 for i in issues if version.id in i.fix_version_ids),
        "issuesAffectedCount": sum(1 for i in issues if version.id in i.version_ids),
        "issueCountWithCustomFieldsShowingVersion": 0,
    }


ROUTES = (
    get_project_components,
    get_project_components_paginated,
    create_component,
    get_component,
    update_component,
    delete_component,
    get_component_related_issues,
    get_project_versions,
    get_project_versions_paginated,
    create_version,
    get_version,
    update_version,
    delete_version,
    get_version_related_issues,
)
