"""Issue links and link types: ``linkIssues``, ``getIssueLink``, ``deleteIssueLink``,
``getIssueLinkTypes`` and ``getIssueLinkType``.

A link's ``inwardIssue`` (as posted) is its source and ``outwardIssue`` its
destination, as in Jira: the source "blocks" the destination. Linking and
unlinking record a ``Link`` changelog item on both issues, as Jira does.
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request
from ..issues.fields import InvalidValue, new_comment, parse_rich, record, visible_issue
from ..issues.render import render_link, render_link_type
from ..state.model import EDIT, ChangeItem, Issue, IssueLink, IssueLinkType

__all__ = ["ROUTES"]


def _link_type(ctx: Ctx, raw: Any) -> IssueLinkType:
    if not isinstance(raw, dict) or not (raw.get("id") or raw.get("name")):
        raise bad_request("Issue link type is required: give its 'id' or 'name'.")
    for lt in ctx.instance.link_types.values():
        if lt.id == str(raw.get("id")) or (not raw.get("id") and lt.name.lower() == str(raw["name"]).lower()):
            return lt
    what = f"id '{raw['id']}'" if raw.get("id") else f"name '{raw['name']}'"
    raise JiraHttpError(404, [f"No issue link type with {what} found."])


def _linked(ctx: Ctx, raw: Any) -> Issue:
    ref = (raw.get("key") or raw.get("id")) if isinstance(raw, dict) else None
    if not ref:
        raise bad_request("Both 'inwardIssue' and 'outwardIssue' must name an issue by 'id' or 'key'.")
    try:
        return visible_issue(ctx, str(ref))
    except JiraHttpError:
        raise JiraHttpError(404, ["Issue Does Not Exist"]) from None


def _link_items(ctx: Ctx, link: IssueLink, *, added: bool) -> None:
    inst = ctx.instance
    lt = inst.link_types[link.type_id]
    source, dest = inst.issues.get(link.inward_issue_id), inst.issues.get(link.outward_issue_id)
    for issue, other, phrase in ((source, dest, lt.outward), (dest, source, lt.inward)):
        if issue is None or other is None:
            continue
        text = f"This issue {phrase} {other.key}"
        item = (
            ChangeItem("Link", "issuelinks", None, None, other.key, text)
            if added
            else ChangeItem("Link", "issuelinks", other.key, text, None, None)
        )
        record(ctx, issue, [item])


@endpoint("POST", "/rest/api/{version}/issueLink", "linkIssues")
async def link_issues(ctx: Ctx) -> Reply:
    body = await ctx.body_object()
    lt = _link_type(ctx, body.get("type"))
    source, dest = _linked(ctx, body.get("inwardIssue")), _linked(ctx, body.get("outwardIssue"))
    ctx.require(EDIT, "You do not have the permission to link issues.")
    inst = ctx.instance
    for lid in source.link_ids:
        existing = inst.links.get(lid)
        if existing and (existing.type_id, existing.inward_issue_id, existing.outward_issue_id) == (
            lt.id,
            source.id,
            dest.id,
        ):
            return Reply(201, headers={"Location": ctx.api(f"/issueLink/{lid}")})  # already linked
    link = IssueLink(inst.new_id(), lt.id, source.id, dest.id)
    inst.links[link.id] = link
    source.link_ids.append(link.id)
    if dest.id != source.id:
        dest.link_ids.append(link.id)
    _link_items(ctx, link, added=True)
    comment = body.get("comment")
    if isinstance(comment, dict) and comment.get("body") is not None:
        try:
            rich = parse_rich(ctx, comment["body"])
        except InvalidValue as exc:
            raise JiraHttpError(400, [], {"comment": str(exc)}) from None
        if rich is not None:
            new_comment(ctx, dest, rich, comment.get("visibility"))
    return Reply(201, headers={"Location": ctx.api(f"/issueLink/{link.id}")})


def _link(ctx: Ctx) -> IssueLink:
    raw = ctx.path("linkId")
    if not raw.isdigit():
        raise bad_request(f"The issue link id '{raw}' is invalid.")
    link = ctx.instance.links.get(int(raw))
    if link is None:
        raise JiraHttpError(404, [f"No issue link with id '{raw}' exists."])
    # Both ends must be visible, as Jira requires.
    for iid in (link.inward_issue_id, link.outward_issue_id):
        visible_issue(ctx, str(iid))
    return link


@endpoint("GET", "/rest/api/{version}/issueLink/{linkId}", "getIssueLink")
async def get_issue_link(ctx: Ctx) -> dict[str, Any]:
    return render_link(ctx, _link(ctx))


@endpoint("DELETE", "/rest/api/{version}/issueLink/{linkId}", "deleteIssueLink")
async def delete_issue_link(ctx: Ctx) -> None:
    link = _link(ctx)
    ctx.require(EDIT, "You do not have the permission to delete links.")
    _link_items(ctx, link, added=False)
    ctx.instance.remove_link(link.id)


@endpoint("GET", "/rest/api/{version}/issueLinkType", "getIssueLinkTypes")
async def get_link_types(ctx: Ctx) -> dict[str, Any]:
    types = sorted(ctx.instance.link_types.values(), key=lambda lt: lt.name)
    return {"issueLinkTypes": [render_link_type(ctx, lt) for lt in types]}


@endpoint("GET", "/rest/api/{version}/issueLinkType/{issueLinkTypeId}", "getIssueLinkType")
async def get_link_type(ctx: Ctx) -> dict[str, Any]:
    lid = ctx.path("issueLinkTypeId")
    lt = ctx.instance.link_types.get(lid)
    if lt is None:
        raise JiraHttpError(404, [f"No issue link type with id '{lid}' found."])
    return render_link_type(ctx, lt)


ROUTES = (link_issues, get_issue_link, delete_issue_link, get_link_types, get_link_type)
