"""Issue comments: list (paged ``PageOfComments``), add, edit, delete, with Markdown in and out.

Jira REST v3/v2 "Issue comments". Bodies are ADF on v3 and wiki markup on v2;
:class:`~jiragw.jira.models.Comment` carries the body as Markdown and Jira's
original in ``raw``.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..context import ApiContext
from ..models import Comment
from ..pagination import paginate_offset
from ..urlpath import path
from . import from_jira_text, to_jira_text

__all__ = ["CommentsResource"]


class CommentsResource:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def _comment(self, data: dict[str, Any]) -> Comment:
        return Comment.from_json(data, body=from_jira_text(self.ctx, data.get("body")))

    async def iterate(self, key: str, *, page_size: int = 50) -> AsyncIterator[Comment]:
        """Every comment of ``key``, oldest first, page after page."""
        fetch = lambda p: self.ctx.get(path("/issue/{}/comment", key), p)  # noqa: E731
        async for item in paginate_offset(
            fetch, {"orderBy": "created"}, items_key="comments", page_size=page_size
        ):
            yield self._comment(item)

    async def list(self, key: str, *, page_size: int = 50) -> builtins.list[Comment]:
        return [c async for c in self.iterate(key, page_size=page_size)]

    async def get(self, key: str, comment_id: str) -> Comment:
        return self._comment(await self.ctx.get(path("/issue/{}/comment/{}", key, comment_id)))

    async def add(self, key: str, markdown: str, *, visibility: dict[str, str] | None = None) -> Comment:
        body: dict[str, Any] = {"body": to_jira_text(self.ctx, markdown)}
        if visibility is not None:
            body["visibility"] = visibility
        return self._comment(await self.ctx.post(path("/issue/{}/comment", key), body))

    async def edit(self, key: str, comment_id: str, markdown: str) -> Comment:
        body = {"body": to_jira_text(self.ctx, markdown)}
        return self._comment(await self.ctx.put(path("/issue/{}/comment/{}", key, comment_id), body))

    async def delete(self, key: str, comment_id: str) -> None:
        await self.ctx.delete(path("/issue/{}/comment/{}", key, comment_id))
