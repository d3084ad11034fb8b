"""Jira Software's boards and sprints: the Agile REST API 1.0 (``/rest/agile/1.0``), Cloud and DC alike.

Spec tags "Board" and "Sprint" of the Jira Software OpenAPI document:
``getAllBoards``, ``getBoard``, ``getAllSprints``, ``getSprint``,
``getIssuesForBoard`` and ``getIssuesForSprint``; the sprint writes
``createSprint``, ``partiallyUpdateSprint`` (which also starts and completes
a sprint), ``deleteSprint``, ``moveIssuesToSprintAndRank`` and
``moveIssuesToBacklog``. Boards and sprints are
listed in PageBean pages (``values``, ``isLast``, at most 50 a page); the
issue listings page like the classic search (``issues``, ``startAt``,
``total``) and answer REST v2 shapes on both flavors, read into the SDK's
:class:`jiragw.jira.models.Issue`.

Jira answers 404 alike for a board or sprint that does not exist and one
the caller may not see (:class:`NotFound`), and 400 when sprints are asked of
a kanban board (:class:`InvalidInput`). A 400 to an issue listing given
``jql`` is about that JQL, so it is raised as :class:`InvalidJql`.

Jira moves at most 50 issues a call, so larger moves are sent in chunks of
50, in order; a chunk Jira refuses stops the move, and the chunks before it
stay moved. Sprint dates are sent as ISO 8601 with milliseconds and the
offset of the given (time-zone aware) datetime.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Literal

from jiragw.errors import InvalidInput, InvalidJql, UpstreamError

from ..context import ApiContext
from ..models import Issue
from ..pagination import paginate_offset, paginate_page_bean
from ..transport import QueryParams
from ..urlpath import path
from ._wire import json_object, numeric_id

__all__ = ["AGILE", "AgileResource", "Board", "BoardType", "IssuePage", "Sprint", "SprintState"]

AGILE = "/rest/agile/1.0"
LIST_PAGE = 50  # Jira caps board and sprint pages at 50
ISSUE_PAGE = 50  # the Agile issue listings' default page (Cloud caps it at 100)
MOVE_MAX = 50  # issues per move call, as the spec documents

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
        return Board.from_json(json_object(await self._get(path("/board/{}", _board(board_id)))))

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
        where = path("/board/{}/sprint", _board(board_id))
        async for item in paginate_page_bean(partial(self._get, where), params, page_size=page_size):
            yield Sprint.from_json(json_object(item))

    async def sprint(self, sprint_id: str | int) -> Sprint:
        return Sprint.from_json(json_object(await self._get(path("/sprint/{}", _sprint(sprint_id)))))

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
        return self._issues(path("/sprint/{}/issue", _sprint(sprint_id)), jql, fields, page_size)

    def board_issues(
        self,
        board_id: str | int,
        *,
        jql: str | None = None,
        fields: Sequence[str] | None = None,
        page_size: int = ISSUE_PAGE,
    ) -> AsyncIterator[Issue]:
        """Every issue of the board's filter (narrowed by ``jql``), in board order unless ``jql`` sorts."""
        return self._issues(path("/board/{}/issue", _board(board_id)), jql, fields, page_size)

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
            body = json_object(await self._get(path("/sprint/{}/issue", _sprint(sprint_id)), params))
        items = body.get("issues")
        if not isinstance(items, list):
            raise UpstreamError("Jira answered an issue page without an 'issues' list")
        total = body.get("total")
        issues = tuple(Issue.from_json(json_object(item)) for item in items)
        known = total if isinstance(total, int) and not isinstance(total, bool) else start_at + len(issues)
        return IssuePage(issues, start_at, known)

    # -- sprint writes ------------------------------------------------------------------------

    async def create_sprint(
        self,
        board_id: str | int,
        name: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        goal: str | None = None,
    ) -> Sprint:
        """A new future sprint on a scrum board."""
        if not name.strip():
            raise InvalidInput("a sprint needs a name")
        body = {"originBoardId": int(_board(board_id)), "name": name, **_sprint_parts(start, end, goal)}
        return Sprint.from_json(json_object(await self._call("POST", "/sprint", json=body)))

    async def update_sprint(
        self,
        sprint_id: str | int,
        *,
        name: str | None = None,
        goal: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        state: SprintState | None = None,
    ) -> Sprint:
        """Change the given parts only; ``state`` "active" starts the sprint, "closed" completes it."""
        if name is not None and not name.strip():
            raise InvalidInput("a sprint needs a name")
        body = {"name": name, "state": state, **_sprint_parts(start, end, goal)}
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            raise InvalidInput("name something to change in the sprint")
        where = path("/sprint/{}", _sprint(sprint_id))
        return Sprint.from_json(json_object(await self._call("POST", where, json=body)))

    async def start_sprint(
        self, sprint_id: str | int, *, start: datetime | None = None, end: datetime | None = None
    ) -> Sprint:
        """Start a future sprint (it needs a start and an end date: its own, or these)."""
        return await self.update_sprint(sprint_id, start=start, end=end, state="active")

    async def complete_sprint(self, sprint_id: str | int) -> Sprint:
        """Complete the active sprint; its unfinished issues are left in no open sprint (the backlog)."""
        return await self.update_sprint(sprint_id, state="closed")

    async def delete_sprint(self, sprint_id: str | int) -> None:
        """Delete the sprint; its issues go to the backlog."""
        await self._call("DELETE", path("/sprint/{}", _sprint(sprint_id)))

    async def move_to_sprint(self, sprint_id: str | int, issue_keys: Sequence[str]) -> None:
        """Move the issues (keys or ids) into a future or active sprint, 50 a call."""
        where = path("/sprint/{}/issue", _sprint(sprint_id))
        for chunk in _chunks(issue_keys):
            await self._call("POST", where, json={"issues": chunk})

    async def move_to_backlog(self, issue_keys: Sequence[str]) -> None:
        """Take the issues (keys or ids) out of their open sprint, 50 a call."""
        for chunk in _chunks(issue_keys):
            await self._call("POST", "/backlog/issue", json={"issues": chunk})

    async def _issues(
        self, path: str, jql: str | None, fields: Sequence[str] | None, page_size: int
    ) -> AsyncIterator[Issue]:
        fetch = partial(self._get, path)
        pages = paginate_offset(fetch, _issue_params(jql, fields), items_key="issues", page_size=page_size)
        with _jql_errors(jql):
            async for item in pages:
                yield Issue.from_json(json_object(item))


def _chunks(issue_keys: Sequence[str]) -> list[list[str]]:
    """The keys, stripped and without repeats, in chunks of :data:`MOVE_MAX`."""
    if isinstance(issue_keys, str):
        raise InvalidInput("give a list of issue keys, not one string")
    keys = list(dict.fromkeys(str(k).strip() for k in issue_keys))
    if not keys or "" in keys:
        raise InvalidInput("name at least one issue to move, and no empty key")
    return [keys[i : i + MOVE_MAX] for i in range(0, len(keys), MOVE_MAX)]


def _stamp(value: datetime, what: str) -> str:
    if value.tzinfo is None:
        raise InvalidInput(f"the sprint's {what} must carry a time zone")
    return value.isoformat(timespec="milliseconds")


def _sprint_parts(start: datetime | None, end: datetime | None, goal: str | None) -> dict[str, Any]:
    """The dates and goal of a sprint body, only those given."""
    if start is not None and end is not None and end < start:
        raise InvalidInput("a sprint cannot end before it starts")
    parts = {
        "startDate": None if start is None else _stamp(start, "start date"),
        "endDate": None if end is None else _stamp(end, "end date"),
        "goal": goal,
    }
    return {key: value for key, value in parts.items() if value is not None}


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
