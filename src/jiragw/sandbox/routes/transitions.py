"""Issue transitions: ``getTransitions`` and ``doTransition``.

Transitions come from the project's workflow (``defaults.WORKFLOWS``). Moving
into a ``done``-category status sets the resolution (the payload's, else
"Done") and ``resolutiondate``; moving out of ``done`` clears both. The status
change, resolution and any screen fields are recorded in the changelog.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..http.errors import JiraHttpError
from ..issues.fields import apply_values, change_item, new_comment, parse_payload, record, visible_issue
from ..issues.render import render_transition, transition_screen
from ..state.model import TRANSITION, ChangeItem, Issue, Transition

__all__ = ["ROUTES", "perform_transition"]

_DEFAULT_RESOLUTION = "Done"


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/transitions", "getTransitions")
async def get_transitions(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    expand = set(ctx.query_list("expand") or [])
    wanted = ctx.query("transitionId")
    available = ctx.instance.workflow_for(issue).available_from(issue.status_id)
    if not ctx.user.can(TRANSITION):
        available = []  # Jira lists only transitions the caller may perform
    return {
        "expand": "transitions",
        "transitions": [
            render_transition(ctx, issue, t, with_fields="transitions.fields" in expand)
            for t in available
            if wanted is None or t.id == wanted
        ],
    }


@endpoint("POST", "/rest/api/{version}/issue/{issueIdOrKey}/transitions", "doTransition")
async def do_transition(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    if not ctx.user.can(TRANSITION):
        raise JiraHttpError(400, ["You do not have permission to transition this issue."])
    body = await ctx.body_object()
    await perform_transition(ctx, issue, body)


def _find_transition(ctx: Ctx, issue: Issue, raw: Any) -> Transition:
    ident = raw.get("id") if isinstance(raw, dict) else None
    if ident is None:
        raise JiraHttpError(400, ["Missing 'transition' identifier"])
    for t in ctx.instance.workflow_for(issue).available_from(issue.status_id):
        if t.id == str(ident):
            return t
    raise JiraHttpError(400, [f"Transition id '{ident}' is not valid for this issue."])


async def perform_transition(ctx: Ctx, issue: Issue, body: dict[str, Any]) -> None:
    """Run the transition named by ``body["transition"]`` with its fields and update."""
    t = _find_transition(ctx, issue, body.get("transition"))
    project = ctx.instance.projects[issue.project_id]
    parsed = parse_payload(
        ctx, project, issue, body.get("fields"), body.get("update"), screen=transition_screen(ctx, t)
    )
    missing = {
        f: f"{ctx.instance.fields[f].name} is required." for f in t.required_fields if f not in parsed.values
    }
    if missing:
        raise JiraHttpError(400, [], missing)
    values = dict(parsed.values)
    items = _status_items(ctx, issue, t, values.pop("resolution", None))
    items += apply_values(ctx, issue, values)
    for rich, visibility in parsed.comments:
        new_comment(ctx, issue, rich, visibility)
    record(ctx, issue, items)


def _status_items(ctx: Ctx, issue: Issue, t: Transition, resolution: str | None) -> list[ChangeItem]:
    inst = ctx.instance
    now = ctx.sandbox.clock.now()
    old_status, new_status = inst.statuses[issue.status_id], inst.statuses[t.to_status_id]
    items = [change_item(ctx, "status", old_status.id, new_status.id)]
    issue.status_id = new_status.id
    if old_status.category != new_status.category:
        issue.status_category_changed = now
    if new_status.category == "done":
        default = next((r.id for r in inst.resolutions.values() if r.name == _DEFAULT_RESOLUTION), None)
        new_resolution = resolution or issue.resolution_id or default
    else:
        new_resolution = None
    if new_resolution != issue.resolution_id:
        items.append(change_item(ctx, "resolution", issue.resolution_id, new_resolution))
        issue.resolution_id = new_resolution
        issue.resolution_date = now if new_resolution else None
    return items


ROUTES = (get_transitions, do_transition)
