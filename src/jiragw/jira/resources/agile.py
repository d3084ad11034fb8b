"""Jira Software's boards and sprints: the Agile REST API 1.0 (``/rest/agile/1.0``), Cloud and DC alike.

Spec tags "Board" and "Sprint" of the Jira Software OpenAPI document:
``getAllBoards``, ``getBoard``, ``getAllSprints``, ``getSprint``,
``getIssuesForBoard`` and ``getIssuesForSprint``. Boards and sprints are
listed in PageBean pages (``values``, ``isLast``, at most 50 a page); the
issue listings page like the classic search (``issues``, ``startAt``,
``total``) and answer REST v2 shapes on both flavors, read into the SDK's
:class:`jiragw.jira.models.Issue`.

Jira answers 404 alike for a board or sprint that does not exist and one
the caller may not see (:class:`NotFound`), and 400 when sprints are asked of
a kanban board (:class:`InvalidInput`). A 400 to an issue listing given
``jql`` is about that JQL, so it is raised as :class:`InvalidJql`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from jiragw.errors import InvalidInput, InvalidJql, UpstreamError

from ..context import ApiContext
from ..models import Issue
from ..pagination import paginate_offset, paginate_page_bean
from ..transport import QueryParams
from ._wire import json_object, numeric_id

__all__ = ["AGILE", "AgileResource", "Board", "BoardType", "IssuePage", "Sprint", "SprintState"]

AGILE = "/rest/agile/1.0"
LIST_PAGE = 50  # Jira caps board and sprint pages at 50
ISSUE_PAGE = 50  # the Agile issue listings' default page (Cloud caps it at 100)

BoardType = Literal["scrum", "kanban", "simple"]
SprintState = Literal["future", "active", "closed"]


def _opt(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value or 0))


@dataclass(frozen=True, slots=True)
class Board:
    """A board; ``project_key`` is the project it is located in, when Jira says."""

    id: int
    name: str
    type: str
    project_key: str | None = None
    project_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Board:
        location = data.get("location")
        where = location if isinstance(location, dict) else {}
        return cls(
            id=_int(data, "id"),
            name=str(data.get("name") or ""),
            type=str(data.get("type") or ""),
            project_key=_opt(where, "projectKey"),
            project_id=_opt(where, "projectId"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Sprint:
    """A sprint (``SprintBean``); dates are Jira's ISO 8601 text, absent until the sprint has them."""

    id: int
    name: str
    state: str
    board_id: int | None = None  # originBoardId
    goal: str = ""
    start_date: str | None = None
    end_date: str | None = None
    complete_date: str | None = None
    created_date: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sprint:
        return cls(
            id=_int(data, "id"),
            name=str(data.get("name") or ""),
            state=str(data.get("state") or ""),
            board_id=None if data.get("originBoardId") is None else _int(data, "originBoardId"),
            goal=str(data.get("goal") or ""),
            start_date=_opt(data, "startDate"),
            end_date=_opt(data, "endDate"),
            complete_date=_opt(data, "completeDate"),
            created_date=_opt(data, "createdDate"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class IssuePage:
    """One page of an Agile issue listing: the issues from ``start_at``, of ``total`` in all."""

    issues: tuple[Issue, ...]
    start_at: int
    total: int

    @property
    def next_start(self) -> int | None:
        """Where the next page starts; None when this page is the last."""
        end = self.start_at + len(self.issues)
        return end if self.issues and end < self.total else None


class AgileResource:
    """``/rest/agile/1.0/board...`` and ``/rest/agile/1.0/sprint...``."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def _call(self, method: str, path: str, params: QueryParams | None = None, json: Any = None) -> Any:
        url = self.ctx.url(AGILE + path)
        return await self.ctx.transport.request_json(method, url, params=params, json=json)

    async def _get(self, path: str, params: QueryParams | None = None) -> Any:
        return await self._call("GET", path, params)

    # -- boards ------------------------------------------------------------------------------

    async def boards(
        self,
        *,
        type: BoardType | None = None,  # Jira's own parameter name
        name: str | None = None,
        project: str | None = None,
        page_size: int = LIST_PAGE,
    ) -> AsyncIterator[Board]:
        """Every board the caller sees: of ``type``, named with ``name`` in it, in ``project`` (key or id)."""
        params = {"type": type, "name": name, "projectKeyOrId": project}
        async for item in paginate_page_bean(partial(self._get, "/board"), params, page_size=page_size):
            yield Board.from_json(json_object(item))

    async def board(self, board_id: str | int) -> Board:
        return Board.from_json(json_object(await self._get(f"/board/{_board(board_id)}")))

    # -- sprints -----------------------------------------------------------------------------

    async def sprints(
        self,
        board_id: str | int,
        *,
        state: SprintState | Sequence[SprintState] | None = None,
        page_size: int = LIST_PAGE,
    ) -> AsyncIterator[Sprint]:
        """Every sprint of a scrum board, oldest first (``state``: one state or several)."""
        states = [state] if isinstance(state, str) else list(state or ())
        params = {"state": ",".join(states) or None}
        path = f"/board/{_board(board_id)}/sprint"
        async for item in paginate_page_bean(partial(self._get, path), params, page_size=page_size):
            yield Sprint.from_json(json_object(item))

    async def sprint(self, sprint_id: str | int) -> Sprint:
        return Sprint.from_json(json_object(await self._get(f"/sprint/{_sprint(sprint_id)}")))

    # -- issues ------------------------------------------------------------------------------

    def sprint_issues(
        self,
        sprint_id: str | int,
        *,
        jql: str | None = None,
        fields: Sequence[str] | None = None,
        page_size: int = ISSUE_PAGE,
    ) -> AsyncIterator[Issue]:
        """Every issue in the sprint (narrowed by ``jql``), in the board's order unless ``jql`` sorts."""
        return self._issues(f"/sprint/{_sprint(sprint_id)}/issue", jql, fields, page_size)

    def board_issues(
        self,
        board_id: str | int,
        *,
        jql: str | None = None,
        fields: Sequence[str] | None = None,
        page_size: int = ISSUE_PAGE,
    ) -> AsyncIterator[Issue]:
        """Every issue of the board's filter (narrowed by ``jql``), in board order unless ``jql`` sorts."""
        return self._issues(f"/board/{_board(board_id)}/issue", jql, fields, page_size)

    async def sprint_issues_page(
        self,
        sprint_id: str | int,
        *,
        start_at: int = 0,
        limit: int = ISSUE_PAGE,
        jql: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> IssuePage:
        """One page of the sprint's issues, for callers that page on their own (a cursor)."""
        if start_at < 0 or limit < 1:
            raise InvalidInput("a page starts at 0 or later and holds at least one issue")
        params = {**_issue_params(jql, fields), "startAt": start_at, "maxResults": limit}
        with _jql_errors(jql):
            body = json_object(await self._get(f"/sprint/{_sprint(sprint_id)}/issue", params))
        items = body.get("issues")
        if not isinstance(items, list):
            raise UpstreamError("Jira answered an issue page without an 'issues' list")
        total = body.get("total")
        issues = tuple(Issue.from_json(json_object(item)) for item in items)
        known = total if isinstance(total, int) and not isinstance(total, bool) else start_at + len(issues)
        return IssuePage(issues, start_at, known)

    async def _issues(
        self, path: str, jql: str | None, fields: Sequence[str] | None, page_size: int
    ) -> AsyncIterator[Issue]:
        fetch = partial(self._get, path)
        pages = paginate_offset(fetch, _issue_params(jql, fields), items_key="issues", page_size=page_size)
        with _jql_errors(jql):
            async for item in pages:
                yield Issue.from_json(json_object(item))


def _issue_params(jql: str | None, fields: Sequence[str] | None) -> dict[str, Any]:
    return {"jql": jql or None, "fields": ",".join(fields) if fields else None}


@contextmanager
def _jql_errors(jql: str | None) -> Iterator[None]:
    """Jira's 400 to an issue listing given JQL is about that JQL: :class:`InvalidJql`."""
    try:
        yield
    except InvalidInput as exc:
        if jql and type(exc) is InvalidInput and exc.details.get("status") == 400:
            raise InvalidJql(exc.message, details=exc.details) from exc
        raise


def _board(board_id: str | int) -> str:
    return numeric_id(board_id, "board")


def _sprint(sprint_id: str | int) -> str:
    return numeric_id(sprint_id, "sprint")
