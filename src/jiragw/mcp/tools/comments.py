"""Comment tools: ``list_comments`` (paged, oldest first) and ``comment`` (add, or edit by id).

Jira "Issue comments"; bodies cross as Markdown either way (ADF on Cloud,
wiki markup on Data Center, converted by the SDK).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput
from jiragw.jira.resources import from_jira_text
from jiragw.jira.urlpath import path

from ..arguments import NUMERIC_ID
from ..render import cursor_decode, cursor_encode, name_of, short_date
from ..tool import Call, Op, Result, ToolSpec
from .issues import KEY, MARKDOWN

__all__ = ["TOOLS"]

_MAX = 50


async def _list(call: Call, args: Mapping[str, Any]) -> Result:
    key = str(args["key"])
    limit = int(args.get("limit", 20))
    if not 1 <= limit <= _MAX:
        raise InvalidInput(f"limit must be between 1 and {_MAX}")
    state = cursor_decode(args.get("cursor"))
    start = int(state.get("s", 0)) if state.get("key") == key else 0
    body = await call.jira.ctx.get(
        path("/issue/{}/comment", key), {"startAt": start, "maxResults": limit, "orderBy": "created"}
    )
    comments = list(body.get("comments") or [])
    total = int(body.get("total") or start + len(comments))
    ids = []
    lines = []
    for c in comments:
        md = from_jira_text(call.jira.ctx, c.get("body"))
        who, when = name_of(c.get("author")) or "someone", short_date(c.get("created"))
        ids.append(str(c.get("id")))
        lines.append(f"- {who}, {when} [id {c.get('id')}]: {md}")
    out: dict[str, Any] = {"key": key, "total": total, "comment_ids": ids}
    text = (
        f"{key}: comments {start + 1}-{start + len(ids)} of {total}\n" + "\n".join(lines)
        if ids
        else (f"{key} has no comments" + (" here." if start else "."))
    )
    nxt = start + len(ids)
    if ids and nxt < total:
        out["next_cursor"] = cursor_encode({"key": key, "s": nxt})
        text += f"\nMore comments: call again with cursor={out['next_cursor']}"
    return Result(text, out)


async def _comment(call: Call, args: Mapping[str, Any]) -> Result:
    key, body = str(args["key"]), str(args["body"])
    if not body.strip():
        raise InvalidInput("a comment needs a body")
    if args.get("comment_id"):
        done = await call.jira.comments.edit(key, str(args["comment_id"]), body)
        verb = "Edited"
    else:
        done = await call.jira.comments.add(key, body)
        verb = "Added"
    return Result(f"{verb} comment {done.id} on {key}.", {"key": key, "id": done.id})


TOOLS = (
    ToolSpec(
        name="list_comments",
        title="List comments",
        description=(
            "An issue's comments, oldest first, as Markdown with author, date and id; paged with a cursor."
        ),
        properties={
            "key": KEY,
            "limit": {"type": "integer", "minimum": 1, "maximum": _MAX, "default": 20},
            "cursor": {"type": "string"},
        },
        required=("key",),
        ops=(Op("GET", "/rest/api/3/issue/ABC-1/comment"),),
        handler=_list,
    ),
    ToolSpec(
        name="comment",
        title="Add or edit a comment",
        description="Add a Markdown comment to an issue, or replace the body of comment 'comment_id'.",
        properties={
            "key": KEY,
            "body": MARKDOWN,
            "comment_id": {**NUMERIC_ID, "description": "Edit this one."},
        },
        required=("key", "body"),
        ops=(Op("POST", "/rest/api/3/issue/ABC-1/comment"), Op("PUT", "/rest/api/3/issue/ABC-1/comment/1")),
        handler=_comment,
        read_only=False,
        idempotent=False,
    ),
)
