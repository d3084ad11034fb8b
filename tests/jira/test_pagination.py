"""The paging iterators: every item exactly once, against the sandbox and against hostile fakes."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from jiragw.errors import UpstreamError
from jiragw.jira.pagination import paginate_offset, paginate_page_bean, paginate_token
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret

JQL = "project in (PRJ, PLAT) ORDER BY key"


async def collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=130, seed=5)


def transport_for(client: httpx.AsyncClient, sandbox: Sandbox, where: str) -> Transport:
    if where == "acme":
        user = sandbox.sites["acme"].find_user("alice")
        assert user is not None
        return Transport(client, StaticCredentials.basic(user.email, Secret(user.api_token)))
    user = sandbox.dcs["corp"].find_user("alice")
    assert user is not None
    return Transport(client, StaticCredentials.bearer(Secret(user.pat)))


@pytest.fixture
async def cloud(sandbox: Sandbox) -> AsyncIterator[Transport]:
    app = httpx.ASGITransport(app=create_app(sandbox))
    async with httpx.AsyncClient(transport=app, base_url="http://sandbox.test/sites/acme") as client:
        yield transport_for(client, sandbox, "acme")


@pytest.fixture
async def dc(sandbox: Sandbox) -> AsyncIterator[Transport]:
    app = httpx.ASGITransport(app=create_app(sandbox))
    async with httpx.AsyncClient(transport=app, base_url="http://sandbox.test/dc/corp") as client:
        yield transport_for(client, sandbox, "corp")


def every_key(sandbox: Sandbox, where: str) -> list[str]:
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    return sorted(issue.key for issue in instance.issues.values())


@pytest.mark.parametrize("page_size", [1, 7, 50, 5000])
async def test_cloud_enhanced_search_returns_every_issue_once(
    cloud: Transport, sandbox: Sandbox, page_size: int
) -> None:
    fetch = lambda p: cloud.get_json("/rest/api/3/search/jql", p)  # noqa: E731
    issues = await collect(paginate_token(fetch, {"jql": JQL}, page_size=page_size))
    ids = [issue["id"] for issue in issues]
    assert len(ids) == len(set(ids)) == 130


async def test_cloud_enhanced_search_with_fields_is_capped_and_still_complete(
    cloud: Transport, sandbox: Sandbox
) -> None:
    pages: list[int] = []

    async def fetch(params: dict[str, Any]) -> Any:
        # POST, with the body as JSON: the same convention.
        page = await cloud.post_json("/rest/api/3/search/jql", params)
        pages.append(len(page["issues"]))
        return page

    params = {"jql": JQL, "fields": ["summary"]}
    issues = await collect(paginate_token(fetch, params, page_size=500))
    assert sorted(issue["key"] for issue in issues) == every_key(sandbox, "acme")
    assert pages == [100, 30]  # Jira returns at most 100 issues with fields, whatever was asked


@pytest.mark.parametrize("page_size", [1, 13, 1000])
async def test_dc_search_returns_every_issue_once(dc: Transport, sandbox: Sandbox, page_size: int) -> None:
    fetch = lambda p: dc.get_json("/rest/api/2/search", p)  # noqa: E731
    params = {"jql": JQL, "fields": "summary"}
    issues = await collect(paginate_offset(fetch, params, page_size=page_size))
    keys = [issue["key"] for issue in issues]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == every_key(sandbox, "corp")


async def test_page_bean_listing_over_the_sandbox(cloud: Transport) -> None:
    fetch = lambda p: cloud.get_json("/rest/api/3/field/search", p)  # noqa: E731
    fields = await collect(paginate_page_bean(fetch, {}, page_size=3))
    everything = await cloud.get_json("/rest/api/3/field/search", {"maxResults": 1000})
    assert [f["id"] for f in fields] == [f["id"] for f in everything["values"]]
    assert len(fields) > 3


# -- Fakes: servers that misbehave in the ways Jira does ----------------------------------------


class OffsetServer:
    """A ``startAt`` listing that silently serves at most ``cap`` items per page."""

    def __init__(self, total: int, cap: int, *, bean: bool = False, with_total: bool = True) -> None:
        self.items = list(range(total))
        self.cap = cap
        self.bean = bean
        self.with_total = with_total
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, params: dict[str, Any]) -> Any:
        self.requests.append(params)
        start, size = params["startAt"], min(params["maxResults"], self.cap)
        page = self.items[start : start + size]
        body: dict[str, Any] = {"startAt": start, "maxResults": size}
        if self.with_total:
            body["total"] = len(self.items)
        if self.bean:
            body["values"] = page
            body["isLast"] = start + size >= len(self.items)
        else:
            body["issues"] = page
        return body


@pytest.mark.parametrize(
    ("total", "cap", "asked"), [(0, 10, 50), (10, 10, 10), (257, 100, 1000), (31, 3, 50)]
)
async def test_offset_advances_by_what_was_returned(total: int, cap: int, asked: int) -> None:
    server = OffsetServer(total, cap)
    items = await collect(paginate_offset(server, {"jql": "x"}, page_size=asked))
    assert items == list(range(total))
    assert [r["startAt"] for r in server.requests][:3] == [0, cap, 2 * cap][: len(server.requests[:3])]
    assert all(r["jql"] == "x" for r in server.requests)


async def test_offset_without_total_stops_on_an_empty_page() -> None:
    server = OffsetServer(25, 10, with_total=False)
    assert await collect(paginate_offset(server, {}, page_size=10)) == list(range(25))
    assert len(server.requests) == 4  # the last one answered nothing


@pytest.mark.parametrize(("total", "cap"), [(0, 5), (5, 5), (42, 8)])
async def test_page_bean_advances_by_what_was_returned(total: int, cap: int) -> None:
    server = OffsetServer(total, cap, bean=True)
    assert await collect(paginate_page_bean(server, {}, page_size=50)) == list(range(total))
    assert len(server.requests) == max(1, -(-total // cap))


async def test_token_paging_over_a_fake_with_random_page_sizes() -> None:
    rng = random.Random(9)
    items = list(range(300))

    async def fetch(params: dict[str, Any]) -> Any:
        start = int(params.get("nextPageToken") or 0)
        size = rng.randint(1, params["maxResults"])  # the server decides the page size
        end = min(len(items), start + size)
        body: dict[str, Any] = {"issues": items[start:end], "isLast": end >= len(items)}
        if end < len(items):
            body["nextPageToken"] = str(end)
        return body

    assert await collect(paginate_token(fetch, {}, page_size=40)) == items


async def test_a_repeated_token_is_an_error_not_a_loop() -> None:
    async def fetch(params: dict[str, Any]) -> Any:
        return {"issues": [1], "nextPageToken": "same", "isLast": False}

    with pytest.raises(UpstreamError, match="repeated"):
        await collect(paginate_token(fetch, {}))


async def test_a_page_that_is_not_an_object_is_an_error() -> None:
    async def fetch(params: dict[str, Any]) -> Any:
        return ["not", "a", "page"]

    with pytest.raises(UpstreamError):
        await collect(paginate_token(fetch, {}))

    async def bad_items(params: dict[str, Any]) -> Any:
        return {"issues": "nope", "total": 1}

    with pytest.raises(UpstreamError, match="not a list"):
        await collect(paginate_offset(bad_items, {}))


async def test_the_callers_params_are_not_mutated() -> None:
    params = {"jql": "x"}
    await collect(paginate_offset(OffsetServer(3, 2), params))
    assert params == {"jql": "x"}
