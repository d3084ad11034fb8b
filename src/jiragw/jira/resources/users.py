"""Users: the caller (``myself``), user search and assignable-user search.

Spec operations ``getCurrentUser``, ``findUsers`` and ``findAssignableUsers``
(tag "User search"). Cloud names users by ``accountId`` and takes the search
string in ``query`` (GDPR strict mode refuses ``username``); Data Center names
them by ``name``/``key`` and takes the search string in ``username``. User
searches answer plain JSON arrays sliced by ``startAt``/``maxResults``, so
they are paged here until a page comes back empty (Jira may return fewer
users than asked for, e.g. after permission filtering, so a short page is
not the last). Users are the SDK's :class:`jiragw.jira.models.User`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any

from jiragw.errors import InvalidInput, UpstreamError

from ..context import ApiContext
from ..models import User
from ._wire import json_object

__all__ = ["User", "UsersResource"]

_PAGE = 100  # Jira caps user search pages at 1000; 100 keeps each answer small


class UsersResource:
    """``/rest/api/{v}/myself`` and the user searches."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def myself(self) -> User:
        """The user the connection acts as."""
        return User.from_json(json_object(await self.ctx.get("/myself")))

    async def get(self, ref: str) -> User:
        """One user by accountId (Cloud) or username (DC)."""
        params = {"accountId": ref} if self.ctx.cloud else {"username": ref}
        return User.from_json(json_object(await self.ctx.get("/user", params)))

    def _term(self, query: str) -> dict[str, Any]:
        return {"query": query} if self.ctx.cloud else {"username": query}

    async def iter_search(self, query: str, *, page_size: int = _PAGE) -> AsyncGenerator[User, None]:
        """Every active user matching ``query`` (name, email; DC also the username)."""
        if not query.strip():
            # DC refuses an empty search string and Cloud needs one of query/accountId/property.
            raise InvalidInput("a user search needs a non-empty search string")
        async for user in self._pages("/user/search", self._term(query), page_size):
            yield user

    async def search(self, query: str, *, limit: int = 1000) -> list[User]:
        """Up to ``limit`` users matching ``query``."""
        return await _take(self.iter_search(query, page_size=min(_PAGE, max(limit, 1))), limit)

    async def iter_assignable(
        self,
        query: str = "",
        *,
        project: str | None = None,
        issue_key: str | None = None,
        page_size: int = _PAGE,
    ) -> AsyncGenerator[User, None]:
        """Users who may be assigned issues of ``project`` (key or id) or the issue ``issue_key``."""
        if not project and not issue_key:
            raise InvalidInput("an assignable-user search needs a project or an issue key")
        params = {**self._term(query), "project": project, "issueKey": issue_key}
        async for user in self._pages("/user/assignable/search", params, page_size):
            yield user

    async def assignable(
        self, query: str = "", *, project: str | None = None, issue_key: str | None = None, limit: int = 1000
    ) -> list[User]:
        """Up to ``limit`` users assignable in ``project`` or on ``issue_key``."""
        users = self.iter_assignable(
            query, project=project, issue_key=issue_key, page_size=min(_PAGE, max(limit, 1))
        )
        return await _take(users, limit)

    async def _pages(
        self, path: str, params: Mapping[str, Any], page_size: int
    ) -> AsyncGenerator[User, None]:
        start = 0
        while True:
            page = await self.ctx.get(path, {**params, "startAt": start, "maxResults": page_size})
            if not isinstance(page, list):
                raise UpstreamError(f"Jira answered {path} with something other than a list of users")
            if not page:
                return
            for item in page:
                yield User.from_json(json_object(item))
            start += len(page)  # what was returned, not what was asked for


async def _take(users: AsyncGenerator[User, None], limit: int) -> list[User]:
    out: list[User] = []
    if limit <= 0:
        return out
    async with aclosing(users):
        async for user in users:
            out.append(user)
            if len(out) >= limit:
                break
    return out
