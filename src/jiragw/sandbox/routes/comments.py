"""Issue comments: ``getComments``, ``addComment``, ``getComment``, ``updateComment``,
``deleteComment`` and (Cloud) ``getCommentsByIds`` (``POST /comment/list``).

Bodies are ADF on REST v3 and wiki strings on v2 (see :mod:`jiragw.sandbox.rendering.richtext`).
Adding, editing or deleting a comment bumps the issue's ``updated`` and marks its
search text stale; Jira does not record comments in the changelog.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request
from ..issues.fields import InvalidValue, new_comment, parse_rich, visible_issue
from ..issues.render import render_comment
from ..rendering.richtext import as_wiki
from ..state.model import BROWSE, COMMENT, DELETE, EDIT, Comment, Issue, RichText

__all__ = ["ROUTES"]

_ORDER_KEYS = {"created": False, "+created": False, "-created": True}
_MAX_IDS = 1000


def _comment(ctx: Ctx, issue: Issue) -> Comment:
    cid = ctx.path("id")
    for c in issue.comments:
        if str(c.id) == cid:
            return c
    raise JiraHttpError(404, [f"Can not find a comment for the id: {cid}."])


def _body(ctx: Ctx, payload: dict[str, Any]) -> RichText:
    try:
        body = parse_rich(ctx, payload.get("body"))
    except InvalidValue as exc:
        raise JiraHttpError(400, [], {"comment": str(exc)}) from None
    if body is None or not as_wiki(body).strip():
        raise JiraHttpError(400, [], {"comment": "Comment body can not be empty!"})
    return body


def _visibility(payload: dict[str, Any]) -> dict[str, Any] | None:
    vis = payload.get("visibility")
    if vis is None or (isinstance(vis, dict) and not any(vis.values())):
        return None  # Jira reads an empty visibility ({} or blank type/value) as none
    if not isinstance(vis, dict) or vis.get("type") not in ("group", "role") or not vis.get("value"):
        raise JiraHttpError(400, [], {"commentLevel": "You are currently not a member of the project role."})
    return {"type": vis["type"], "value": vis["value"], "identifier": vis.get("identifier", vis["value"])}


def _rendered(ctx: Ctx) -> bool:
    return "renderedBody" in (ctx.query_list("expand") or [])


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/comment", "getComments")
async def get_comments(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    order = ctx.query("orderBy")
    if order is not None and order not in _ORDER_KEYS:
        raise bad_request(f"Ordering by '{order}' is not supported; use 'created'.")
    comments = sorted(
        issue.comments, key=lambda c: (c.created, c.id), reverse=_ORDER_KEYS.get(order or "", False)
    )
    start = ctx.query_int("startAt", 0)
    size = min(ctx.query_int("maxResults", 100 if ctx.cloud else 5000), 100 if ctx.cloud else 5000)
    page = comments[start : start + size]
    return {
        "startAt": start,
        "maxResults": size,
        "total": len(comments),
        "comments": [render_comment(ctx, c, rendered=_rendered(ctx)) for c in page],
    }


@endpoint("POST", "/rest/api/{version}/issue/{issueIdOrKey}/comment", "addComment")
async def add_comment(ctx: Ctx) -> Reply:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    ctx.require(COMMENT, "You do not have the permission to comment on this issue.")
    payload = await ctx.body_object()
    comment = new_comment(ctx, issue, _body(ctx, payload), _visibility(payload))
    return Reply(201, render_comment(ctx, comment, rendered=_rendered(ctx)))


@endpoint("GET", "/rest/api/{version}/issue/{issueIdOrKey}/comment/{id}", "getComment")
async def get_comment(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    return render_comment(ctx, _comment(ctx, issue), rendered=_rendered(ctx))


def _may_change(ctx: Ctx, comment: Comment, permission: str) -> None:
    """Authors may change their own comments; others need the broader permission."""
    user = ctx.user
    if comment.author != user.account_id and not user.can(permission):
        verb = "edit" if permission == EDIT else "delete"
        raise JiraHttpError(400, [f"You do not have the permission to {verb} this comment."])


@endpoint("PUT", "/rest/api/{version}/issue/{issueIdOrKey}/comment/{id}", "updateComment")
async def update_comment(ctx: Ctx) -> dict[str, Any]:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    comment = _comment(ctx, issue)
    _may_change(ctx, comment, EDIT)
    payload = await ctx.body_object()
    comment.body = _body(ctx, payload)
    if "visibility" in payload:
        comment.visibility = _visibility(payload)
    now = ctx.sandbox.clock.now()
    comment.updated = now
    comment.update_author = ctx.user.account_id
    issue.updated = now
    issue.text_cache = None
    return render_comment(ctx, comment, rendered=_rendered(ctx))


@endpoint("DELETE", "/rest/api/{version}/issue/{issueIdOrKey}/comment/{id}", "deleteComment")
async def delete_comment(ctx: Ctx) -> None:
    issue = visible_issue(ctx, ctx.path("issueIdOrKey"))
    comment = _comment(ctx, issue)
    _may_change(ctx, comment, DELETE)
    issue.comments.remove(comment)
    issue.updated = ctx.sandbox.clock.now()
    issue.text_cache = None


@endpoint("POST", "/rest/api/{version}/comment/list", "getCommentsByIds", flavors=("cloud",))
async def comments_by_ids(ctx: Ctx) -> dict[str, Any]:
    payload = await ctx.body_object()
    ids = payload.get("ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("The list of comment ids must not be empty.")
    if len(ids) > _MAX_IDS:
        raise bad_request(f"The number of comment ids must not exceed {_MAX_IDS}.")
    wanted = {str(i) for i in ids}
    found: list[Comment] = []
    if ctx.user.can(BROWSE):
        found = [c for i in ctx.instance.issues.values() for c in i.comments if str(c.id) in wanted]
    found.sort(key=lambda c: c.id)
    rendered = _rendered(ctx)
    values = [render_comment(ctx, c, rendered=rendered) for c in found]
    return {
        "self": str(ctx.request.url),
        "startAt": 0,
        "maxResults": len(values),
        "total": len(values),
        "isLast": True,
        "values": values,
    }


ROUTES = (get_comments, add_comment, get_comment, update_comment, delete_comment, comments_by_ids)
