"""Bulk export against the in-process sandbox: JQL order, every issue once, a bounded window, faults.

Sleeping moves the sandbox's clock instead of waiting (as in test_transport),
so rate-limit windows and 5xx backoffs pass at once for client and sandbox.
The wire counts how many calls are open at the same moment.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest

from jiragw.errors import InvalidJql
from jiragw.jira.context import ApiContext
from jiragw.jira.export import ExportStats, as_text, count, export
from jiragw.jira.limiter import AdaptiveLimit, ConnectionBudget
from jiragw.jira.pagination import paginate_offset, paginate_token
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret

JQL = "project in (PRJ, PLAT) ORDER BY priority DESC, key ASC"
ISSUES = 130


@dataclass
class Wire(httpx.AsyncBaseTransport):
    """The sandbox app, counting the calls open at once per operation path."""

    sandbox: Sandbox
    open: int = 0
    max_open: int = 0
    statuses: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.inner = httpx.ASGITransport(app=create_app(self.sandbox))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            await asyncio.sleep(0)  # let concurrent calls overlap, as over a network
            response = await self.inner.handle_async_request(request)
        finally:
            self.open -= 1
        self.statuses.append((request.url.path, response.status_code))
        return response


@dataclass
class Env:
    sandbox: Sandbox
    wire: Wire
    client: httpx.AsyncClient
    sleeps: list[float] = field(default_factory=list)

    def context(self, flavor: str = "cloud", *, limit: float = 4.0, maximum: float = 64.0) -> ApiContext:
        clock = self.sandbox.clock

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            clock.advance(seconds)
            await asyncio.sleep(0)

        if flavor == "cloud":
            user = self.sandbox.sites["acme"].find_user("alice")
            assert user is not None
            creds = StaticCredentials.basic(user.email, Secret(user.api_token))
            base = "http://sandbox.test/sites/acme"
        else:
            user = self.sandbox.dcs["corp"].find_user("alice")
            assert user is not None
            creds = StaticCredentials.bearer(Secret(user.pat))
            base = "http://sandbox.test/dc/corp"
        budget = ConnectionBudget(
            AdaptiveLimit(value=limit, maximum=maximum), clock=clock.monotonic, sleep=sleep
        )
        transport = Transport(
            self.client,
            creds,
            budget=budget,
            clock=clock.monotonic,
            wall=clock.time,
            sleep=sleep,
            rng=random.Random(7),
        )
        return ApiContext(transport, base, "cloud" if flavor == "cloud" else "dc")

    def count(self, path_part: str, status: int | None = None) -> int:
        return sum(1 for p, s in self.wire.statuses if path_part in p and (status is None or s == status))


@pytest.fixture(scope="module")
def seeded() -> Sandbox:
    return build_sandbox(projects=2, issues=ISSUES, seed=5)


@pytest.fixture
async def env(seeded: Sandbox) -> AsyncIterator[Env]:
    seeded.faults.update({"rate_limit": None, "error_rate": 0, "latency_ms": 0})
    wire = Wire(seeded)
    async with httpx.AsyncClient(transport=wire, base_url="http://sandbox.test") as client:
        yield Env(seeded, wire, client)
    seeded.faults.update({"rate_limit": None, "error_rate": 0})


async def expected_keys(env: Env, flavor: str = "cloud") -> list[str]:
    """The query's order as one sequential search gives it, before any fault is switched on."""
    ctx = env.context(flavor)
    if flavor == "cloud":

        async def token_page(params: dict[str, Any]) -> Any:
            return await ctx.get("/search/jql", params)

        pages = paginate_token(token_page, {"jql": JQL, "fields": "key"}, page_size=100)
    else:

        async def offset_page(params: dict[str, Any]) -> Any:
            return await ctx.get("/search", params)

        pages = paginate_offset(offset_page, {"jql": JQL, "fields": "key"}, page_size=1000)
    keys = [i["key"] async for i in pages]
    env.wire.statuses.clear()
    env.wire.max_open = 0
    return keys


async def collect(items: AsyncIterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item async for item in items]


