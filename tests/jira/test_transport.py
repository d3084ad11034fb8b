"""The transport against the in-process sandbox and its fault injection, on the sandbox's clock.

Sleeping moves the sandbox's clock forward instead of waiting, so a
``Retry-After`` window passes instantly for the client and the sandbox's
rate limiter alike; the wire below records when each request left.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import orjson
import pytest

from jiragw.errors import (
    InvalidInput,
    InvalidJql,
    NotFound,
    PathRejected,
    RateLimited,
    ReauthRequired,
    ScopeDenied,
    UpstreamError,
    UpstreamUnavailable,
)
from jiragw.jira.client import JiraClient
from jiragw.jira.limiter import AdaptiveLimit, ConnectionBudget
from jiragw.jira.policy import RetryPolicy
from jiragw.jira.transport import CredentialProvider, StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.http.dispatch import DroppedConnection
from jiragw.secrets import Secret

MYSELF = "/rest/api/3/myself"
WALL = datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp()
SEARCH = "/rest/api/3/search/jql"


@dataclass
class Sent:
    at: float
    method: str
    path: str
    status: int  # 0: the connection dropped
    retry_after: float | None = None
    done_at: float = 0.0


@dataclass
class Wire(httpx.AsyncBaseTransport):
    """The sandbox app behind a log; a dropped connection surfaces as httpx does it for a socket."""

    sandbox: Sandbox
    log: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.inner = httpx.ASGITransport(app=create_app(self.sandbox))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        clock = self.sandbox.clock
        await asyncio.sleep(0)  # let concurrent calls leave together, as over a real network
        sent = Sent(clock.monotonic(), request.method, request.url.path, 0)
        self.log.append(sent)
        try:
            response = await self.inner.handle_async_request(request)
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError("peer closed connection", request=request) from exc
        finally:
            sent.done_at = clock.monotonic()
        sent.status = response.status_code
        if "Retry-After" in response.headers:
            sent.retry_after = float(response.headers["Retry-After"])
        return response


@dataclass
class Env:
    sandbox: Sandbox
    wire: Wire
    client: httpx.AsyncClient
    sleeps: list[float]

    def transport(
        self, credentials: CredentialProvider | None = None, *, limit: float = 4.0, **kw: object
    ) -> Transport:
        clock = self.sandbox.clock

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            clock.advance(seconds)
            await asyncio.sleep(0)

        return Transport(
            self.client,
            credentials or alice(self.sandbox),
            budget=ConnectionBudget(AdaptiveLimit(value=limit), clock=clock.monotonic, sleep=sleep),
            clock=clock.monotonic,
            wall=clock.time,
            sleep=sleep,
            rng=random.Random(3),
            **kw,  # type: ignore[arg-type]
        )

    def counted(self, operation: str, status: int | None = None) -> int:
        return sum(
            n
            for key, n in self.sandbox.counters.items()
            if key.operation == operation and (status is None or key.status == status)
        )


def alice(sandbox: Sandbox) -> StaticCredentials:
    user = sandbox.sites["acme"].find_user("alice")
    assert user is not None
    return StaticCredentials.basic(user.email, Secret(user.api_token))


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    sandbox = build_sandbox(dcs=(), projects=2, issues=30, seed=11)
    wire = Wire(sandbox)
    async with httpx.AsyncClient(transport=wire, base_url="http://sandbox.test/sites/acme") as client:
        yield Env(sandbox, wire, client, [])


async def test_a_plain_call_goes_through_once(env: Env) -> None:
    me = await env.transport().get_json(MYSELF)
    assert me["emailAddress"] == "alice@example.com"
    assert len(env.wire.log) == 1
    assert env.counted("getCurrentUser", 200) == 1


async def test_rate_limited_calls_succeed_with_no_call_inside_a_retry_after_window(env: Env) -> None:
    env.sandbox.faults.update({"rate_limit": 2})
    transport = env.transport(limit=8.0)
    results = await asyncio.gather(*(transport.get_json(MYSELF) for _ in range(12)))
    assert all(r["emailAddress"] == "alice@example.com" for r in results)
    refused = [s for s in env.wire.log if s.status == 429]
    assert refused, "the burst limit should have refused some calls"
    for s in refused:
        assert s.retry_after is not None
        assert s.retry_after >= 1
        window = (s.done_at, s.done_at + s.retry_after)
        inside = [o for o in env.wire.log if window[0] < o.at < window[1] - 1e-6]
        assert inside == [], f"calls went upstream inside the Retry-After window {window}"
    # The sandbox saw exactly what the wire saw: 12 successes and the 429s, nothing else.
    assert env.counted("getCurrentUser", 200) == 12
    assert env.counted("getCurrentUser", 429) == len(refused)
    assert env.counted("getCurrentUser") == len(env.wire.log)
    # Each 429 halved the adaptive limit (once per window).
    assert transport.budget.limit.value < 8.0


async def test_a_rate_limited_post_is_retried(env: Env) -> None:
    env.sandbox.faults.update({"rate_limit": 1})
    transport = env.transport()
    body = {"jql": "project = PRJ", "maxResults": 1}
    first, second = await asyncio.gather(transport.post_json(SEARCH, body), transport.post_json(SEARCH, body))
    assert first["issues"]
    assert second["issues"]
    assert env.counted("searchAndReconsileIssuesUsingJqlPost", 429) >= 1
    assert env.counted("searchAndReconsileIssuesUsingJqlPost", 200) == 2


async def test_5xx_is_retried_for_get(env: Env) -> None:
    env.sandbox.faults.update({"error_rate": 0.5})
    transport = env.transport(policy=RetryPolicy(max_attempts=10))
    for _ in range(6):
        me = await transport.get_json(MYSELF)
        assert me["accountType"] == "atlassian"
    failed = [s for s in env.wire.log if s.status >= 500]
    assert failed, "the fault injection should have failed some calls"
    assert env.counted("getCurrentUser", 200) == 6
    assert env.sleeps  # every retry waited first


async def test_5xx_gives_up_after_the_attempt_budget(env: Env) -> None:
    env.sandbox.faults.update({"error_rate": 1})
    transport = env.transport(policy=RetryPolicy(max_attempts=3))
    with pytest.raises(UpstreamError) as info:
        await transport.get_json(MYSELF)
    assert info.value.details["status"] in (500, 503)
    assert len(env.wire.log) == 3


async def test_5xx_is_not_retried_for_post(env: Env) -> None:
    env.sandbox.faults.update({"error_rate": 1})
    with pytest.raises(UpstreamError):
        await env.transport().post_json(SEARCH, {"jql": "project = PRJ"})
    assert len(env.wire.log) == 1
    assert env.counted("searchAndReconsileIssuesUsingJqlPost") == 1


async def test_dropped_connections_are_retried_for_get(env: Env) -> None:
    env.sandbox.faults.update({"drop_rate": 0.5})
    transport = env.transport(policy=RetryPolicy(max_attempts=10))
    for _ in range(6):
        me = await transport.get_json(MYSELF)
        assert me["emailAddress"] == "alice@example.com"
    assert any(s.status == 0 for s in env.wire.log), "some connections should have dropped"
    assert env.counted("getCurrentUser") == len(env.wire.log)


async def test_a_dropped_post_is_not_retried(env: Env) -> None:
    env.sandbox.faults.update({"drop_rate": 1})
    with pytest.raises(UpstreamUnavailable) as info:
        await env.transport().post_json(SEARCH, {"jql": "project = PRJ"})
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert len(env.wire.log) == 1


async def test_errors_are_mapped_with_jira_messages(env: Env) -> None:
    transport = env.transport()
    with pytest.raises(NotFound) as missing:
        await transport.get_json("/rest/api/3/issue/NOPE-999")
    assert missing.value.details["errorMessages"]
    with pytest.raises(InvalidJql) as bad:
        await transport.get_json(SEARCH, {"jql": "nosuchfield = 1"})
    assert "nosuchfield" in bad.value.details["errorMessages"][0]
    assert len(env.wire.log) == 2  # client errors are never retried


class RotatingCredentials:
    """Stale headers until a forced refresh, then ``fresh`` (None: the refresh gives stale ones again)."""

    def __init__(self, stale: Mapping[str, str], fresh: Mapping[str, str] | None) -> None:
        self.stale = stale
        self.fresh = fresh
        self.calls: list[bool] = []

    async def headers(self, force_refresh: bool = False) -> Mapping[str, str]:
        self.calls.append(force_refresh)
        if force_refresh and self.fresh is not None:
            self.stale = self.fresh
        return self.stale


def basic(user: str, secret: str) -> dict[str, str]:
    request = httpx.Request("GET", "http://x/")
    return {"Authorization": next(httpx.BasicAuth(user, secret).auth_flow(request)).headers["Authorization"]}


async def test_a_401_forces_one_refresh_and_one_retry(env: Env) -> None:
    user = env.sandbox.sites["acme"].find_user("alice")
    assert user is not None
    creds = RotatingCredentials(basic(user.email, "expired"), basic(user.email, user.api_token))
    me = await env.transport(creds).get_json(MYSELF)
    assert me["emailAddress"] == "alice@example.com"
    assert creds.calls == [False, True]
    assert [s.status for s in env.wire.log] == [401, 200]


async def test_a_401_after_the_refresh_is_reauth_required(env: Env) -> None:
    user = env.sandbox.sites["acme"].find_user("alice")
    assert user is not None
    creds = StaticCredentials.basic(user.email, Secret("revoked-token"))
    with pytest.raises(ReauthRequired):
        await env.transport(creds).get_json(MYSELF)
    assert creds.refreshes == 1
    assert [s.status for s in env.wire.log] == [401, 401]


async def test_a_refresh_that_fails_propagates_its_error(env: Env) -> None:
    class Dead:
        async def headers(self, force_refresh: bool = False) -> Mapping[str, str]:
            if force_refresh:
                raise ReauthRequired("invalid_grant")
            return basic("alice@example.com", "expired")

    with pytest.raises(ReauthRequired, match="invalid_grant"):
        await env.transport(Dead()).get_json(MYSELF)
    assert len(env.wire.log) == 1


# -- MockTransport: answers the sandbox does not give ------------------------------------------


Mocked = Callable[[httpx.MockTransport], tuple[Transport, list[float]]]


@pytest.fixture
async def mocked() -> AsyncIterator[Mocked]:
    """``mocked(handler)`` -> a transport over ``handler`` on a fake clock, and its list of sleeps."""
    clients: list[httpx.AsyncClient] = []

    def make(handler: httpx.MockTransport) -> tuple[Transport, list[float]]:
        sleeps: list[float] = []
        now = [0.0]

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        client = httpx.AsyncClient(transport=handler, base_url="https://acme.atlassian.net")
        clients.append(client)
        transport = Transport(
            client,
            StaticCredentials({"Authorization": "Bearer t"}),
            clock=lambda: now[0],
            wall=lambda: WALL + now[0],
            sleep=sleep,
            rng=random.Random(5),
        )
        return transport, sleeps

    yield make
    for client in clients:
        await client.aclose()


async def test_retry_after_zero_waits_the_minimum(mocked: Mocked) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json={"ok": 1})])
    transport, sleeps = mocked(httpx.MockTransport(lambda request: next(answers)))
    assert await transport.get_json("/rest/api/3/myself") == {"ok": 1}
    assert sleeps == [RetryPolicy().min_wait]


async def test_a_reset_timestamp_alone_sets_the_wait(mocked: Mocked) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"X-RateLimit-Reset": "2026-11-23T10:00:42Z"}),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    transport, sleeps = mocked(httpx.MockTransport(lambda request: next(answers)))
    assert await transport.get_json("/rest/api/3/myself") == {"ok": 1}
    assert sleeps == [pytest.approx(42.0)]
    assert transport.budget.paused_for() == 0.0


async def test_the_limit_grows_on_success_but_not_near_the_rate_limit(mocked: Mocked) -> None:
    near = {"X-RateLimit-NearLimit": "true"}
    answers = iter([httpx.Response(200, json={}), httpx.Response(200, json={}, headers=near)])
    transport, _ = mocked(httpx.MockTransport(lambda request: next(answers)))
    start = transport.budget.limit.value
    await transport.get_json("/a")
    grown = transport.budget.limit.value
    assert grown > start
    await transport.get_json("/b")
    assert transport.budget.limit.value == grown


async def test_retries_are_logged_without_credentials(
    mocked: Mocked, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(200, json={})])
    transport, _ = mocked(httpx.MockTransport(lambda request: next(answers)))
    with caplog.at_level("DEBUG", logger="jiragw.jira"):
        await transport.get_json("/rest/api/3/myself")
    assert "HTTP 503" in caplog.text
    assert "Bearer" not in caplog.text


async def test_one_429_holds_every_queued_call_for_the_same_window() -> None:
    now = [0.0]
    sent: list[tuple[float, str]] = []
    refused = set()

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append((now[0], request.url.path))
        await asyncio.sleep(0)  # in flight together, as over a network
        if request.url.path == "/a" and "/a" not in refused:
            refused.add("/a")
            return httpx.Response(429, headers={"Retry-After": "10"})
        return httpx.Response(200, json={})

    async def sleep(seconds: float) -> None:
        # Concurrent sleepers share the timeline: others run first, then time reaches this one's end.
        end = now[0] + seconds
        for _ in range(5):
            await asyncio.sleep(0)
        now[0] = max(now[0], end)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="https://x") as client:
        transport = Transport(
            client,
            StaticCredentials({"Authorization": "Bearer t"}),
            budget=ConnectionBudget(AdaptiveLimit(value=2.0), clock=lambda: now[0], sleep=sleep),
            sleep=sleep,
            rng=random.Random(1),
        )
        await asyncio.gather(*(transport.get_json(path) for path in ("/a", "/b", "/c", "/d")))
    first_wave = [path for at, path in sent if at == 0.0]
    assert sorted(first_wave) == ["/a", "/b"]  # two slots; /c and /d were queued
    later = [at for at, _ in sent[2:]]
    assert all(at == 10.0 for at in later), sent  # the queued calls waited out the same window
    assert sorted(path for _, path in sent[2:]) == ["/a", "/c", "/d"]  # one 429 in all


async def test_persistent_rate_limits_end_in_rate_limited(mocked: Mocked) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "2"}, json={"errorMessages": ["slow down"]})

    transport, sleeps = mocked(httpx.MockTransport(handler))
    with pytest.raises(RateLimited, match="slow down") as info:
        await transport.get_json("/rest/api/3/myself")
    assert info.value.retry_after == 2.0
    assert len(calls) == RetryPolicy().max_attempts
    assert sum(sleeps) == pytest.approx(2.0 * (RetryPolicy().max_attempts - 1))


async def test_scope_denied_is_not_refreshed(mocked: Mocked) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"code": 401, "message": "Unauthorized; scope does not match"})

    transport, _ = mocked(httpx.MockTransport(handler))
    with pytest.raises(ScopeDenied):
        await transport.get_json("/rest/api/3/project/search")
    assert len(calls) == 1


async def test_requests_carry_auth_json_and_clean_params(mocked: Mocked) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport, _ = mocked(httpx.MockTransport(handler))
    assert await transport.request_json("PUT", "/rest/api/3/issue/A-1", json={"fields": {}}) is None
    await transport.send("GET", "/x", params={"a": True, "b": None, "c": ["x", "y"], "d": 3})
    put, get = seen
    assert put.headers["Authorization"] == "Bearer t"
    assert put.headers["Content-Type"] == "application/json"
    assert orjson.loads(put.content) == {"fields": {}}
    assert get.url.query == b"a=true&c=x&c=y&d=3"


async def test_a_non_json_success_body_is_an_upstream_error(mocked: Mocked) -> None:
    transport, _ = mocked(httpx.MockTransport(lambda request: httpx.Response(200, text="<html>login</html>")))
    with pytest.raises(UpstreamError, match="not JSON"):
        await transport.get_json("/rest/api/3/myself")


def test_static_credentials_never_show_their_secret() -> None:
    creds = StaticCredentials.bearer(Secret("PAT-very-secret"))
    assert "very-secret" not in repr(creds)
    assert isinstance(creds, CredentialProvider)


# -- containment: the final URL stays inside the connection's APIs ---------------------------

DC_BASE = "http://sandbox.test/dc/corp"


@pytest.fixture
async def dc() -> AsyncIterator[tuple[Sandbox, Wire, JiraClient]]:
    """The SDK over a Data Center personal access token, as the CLI and MCP open it."""
    sandbox = build_sandbox(projects=1, issues=3, seed=7)
    wire = Wire(sandbox)
    user = sandbox.dcs["corp"].find_user("alice")
    assert user is not None
    async with (
        httpx.AsyncClient(transport=wire) as client,
        JiraClient.from_url(DC_BASE, "dc", StaticCredentials.bearer(Secret(user.pat)), client=client) as jira,
    ):
        yield sandbox, wire, jira


async def test_a_path_out_of_the_api_is_refused_before_sending(dc: tuple[Sandbox, Wire, JiraClient]) -> None:
    sandbox, wire, jira = dc
    key = next(iter(sandbox.dcs["corp"].issues.values())).key
    assert (await jira.issues.get(key)).key == key
    wire.log.clear()
    with pytest.raises(PathRejected):  # a path built around the helper: httpx drops the dots
        await jira.ctx.get("/issue/X-1/../../../../pat/latest/tokens?")
    with pytest.raises(PathRejected):  # through the helper: one segment, but dot segments once decoded
        await jira.issues.get("X-1/../../../../pat/latest/tokens?")
    with pytest.raises(PathRejected):
        await jira.issues.edit(f"{key}/../OTHER-2", summary="moved")
    with pytest.raises(PathRejected):
        await jira.ctx.transport.get_json("http://elsewhere.test/dc/corp/rest/api/2/myself")
    assert wire.log == []


async def test_a_url_too_long_to_build_is_invalid_input(dc: tuple[Sandbox, Wire, JiraClient]) -> None:
    _, wire, jira = dc
    with pytest.raises(InvalidInput) as caught:
        await jira.ctx.get("/search", {"jql": "summary ~ " + "a" * 100_000})
    assert "too long" in caught.value.message
    assert wire.log == []
