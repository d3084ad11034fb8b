"""Bulk export at the latency limit: every issue a JQL query finds, streamed in JQL order.

Issue 4, "Bulk export at the latency limit". A sequential paginator waits one
round trip per page; :func:`export` keeps many calls in flight instead:

- **Cloud**: the ids are paged with the enhanced search (``POST
  /rest/api/3/search/jql``, ``fields=id``, up to 5000 per page, no per-issue
  cost), and the issues themselves are fetched with ``POST
  /rest/api/3/issue/bulkfetch``, 100 ids per call, many calls at once.
- **Data Center** has no bulkfetch: the classic ``/rest/api/2/search`` is
  paged by ``startAt``; the first page gives ``total``, after which every
  other offset is known and the pages are fetched concurrently.

Concurrency is whatever the transport's :class:`~jiragw.jira.limiter.ConnectionBudget`
allows (it grows while calls succeed and halves on a 429, and one 429 pauses
every call); this module only decides *what* to ask for and puts the answers
back in order. A sliding window of at most ``window`` batches, in flight or
finished but not yet handed to the caller, bounds memory: a slow batch at the
head holds back new calls rather than letting finished ones pile up.

Both searches and bulkfetch are read-only POSTs, but the transport retries
5xx answers only for idempotent *methods*, so the read-only POSTs here are
retried on 5xx with the policy's backoff (:func:`_read_only`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from jiragw.errors import UpstreamError

from .adf import to_md
from .context import ApiContext
from .pagination import paginate_token
from .policy import backoff_delay

__all__ = ["DEFAULT_FIELDS", "ExportStats", "Progress", "as_text", "count", "export"]

DEFAULT_FIELDS: tuple[str, ...] = ("*navigable",)
BULK_FETCH_MAX = 100  # issueIdsOrKeys per bulkfetch call (Jira's limit)
ID_PAGE_MAX = 5000  # ids per enhanced-search page when only ids are asked for
LEGACY_PAGE_MAX = 1000  # DC search: the largest page Jira returns (jira.search.views.default.max)
DEFAULT_WINDOW = 32  # batches in flight or waiting to be handed out

# ``progress(done, total)``: issues handed out so far, and the total once it is known.
Progress = Callable[[int, int | None], None]


@dataclass(slots=True)
class ExportStats:
    """What one export did; ``max_window`` is the most batches ever in flight or buffered."""

    issues: int = 0
    batches: int = 0
    missing: int = 0  # ids the search found that bulkfetch no longer did (deleted meanwhile)
    retries: int = 0  # read-only POSTs retried after a 5xx
    window: int = 0  # batches in flight or buffered right now
    max_window: int = 0
    total: int | None = None


async def export(
    ctx: ApiContext,
    jql: str,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    progress: Progress | None = None,
    window: int = DEFAULT_WINDOW,
    batch_size: int = BULK_FETCH_MAX,
    id_page_size: int = ID_PAGE_MAX,
    stats: ExportStats | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Every issue ``jql`` finds, with ``fields``, in the query's order, each exactly once."""
    if window < 1 or batch_size < 1 or id_page_size < 1:
        raise ValueError("window, batch_size and id_page_size must be at least 1")
    stats = stats if stats is not None else ExportStats()
    wanted = list(fields) or list(DEFAULT_FIELDS)
    if ctx.cloud:
        ids = _id_batches(ctx, jql, min(batch_size, BULK_FETCH_MAX), min(id_page_size, ID_PAGE_MAX), stats)

        async def fetch(batch: list[str]) -> list[dict[str, Any]]:
            return await _bulk_fetch(ctx, batch, wanted, stats)

        batches = _ordered(ids, fetch, window, stats)
    else:
        batches = _legacy_pages(ctx, jql, wanted, min(batch_size, LEGACY_PAGE_MAX), window, stats)
    async with _closing(batches):
        async for issues in batches:
            for issue in issues:
                stats.issues += 1
                yield issue
            if progress is not None:
                progress(stats.issues, stats.total)


async def count(ctx: ApiContext, jql: str) -> int | None:
    """How many issues ``jql`` finds, cheaply: Cloud's approximate count, DC's ``total``."""
    if ctx.cloud:
        body = await _read_only(ctx, "/search/approximate-count", {"jql": jql}, ExportStats())
        value = (body or {}).get("count")
    else:
        body = await _read_only(
            ctx, "/search", {"jql": jql, "maxResults": 0, "fields": ["id"]}, ExportStats()
        )
        value = (body or {}).get("total")
    return value if isinstance(value, int) else None


# Keys naming what a Jira object is, most readable first: a user's display name, a
# status/priority/type/component/version name, a select option's value, an issue key.
_LABEL_KEYS = ("displayName", "name", "value", "key")