async def test_cloud_export_is_complete_in_jql_order_with_the_fields_asked_for(env: Env) -> None:
    want = await expected_keys(env)
    assert len(want) == ISSUES
    stats = ExportStats()
    got = await collect(
        export(env.context(), JQL, fields=["summary", "status"], batch_size=9, id_page_size=40, stats=stats)
    )
    assert [i["key"] for i in got] == want
    assert all(set(i["fields"]) == {"summary", "status"} for i in got)
    assert stats.issues == stats.total == ISSUES
    assert stats.batches == -(-ISSUES // 9)
    assert env.count("/issue/bulkfetch") == stats.batches
    assert env.count("/search/jql") == -(-ISSUES // 40)


async def test_calls_overlap_but_the_window_bounds_what_is_in_flight_or_buffered(env: Env) -> None:
    stats = ExportStats()
    seen: list[str] = []
    async for issue in export(
        env.context(limit=64.0), JQL, fields=["summary"], batch_size=5, window=4, stats=stats
    ):
        seen.append(issue["key"])
        await asyncio.sleep(0)  # a consumer slower than the calls: finished batches would pile up
    assert len(seen) == len(set(seen)) == ISSUES
    assert stats.max_window == 4
    assert 2 <= env.wire.max_open <= 4


async def test_a_larger_window_lets_the_adaptive_limit_decide_concurrency(env: Env) -> None:
    stats = ExportStats()
    got = await collect(
        export(env.context(limit=3.0, maximum=3.0), JQL, fields=["summary"], batch_size=5, stats=stats)
    )
    assert len(got) == ISSUES
    assert env.wire.max_open == 3  # the budget's limit, not the window of 32


async def test_under_the_burst_limit_no_call_fails_and_every_issue_comes_once(env: Env) -> None:
    want = await expected_keys(env)
    env.sandbox.faults.update({"rate_limit": 4})
    ctx = env.context(limit=16.0)
    got = await collect(export(ctx, JQL, fields=["summary"], batch_size=5, id_page_size=50))
    assert [i["key"] for i in got] == want
    assert env.count("/", 429) > 0
    assert {s for _, s in env.wire.statuses} == {200, 429}
    assert ctx.transport.budget.limit.value < 16.0  # halved by the 429s
    assert max(env.sleeps) > 0.9  # the Retry-After windows were waited out, on the fake clock


async def test_server_errors_on_the_read_only_posts_are_retried(env: Env) -> None:
    want = await expected_keys(env)
    env.sandbox.faults.update({"error_rate": 0.3})
    stats = ExportStats()
    got = await collect(export(env.context(), JQL, fields=["summary"], batch_size=10, stats=stats))
    assert [i["key"] for i in got] == want
    assert stats.retries > 0
    assert env.count("/issue/bulkfetch", 500) + env.count("/issue/bulkfetch", 503) > 0


async def test_dc_pages_the_classic_search_concurrently_after_the_first_page(env: Env) -> None:
    want = await expected_keys(env, "dc")
    stats = ExportStats()
    progress: list[tuple[int, int | None]] = []
    got = await collect(
        export(
            env.context("dc", limit=8.0),
            JQL,
            fields=["summary", "assignee"],
            batch_size=10,
            stats=stats,
            progress=lambda done, total: progress.append((done, total)),
        )
    )
    assert [i["key"] for i in got] == want
    assert all(set(i["fields"]) == {"summary", "assignee"} for i in got)
    assert env.count("/rest/api/2/search") == -(-ISSUES // 10)
    assert env.wire.max_open > 1
    assert progress[0] == (10, ISSUES)
    assert progress[-1] == (ISSUES, ISSUES)


async def test_stopping_early_cancels_the_calls_still_open(env: Env) -> None:
    stream = export(env.context(limit=8.0), JQL, batch_size=5, window=6)
    first = [await anext(stream) for _ in range(3)]
    await stream.aclose()  # type: ignore[attr-defined]
    assert len(first) == 3
    assert env.wire.open == 0


async def test_an_invalid_query_raises_the_mapped_error(env: Env) -> None:
    with pytest.raises(InvalidJql):
        await collect(export(env.context(), "project = = PRJ"))


async def test_issues_deleted_between_search_and_fetch_are_skipped() -> None:
    sandbox = build_sandbox(dcs=(), projects=1, issues=12, seed=3)
    wire = Wire(sandbox)
    async with httpx.AsyncClient(transport=wire, base_url="http://sandbox.test") as client:
        instance = sandbox.sites["acme"]
        stats = ExportStats()
        stream = Env(sandbox, wire, client).context()
        issues = export(stream, "project = PRJ ORDER BY key", batch_size=5, window=1, stats=stats)
        # With a window of one, the second batch is not asked for before the first is consumed.
        got = [await anext(issues) for _ in range(5)]
        victim = next(i for i in instance.issues.values() if str(i.id) not in {g["id"] for g in got})
        instance.remove_issue(victim)
        got += await collect(issues)
    assert stats.missing == 1
    assert stats.total == stats.issues == 11
    assert len({i["id"] for i in got}) == 11
    assert str(victim.id) not in {i["id"] for i in got}


async def test_bad_sizes_are_refused(env: Env) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await anext(export(env.context(), JQL, window=0))


async def test_count_is_the_approximate_count_on_cloud_and_the_total_on_dc(env: Env) -> None:
    assert await count(env.context(), JQL) == ISSUES
    assert await count(env.context("dc"), JQL) == ISSUES


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("plain", "plain"),
        (3, "3"),
        (True, "true"),
        ({"displayName": "Alice Adams", "accountId": "x"}, "Alice Adams"),
        ({"name": "In Progress", "id": "3"}, "In Progress"),
        ({"value": "Red", "id": "10"}, "Red"),
        ([{"name": "api"}, {"name": "ui"}], "api; ui"),
        (
            {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi"}]}],
            },
            "Hi",
        ),
        ({"other": 1}, '{"other":1}'),
    ],
)
def test_as_text(value: Any, text: str) -> None:
    assert as_text(value) == text


async def test_dc_pages_cut_shorter_than_the_first_are_completed() -> None:
    """A server that caps later pages below the first page's size still yields every issue once."""
    keys = [f"OPS-{n}" for n in range(1, 48)]
    asked: list[tuple[int, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        start, size = body["startAt"], body["maxResults"]
        asked.append((start, size))
        cap = size if start == 0 else min(size, 4)  # later pages: at most 4 issues
        page = keys[start : start + cap]
        return httpx.Response(
            200, json={"startAt": start, "total": len(keys), "issues": [{"key": k} for k in page]}
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        ctx = ApiContext(
            Transport(client, StaticCredentials({"Authorization": "Bearer x"})), "http://dc.test", "dc"
        )
        got = await collect(export(ctx, "project = OPS", batch_size=10))
    assert [i["key"] for i in got] == keys
    assert asked[0] == (0, 10)
    assert (10, 10) in asked
    assert (14, 6) in asked  # the rest of the 10..19 range, asked for once the page came back short
