"""Async iterators over Jira's three paging conventions.

- :func:`paginate_token`: ``nextPageToken``/``isLast``, Cloud's enhanced
  search (``/rest/api/3/search/jql``, "Search for issues using JQL enhanced
  search"): pass the token back until ``isLast`` or no token is given.
- :func:`paginate_offset`: ``startAt``/``maxResults``/``total``, the classic
  search (DC ``/rest/api/2/search``) and other list resources.
- :func:`paginate_page_bean`: PageBean's ``startAt``/``maxResults``/``isLast``
  with the items in ``values`` (Cloud's ``*/search`` listings).

Jira may return fewer items than ``maxResults`` asked for (it caps the page
size silently, e.g. 100 issues with all fields); the offset iterators advance
by the number of items actually returned, never by the requested size.

The iterators do no I/O themselves: each takes a ``fetch`` coroutine function
(the query parameters or JSON body of one page in, the parsed page out),
usually a bound :meth:`jiragw.jira.transport.Transport.get_json` call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from jiragw.errors import UpstreamError

__all__ = ["Fetch", "paginate_offset", "paginate_page_bean", "paginate_token"]

Fetch = Callable[[dict[str, Any]], Awaitable[Any]]


def _page(body: Any, items_key: str) -> tuple[dict[str, Any], list[Any]]:
    if not isinstance(body, dict):
        raise UpstreamError("Jira answered a page that is not a JSON object")
    items = body.get(items_key, [])
    if not isinstance(items, list):
        raise UpstreamError(f"Jira answered a page whose {items_key!r} is not a list")
    return body, items


async def paginate_token(
    fetch: Fetch, params: Mapping[str, Any], *, items_key: str = "issues", page_size: int | None = None
) -> AsyncIterator[Any]:
    """Every item of a ``nextPageToken`` listing, page after page."""
    query = dict(params)
    if page_size is not None:
        query["maxResults"] = page_size
    seen: set[str] = set()
    while True:
        body, items = _page(await fetch(dict(query)), items_key)
        for item in items:
            yield item
        token = body.get("nextPageToken")
        if body.get("isLast") is True or not token:
            return
        if token in seen:  # a server handing the same token back would loop forever
            raise UpstreamError("Jira repeated a nextPageToken", details={"nextPageToken": token})
        seen.add(str(token))
        query["nextPageToken"] = token


def paginate_offset(
    fetch: Fetch,
    params: Mapping[str, Any],
    *,
    items_key: str = "issues",
    page_size: int = 50,
    start_at: int = 0,
) -> AsyncIterator[Any]:
    """Every item of a ``startAt``/``maxResults``/``total`` listing."""
    return _paginate_start_at(fetch, params, items_key, page_size, start_at, heed_is_last=False)


def paginate_page_bean(
    fetch: Fetch,
    params: Mapping[str, Any],
    *,
    items_key: str = "values",
    page_size: int = 50,
    start_at: int = 0,
) -> AsyncIterator[Any]:
    """Every item of a PageBean listing (``values``, ``isLast``)."""
    return _paginate_start_at(fetch, params, items_key, page_size, start_at, heed_is_last=True)


async def _paginate_start_at(
    fetch: Fetch,
    params: Mapping[str, Any],
    items_key: str,
    page_size: int,
    start_at: int,
    *,
    heed_is_last: bool,
) -> AsyncIterator[Any]:
    """The ``startAt`` loop both offset conventions share; they differ only in when to stop.

    Both stop on an empty page or once ``total`` is reached; a PageBean also
    stops on ``isLast`` (``heed_is_last``), which the classic listings do not send.
    """
    query = dict(params)
    start = start_at
    while True:
        query["startAt"] = start
        query["maxResults"] = page_size
        body, items = _page(await fetch(dict(query)), items_key)
        for item in items:
            yield item
        start += len(items)  # what was returned, not what was asked for
        total = body.get("total")
        if heed_is_last and body.get("isLast") is True:
            return
        if not items or (isinstance(total, int) and start >= total):
            return