def as_text(value: Any) -> str:
    """A field value as one readable string (for CSV): names, not objects; ADF as Markdown."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        return "; ".join(text for text in (as_text(v) for v in value) if text)
    if isinstance(value, dict):
        if value.get("type") == "doc" and isinstance(value.get("content"), list):
            return to_md(value).strip()
        for name in _LABEL_KEYS:
            label = value.get(name)
            if isinstance(label, (str, int)) and not isinstance(label, bool):
                return str(label)
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return str(value)


class _closing:
    """``aclose`` an async generator on the way out, so its tasks are cancelled promptly."""

    def __init__(self, gen: AsyncIterator[Any]) -> None:
        self.gen = gen

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        aclose = getattr(self.gen, "aclose", None)
        if aclose is not None:
            await aclose()


async def _read_only(ctx: ApiContext, path: str, body: dict[str, Any], stats: ExportStats) -> Any:
    """POST a read-only request, retrying 5xx answers as the policy retries idempotent calls."""
    transport = ctx.transport
    attempt = 0
    while True:
        attempt += 1
        try:
            return await ctx.post(path, json=body)
        except UpstreamError as exc:
            status = exc.details.get("status")
            if attempt >= transport.policy.max_attempts or (isinstance(status, int) and status < 500):
                raise
            stats.retries += 1
            await transport.sleep(backoff_delay(attempt, transport.policy, transport.rng))


async def _id_batches(
    ctx: ApiContext, jql: str, batch_size: int, page_size: int, stats: ExportStats
) -> AsyncIterator[list[str]]:
    """The found issue ids in JQL order, ``batch_size`` at a time (Cloud's enhanced search)."""

    async def fetch(body: dict[str, Any]) -> Any:
        return await _read_only(ctx, "/search/jql", body, stats)

    batch: list[str] = []
    seen = 0
    async for item in paginate_token(fetch, {"jql": jql, "fields": ["id"]}, page_size=page_size):
        batch.append(str(item["id"]))
        seen += 1
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch
    stats.total = seen - stats.missing


async def _bulk_fetch(
    ctx: ApiContext, ids: list[str], fields: list[str], stats: ExportStats
) -> list[dict[str, Any]]:
    """One bulkfetch call; the issues put back in the order of ``ids`` (Jira sorts them by id)."""
    body = await _read_only(ctx, "/issue/bulkfetch", {"issueIdsOrKeys": ids, "fields": fields}, stats)
    found = {str(issue.get("id")): issue for issue in (body or {}).get("issues", [])}
    missing = sum(1 for i in ids if i not in found)
    if missing:
        stats.missing += missing
        if stats.total is not None:
            stats.total -= missing
    return [found[i] for i in ids if i in found]


async def _ordered(
    jobs: AsyncIterator[Any],
    fetch: Callable[[Any], Coroutine[Any, Any, list[dict[str, Any]]]],
    window: int,
    stats: ExportStats,
) -> AsyncIterator[list[dict[str, Any]]]:
    """``fetch(job)`` for every job, concurrently, yielded in job order with at most ``window`` open.

    The jobs themselves (id pages) are read by a task of their own so that a
    page boundary never stalls the window; that queue holds ids only.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2 * ID_PAGE_MAX // BULK_FETCH_MAX)
    done = object()

    async def produce() -> None:
        async for job in jobs:
            await queue.put(job)
        await queue.put(done)

    producer = asyncio.create_task(produce())
    pending: deque[asyncio.Task[list[dict[str, Any]]]] = deque()
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < window:
                # Waiting for ids must not hold back a head batch that is ready to hand out.
                job = await _next_job(queue, producer, pending[0] if pending else None)
                if job is _HEAD_READY:
                    break
                if job is done:
                    exhausted = True
                    break
                pending.append(asyncio.create_task(fetch(job)))
                stats.batches += 1
                stats.window = len(pending)
                stats.max_window = max(stats.max_window, stats.window)
            if not pending:
                return
            issues = await pending.popleft()
            stats.window = len(pending)
            yield issues
    finally:
        for task in (*pending, producer):
            task.cancel()
        await asyncio.gather(*pending, producer, return_exceptions=True)
        close = getattr(jobs, "aclose", None)
        if close is not None:
            await close()


_HEAD_READY = object()


async def _next_job(
    queue: asyncio.Queue[Any], producer: asyncio.Task[None], head: asyncio.Future[Any] | None
) -> Any:
    """The next queued job, or ``_HEAD_READY`` if ``head`` finished first; the producer's error."""
    if not queue.empty():
        return queue.get_nowait()
    getter = asyncio.ensure_future(queue.get())
    waits: set[asyncio.Future[Any]] = {getter, producer}
    if head is not None:
        waits.add(head)
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    if getter.done():
        return getter.result()
    getter.cancel()
    if producer.done():
        producer.result()  # raises what the id paging raised
        return await queue.get()  # it ended normally: its end marker is queued
    return _HEAD_READY


async def _legacy_pages(
    ctx: ApiContext, jql: str, fields: list[str], page_size: int, window: int, stats: ExportStats
) -> AsyncIterator[list[dict[str, Any]]]:
    """Data Center: the first ``startAt`` page, then every remaining offset concurrently.

    Jira may cap ``maxResults`` below what was asked: the first page's length
    is the step of the other offsets, and a page cut shorter still is completed
    by asking for the rest of its range.
    """

    async def page(start: int, size: int) -> dict[str, Any]:
        body = {"jql": jql, "fields": fields, "startAt": start, "maxResults": size}
        result: dict[str, Any] = await _read_only(ctx, "/search", body, stats)
        return result

    first = await page(0, page_size)
    issues: list[dict[str, Any]] = list(first.get("issues", []))
    total = first.get("total")
    stats.total = total if isinstance(total, int) else None
    stats.batches += 1
    yield issues
    if not isinstance(total, int) or not issues or len(issues) >= total:
        return
    step = len(issues)

    async def jobs() -> AsyncIterator[int]:
        for offset in range(step, total, step):
            yield offset

    async def fetch(start: int) -> list[dict[str, Any]]:
        want = min(step, total - start)
        got: list[dict[str, Any]] = []
        while len(got) < want:  # a page Jira cut shorter than the first: ask for the rest
            more = (await page(start + len(got), want - len(got))).get("issues", [])
            if not more:
                break  # issues gone since the first page: nothing more at this offset
            got += more
        return got

    async for chunk in _ordered(jobs(), fetch, window, stats):
        yield chunk
