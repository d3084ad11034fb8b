"""Issues: create (single and bulk), get, bulk fetch, edit, delete, assign, changelog.

Operations ``createIssue``, ``createIssues``, ``getIssue``, ``bulkFetchIssues``
(Cloud), ``editIssue``, ``deleteIssue``, ``assignIssue`` and ``getChangeLogs``
(Cloud) of the platform spec's "Issues" group. Payload validation lives in
:mod:`jiragw.sandbox.issues.fields`, the issue's JSON in
:mod:`jiragw.sandbox.issues.render`. Issue properties (``getIssuePropertyKeys``,
``get/set/deleteIssueProperty``) and watchers (``getIssueWatchers``,
``addWatcher``, ``removeWatcher``) close the module.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request
from ..issues.fields import (
    EDIT_SCREEN,
    ISSUE_404,
    InvalidValue,
    apply_values,
    change_item,
    new_comment,
    parse_payload,
    record,
    user_ref_id,
    visible_issue,
)
from ..issues.render import FieldSelection, render_changelog_entry, render_issue
from ..rendering.shapes import page_bean, render_user
from ..state.model import BROWSE, CREATE, DELETE, EDIT, Issue, Project
from .transitions import perform_transition

__all__ = ["ROUTES", "create_one"]

_BULK_CREATE_MAX = 50
_BULK_FETCH_MAX = 100


def _issue_ref(ctx: Ctx, issue: Issue) -> dict[str, str]:
    return {"id": str(issue.id), "key": issue.key, "self": ctx.api(f"/issue/{issue.id}")}


def _project_of(ctx: Ctx, fields: dict[str, Any]) -> Project:
    raw = fields.get("project")
    if raw is None:
        raise JiraHttpError(400, [], {"project": "project is required"})
    ref = (raw.get("id") or raw.get("key")) if isinstance(raw, dict) else raw
    project = ctx.instance.find_project(str(ref)) if ref is not None else None
    if project is None:
        raise JiraHttpError(400, [], {"project": "valid project is required"})
    return project


async def create_one(ctx: Ctx, body: Any) -> Issue:
    """Validate and create one issue from an ``IssueUpdateDetails`` body."""
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
        raise bad_request("Can not deserialize instance of fields out of the request body.")
    user = ctx.require(CREATE, "You do not have permission to create issues in this project.")
    fields = dict(body["fields"])
    project = _project_of(ctx, fields)
    fields.pop("project")
    errors: dict[str, str] = {}
    if "issuetype" not in fields:
        errors["issuetype"] = "issue type is required"
    if "summary" not in fields and "summary" not in (body.get("update") or {}):
        errors["summary"] = "You must specify a summary of the issue."
    try:
        parsed = parse_payload(ctx, project, None, fields, body.get("update"), screen=EDIT_SCREEN)
    except JiraHttpError as exc:
        raise JiraHttpError(400, exc.error_messages, {**errors, **exc.errors}) from None
    if errors:
        raise JiraHttpError(400, [], errors)
    values = parsed.values
    issue_type = ctx.instance.issue_types[values.pop("issuetype")]
    now = ctx.sandbox.clock.now()
    project.issue_counter += 1
    workflow = ctx.instance.workflows[project.workflow]
    issue = Issue(
        id=ctx.instance.new_id(),
        key=f"{project.key}-{project.issue_counter}",
        project_id=project.id,
        issue_type_id=issue_type.id,
        summary="",
        status_id=workflow.initial_status_id,
        reporter=user.account_id,
        creator=user.account_id,
        created=now,
        updated=now,
        priority_id=ctx.instance.default_priority_id,
        assignee=project.lead if project.assignee_type == "PROJECT_LEAD" else None,
        status_category_changed=now,
    )
    apply_values(ctx, issue, values)  # creation itself is not a changelog entry in Jira
    ctx.instance.add_issue(issue)
    for rich, visibility in parsed.comments:
        new_comment(ctx, issue, rich, visibility)
    _set_properties(issue, body.get("properties"))
    if body.get("transition"):
        await perform_transition(ctx, issue, {"transition": body["transition"]})
    return issue


def _set_properties(issue: Issue, props: Any) -> None:
    for prop in props if isinstance(props, list) else []:
        if isinstance(prop, dict) and isinstance(prop.get("key"), str):
            issue.properties[prop["key"]] = prop.get("value")


@endpoint("POST", "/rest/api/{version}/issue", "createIssue")
async def create_issue(ctx: Ctx) -> Reply:
    issue = await create_one(ctx, await ctx.body_object())
    return Reply(201, _issue_ref(ctx, issue))


@endpoint("POST", "/rest/api/{version}/issue/bulk", "createIssues")
async def create_issues(ctx: Ctx) -> Reply:
    body = await ctx.body_object()
    updates = body.get("issueUpdates")
    if not isinstance(updates, list) or not updates:
        raise bad_request("Nothing to create: 'issueUpdates' must be a non-empty list.")
    if len(updates) > _BULK_CREATE_MAX:
        raise bad_request(f"Bulk create supports at most {_BULK_CREATE_MAX} issues.")
    created: list[dict[str, str]] = []
    errors: list[dict[str, Any]] = []
    for n, item in enumerate(updates):
        try:
            created.append(_issue_ref(ctx, await create_one(ctx, item)))
        except JiraHttpError as exc:
            errors.append({"status": exc.http_status, "elementErrors": exc.body(), "failedElementNumber": n})
    return Reply(201 if created else 400, {"issues": created, "errors": errors})


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}", "getIssue")
async def get_issue(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    sel = FieldSelection.parse(ctx.query_list("fields"), default="*all")
    ctx.cost_issues = 0 if sel.only_ids else 1
    expand = set(ctx.query_list("expand") or [])
    return render_issue(ctx, issue, sel, expand, ctx.query_list("properties"))


@endpoint("POST", "/rest/api/{version}/issue/bulkfetch", "bulkFetchIssues", flavors=("cloud",))
async def bulk_fetch(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body_object()
    refs = body.get("issueIdsOrKeys")
    if not isinstance(refs, list) or not refs:
        raise bad_request("At least one issue id or key must be provided in 'issueIdsOrKeys'.")
    if len(refs) > _BULK_FETCH_MAX:
        raise bad_request(f"The number of issue ids or keys must not exceed {_BULK_FETCH_MAX}.")
    sel = FieldSelection.parse(_str_list(body.get("fields")), default="*navigable")
    expand = set(_str_list(body.get("expand")) or [])
    properties = _str_list(body.get("properties"))
    found: dict[int, Issue] = {}
    errors: list[dict[str, str]] = []
    for ref in refs:
        issue = ctx.instance.find_issue(str(ref))
        if issue is None or not ctx.user.can(BROWSE):
            errors.append({"id": str(ref), "errorMessage": ISSUE_404})
        else:
            found[issue.id] = issue
    ctx.cost_issues = 0 if sel.only_ids else len(found)
    issues = [render_issue(ctx, found[i], sel, expand, properties) for i in sorted(found)]
    return {"issues": issues, "issueErrors": errors}


def _str_list(raw: Any) -> list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(",") if p.strip()]
    if isinstance(raw, list):
        return [p.strip() for v in raw if isinstance(v, str) for p in v.split(",") if p.strip()]
    raise bad_request("Expected a list of strings.")


@endpoint("PUT", "/rest/api/{version}/issue/{issueIdOrKey}", "editIssue")
async def edit_issue(ctx: Ctx) -> Reply | None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(EDIT, "You do not have permission to edit issues in this project.")
    body = await ctx.body_object()
    project = ctx.instance.projects[issue.project_id]
    parsed = parse_payload(ctx, project, issue, body.get("fields"), body.get("update"), screen=EDIT_SCREEN)
    items = apply_values(ctx, issue, parsed.values)
    for rich, visibility in parsed.comments:
        new_comment(ctx, issue, rich, visibility)
    _set_properties(issue, body.get("properties"))
    record(ctx, issue, items)
    if ctx.query_bool("returnIssue", False):
        expand = set(ctx.query_list("expand") or [])
        return Reply(200, render_issue(ctx, issue, FieldSelection.parse(None), expand))
    return None


@endpoint("DELETE", "/rest/api/{version}/issue/{issueIdOrKey}", "deleteIssue")
async def delete_issue(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(DELETE, "You do not have permission to delete issues in this project.")
    has_subtasks = bool(ctx.instance.subtasks(issue.id))
    if has_subtasks and not ctx.query_bool("deleteSubtasks", False):
        raise bad_request(
            f"The issue '{issue.key}' has subtasks. "
            "You must specify the 'deleteSubtasks' parameter to delete this issue and all its subtasks."
        )
    ctx.instance.remove_issue(issue)


@endpoint("PUT", "/rest/api/{version}/issue/{issueIdOrKey}/assignee", "assignIssue")
async def assign_issue(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(EDIT, "You do not have permission to assign issues in this project.")
    body = await ctx.body_object()
    key = "accountId" if ctx.cloud else "name"
    keys = ("accountId", "name", "key") if ctx.cloud else ("name", "key", "accountId")
    present = [k for k in keys if k in body]
    if not present:
        raise (
            bad_request(f"'{key}' must be specified.")
            if ctx.cloud
            else bad_request("'name' must be specified.")
        )
    raw = body[present[0]]
    project = ctx.instance.projects[issue.project_id]
    if raw == "-1":  # automatic: the project's default assignee
        new = project.lead if project.assignee_type == "PROJECT_LEAD" else None
    else:
        try:
            new = user_ref_id(ctx, None if raw is None else {present[0]: raw})
        except InvalidValue as exc:
            raise JiraHttpError(400, [], {"assignee": str(exc)}) from None
    if new != issue.assignee:
        items = [change_item(ctx, "assignee", issue.assignee, new)]
        issue.assignee = new
        record(ctx, issue, items)


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/changelog", "getChangeLogs", flavors=("cloud",))
async def get_changelogs(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    entries = [render_changelog_entry(ctx, h) for h in issue.changelog]
    return page_bean(ctx, entries, default_max=100, cap=100)


# -- issue properties ---------------------------------------------------------

_MAX_PROPERTY_BYTES = 32768


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/properties", "getIssuePropertyKeys")
async def property_keys(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    return {
        "keys": [
            {"self": ctx.api(f"/issue/{issue.key}/properties/{k}"), "key": k}
            for k in sorted(issue.properties)
        ]
    }


def _property_key(ctx: Ctx) -> str:
    key = ctx.path("propertyKey")
    if len(key) > 255:
        raise bad_request("The property key cannot be longer than 255 characters.")
    return key


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/properties/{propertyKey}", "getIssueProperty")
async def get_property(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    key = _property_key(ctx)
    if key not in issue.properties:
        raise JiraHttpError(404, [f"The property with key '{key}' does not exist."])
    return {"key": key, "value": issue.properties[key]}


@endpoint("PUT", "/rest/api/{version}/issue/{issueIdOrKey}/properties/{propertyKey}", "setIssueProperty")
async def set_property(ctx: Ctx) -> Reply:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(EDIT, "You do not have permission to edit issues in this project.")
    key = _property_key(ctx)
    raw = await ctx.request.body()
    if not raw:
        raise bad_request("The property value must not be empty.")
    if len(raw) > _MAX_PROPERTY_BYTES:
        raise bad_request(f"The property value cannot be longer than {_MAX_PROPERTY_BYTES} bytes.")
    value = await ctx.body()
    created = key not in issue.properties
    issue.properties[key] = value
    return Reply(201 if created else 200)


@endpoint(
    "DELETE", "/rest/api/{version}/issue/{issueIdOrKey}/properties/{propertyKey}", "deleteIssueProperty"
)
async def delete_property(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(EDIT, "You do not have permission to edit issues in this project.")
    key = _property_key(ctx)
    if issue.properties.pop(key, _MISSING) is _MISSING:
        raise JiraHttpError(404, [f"The property with key '{key}' does not exist."])


_MISSING: Any = object()


# -- watchers ---------------------------------------------------------------


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/watchers", "getIssueWatchers")
async def get_watchers(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    watchers = [ctx.instance.users[a] for a in sorted(issue.watchers) if a in ctx.instance.users]
    return {
        "self": ctx.api(f"/issue/{issue.key}/watchers"),
        "isWatching": ctx.user.account_id in issue.watchers,
        "watchCount": len(watchers),
        "watchers": [render_user(ctx, u) for u in watchers],
    }


def _watcher(ctx: Ctx, ref: Any) -> str:
    user = ctx.instance.find_user(str(ref)) if ref else None
    if user is None or not user.active:
        raise JiraHttpError(404, [f'The user "{ref}" does not exist.' if ref else "User not found."])
    return user.account_id


def _manage_watchers(ctx: Ctx, account_id: str) -> None:
    if account_id != ctx.user.account_id and not ctx.user.can(EDIT):
        raise JiraHttpError(403, ["You do not have the permission to manage the watcher list."])


@endpoint("POST", "/rest/api/{version}/issue/{issueIdOrKey}/watchers", "addWatcher")
async def add_watcher(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ref = await ctx.body()  # a bare JSON string; no body means the caller
    if ref is not None and not isinstance(ref, str):
        raise bad_request("The request body must be a JSON string naming the user.")
    account_id = _watcher(ctx, ref) if ref else ctx.user.account_id
    _manage_watchers(ctx, account_id)
    issue.watchers.add(account_id)


@endpoint("DELETE", "/rest/api/{version}/issue/{issueIdOrKey}/watchers", "removeWatcher")
async def remove_watcher(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ref = ctx.query("accountId") or ctx.query("username")
    if not ref:
        raise bad_request("accountId must be specified." if ctx.cloud else "username must be specified.")
    account_id = _watcher(ctx, ref)
    _manage_watchers(ctx, account_id)
    issue.watchers.discard(account_id)


ROUTES = (
    create_issue,
    create_issues,
    get_issue,
    bulk_fetch,
    edit_issue,
    delete_issue,
    assign_issue,
    get_changelogs,
    property_keys,
    get_property,
    set_property,
    delete_property,
    get_watchers,
    add_watcher,
    remove_watcher,
)
