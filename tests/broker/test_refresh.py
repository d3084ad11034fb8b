"""Single-flight refresh, invalid_grant, retries and cooldown, the 401 rule, crash between call and commit.

Every grant comes from a real 3LO consent at the sandbox; token calls are
counted by the sandbox, and every refresh token presented to it is recorded
(``cloud_refreshes``) so "never two calls with one refresh token" is checked
where it matters, at the server.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
import pytest

from jiragw.broker import Broker
from jiragw.broker.broker import FORCED_RENEWAL_MIN_AGE
from jiragw.errors import ReauthRequired, StoreBusy, TokenEndpointUnavailable
from jiragw.sandbox import Sandbox, create_app
from jiragw.sandbox.oauth import oauth_state
from jiragw.store import ConnectionRecord, GrantStatus, Store
from jiragw.store.models import Grant
from tests.broker.conftest import Demo, SandboxClock, Sleeps, connect_3lo, token_calls

pytestmark = pytest.mark.usefixtures("backend")
TTL = timedelta(seconds=3600)  # the sandbox's default access-token lifetime


def refresh_attempts(sandbox: Sandbox) -> int:
    """Refresh calls, counting those the sandbox failed on purpose (counted before the grant type is read)."""
    injected = sum(n for key, n in sandbox.counters.items() if key.operation == "token" and key.status >= 500)
    return token_calls(sandbox, "refresh_token") + injected


def myself_calls(sandbox: Sandbox) -> int:
    return sum(n for key, n in sandbox.counters.items() if key.operation == "getCurrentUser")


def believe_fresh(store: Store, grant_id: str, until: datetime) -> None:
    """Make the broker think its access token lives until ``until`` (the sandbox may disagree)."""
    with store.transaction() as tx:
        row = tx.session.get(Grant, grant_id)
        assert row is not None
        row.access_expires_at = until


class Tap(httpx.AsyncBaseTransport):
    """The sandbox in-process, with a hook that sees each request first and may answer it instead."""

    def __init__(
        self, sandbox: Sandbox, hook: Callable[[httpx.Request], Awaitable[httpx.Response | None]]
    ) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sandbox))
        self.hook = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.hook(request)
        return answer if answer is not None else await self.inner.handle_async_request(request)


@pytest.fixture
async def expired(broker: Broker, demo: Demo, clock: SandboxClock) -> ConnectionRecord:
    """A 3LO connection whose access token expired five minutes ago, on both clocks."""
    conn = await connect_3lo(broker, demo)
    clock.advance(seconds=TTL.total_seconds() + 300)
    return conn


async def test_fresh_token_needs_no_call(broker: Broker, demo: Demo, sandbox: Sandbox) -> None:
    conn = await connect_3lo(broker, demo)
    creds = await broker.credentials_for(conn.name)
    assert token_calls(sandbox, "refresh_token") == 0
    assert creds.headers("GET", "http://x/", now=broker.now())["Authorization"].startswith("Bearer sbx_at_")


async def test_refresh_is_due_sixty_seconds_before_expiry(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock
) -> None:
    conn = await connect_3lo(broker, demo)
    clock.advance(seconds=TTL.total_seconds() - 61)
    await broker.credentials_for(conn.name)
    assert token_calls(sandbox, "refresh_token") == 0
    clock.advance(seconds=2)
    before = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
    creds = await broker.credentials_for(conn.name)
    after = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
    assert token_calls(sandbox, "refresh_token") == 1
    assert creds.access_token == after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # rotated and stored
    assert after.refresh_family_started_at == before.refresh_family_started_at


@pytest.mark.parametrize("ttl", [5, 40], ids=["5s", "40s"])
async def test_a_short_lived_token_is_due_at_a_quarter_of_its_life_left(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock, ttl: int
) -> None:
    oauth_state(sandbox).set_access_token_ttl(ttl)
    conn = await connect_3lo(broker, demo)
    clock.advance(seconds=ttl * 0.5)
    first = await broker.credentials_for(conn.name)
    assert token_calls(sandbox, "refresh_token") == 0  # a 60 s margin would make it due from birth
    clock.advance(seconds=ttl * 0.4)
    renewed = await broker.credentials_for(conn.name)
    assert token_calls(sandbox, "refresh_token") == 1
    assert renewed.access_token != first.access_token
    assert await broker.credentials_for(conn.name) == renewed  # the new one is not due: no storm
    assert token_calls(sandbox, "refresh_token") == 1


async def test_a_token_renewed_while_waiting_is_used_whatever_the_time_rule(
    broker: Broker, demo: Demo, sandbox: Sandbox, store: Store, clock: SandboxClock
) -> None:
    """The caller saw token A; when it holds the lock the grant holds B, unexpired: no second call."""
    conn = await connect_3lo(broker, demo)
    seen = (await broker.db(lambda tx: tx.grants.get(conn.grant_id))).access_token
    clock.advance(seconds=TTL.total_seconds() - 1)
    renewed = await broker.refresh(conn.grant_id, seen=seen)
    assert token_calls(sandbox, "refresh_token") == 1
    believe_fresh(store, conn.grant_id, clock.now + timedelta(seconds=10))
    clock.advance(seconds=9)  # due by the time rule
    again = await broker.refresh(conn.grant_id, seen=seen)  # a caller that waited behind the first
    assert token_calls(sandbox, "refresh_token") == 1
    assert again.access_token == renewed.access_token
    await broker.refresh(conn.grant_id, seen=renewed.access_token)  # the one it saw is due: renewed
    assert token_calls(sandbox, "refresh_token") == 2


async def test_fifty_tasks_one_refresh(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox, cloud_refreshes: Counter[str]
) -> None:
    results = await asyncio.gather(*(broker.credentials_for(expired.name) for _ in range(50)))
    assert token_calls(sandbox, "refresh_token") == 1
    assert len({r.access_token.reveal() for r in results if r.access_token}) == 1
    assert list(cloud_refreshes.values()) == [1]
    assert (await broker.test(expired.name)).account_id  # the new token works at the sandbox


async def test_two_brokers_on_one_database_one_refresh(
    store: Store,
    make_broker: Callable[..., Broker],
    expired: ConnectionRecord,
    sandbox: Sandbox,
    clock: SandboxClock,
    cloud_refreshes: Counter[str],
) -> None:
    """Two brokers with their own in-process locks and engines stand for two processes."""
    other = Store.open(store.engine.url.render_as_string(hide_password=False), store.keyring, clock=clock)
    try:
        a, b = make_broker(store), make_broker(other)
        results = await asyncio.gather(*(x.credentials_for(expired.name) for _ in range(25) for x in (a, b)))
    finally:
        other.dispose()
    assert token_calls(sandbox, "refresh_token") == 1
    assert len({r.access_token.reveal() for r in results if r.access_token}) == 1
    assert list(cloud_refreshes.values()) == [1]


async def test_threads_with_their_own_loops_one_refresh(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox
) -> None:
    barrier = threading.Barrier(4)
    seen: list[str] = []

    def worker() -> None:
        async def run() -> None:
            barrier.wait()
            creds = await asyncio.gather(*(broker.credentials_for(expired.name) for _ in range(5)))
            seen.extend(c.access_token.reveal() for c in creds if c.access_token)

        asyncio.run(run())

    # ASGITransport runs the sandbox on whichever loop sends to it.
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    await asyncio.to_thread(barrier.wait)
    await asyncio.gather(*(asyncio.to_thread(t.join) for t in threads))
    assert len(seen) == 15
    assert len(set(seen)) == 1
    assert token_calls(sandbox, "refresh_token") == 1


async def test_invalid_grant_is_terminal_after_one_call(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox
) -> None:
    cloud = oauth_state(sandbox).cloud
    for grant_id in list(cloud.grants):
        cloud.revoke(grant_id, "the user revoked the app")
    results = await asyncio.gather(
        *(broker.credentials_for(expired.name) for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, ReauthRequired) for r in results), results
    assert token_calls(sandbox, "refresh_token") == 1
    grant = await broker.db(lambda tx: tx.grants.get(expired.grant_id))
    assert grant.status is GrantStatus.REAUTH_REQUIRED
    assert grant.status_reason
    with pytest.raises(ReauthRequired) as info:
        await broker.credentials_for(expired.name)
    assert info.value.code == "reauth_required"
    assert token_calls(sandbox, "refresh_token") == 1


async def test_5xx_bounded_retries_then_cooldown(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox, clock: SandboxClock, sleeps: Sleeps
) -> None:
    sandbox.faults.update({"error_rate": 1.0})
    with pytest.raises(TokenEndpointUnavailable):
        await broker.credentials_for(expired.name)
    assert refresh_attempts(sandbox) == 3
    assert len(sleeps) == 2
    assert all(0 <= s <= 0.4 for s in sleeps)
    with pytest.raises(TokenEndpointUnavailable, match="cooling down"):
        await broker.credentials_for(expired.name)
    assert refresh_attempts(sandbox) == 3
    sandbox.faults.update({"error_rate": 0.0})
    clock.advance(seconds=61)
    await broker.credentials_for(expired.name)
    assert refresh_attempts(sandbox) == 4
    grant = await broker.db(lambda tx: tx.grants.get(expired.grant_id))
    assert grant.status is GrantStatus.ACTIVE
    assert grant.cooldown_until is None


async def test_5xx_then_success_within_retries(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox, sleeps: Sleeps
) -> None:
    sandbox.faults.update({"error_rate": 1.0})

    def heal(n: int) -> None:
        if n == 2:  # the third attempt finds the endpoint healthy again
            sandbox.faults.update({"error_rate": 0.0})

    sleeps.hook = heal
    await broker.credentials_for(expired.name)
    assert refresh_attempts(sandbox) == 3


async def test_401_forces_one_refresh_and_one_retry(
    broker: Broker, store: Store, expired: ConnectionRecord, sandbox: Sandbox, clock: SandboxClock
) -> None:
    believe_fresh(store, expired.grant_id, clock.now + timedelta(hours=1))  # expired at the sandbox only
    response = await broker.request(expired.name, "GET", "/rest/api/3/myself")
    assert response.status_code == 200
    assert token_calls(sandbox, "refresh_token") == 1
    assert myself_calls(sandbox) == 2


async def test_concurrent_401s_share_one_forced_refresh(
    broker: Broker, store: Store, expired: ConnectionRecord, sandbox: Sandbox, clock: SandboxClock
) -> None:
    believe_fresh(store, expired.grant_id, clock.now + timedelta(hours=1))
    responses = await asyncio.gather(
        *(broker.request(expired.name, "GET", "/rest/api/3/myself") for _ in range(10))
    )
    assert {r.status_code for r in responses} == {200}
    assert token_calls(sandbox, "refresh_token") == 1


def _always_401(seen: list[str]) -> Callable[[httpx.Request], Awaitable[httpx.Response | None]]:
    """A Jira that keeps answering 401 to myself (the sandbox cannot be made to); the rest is the sandbox."""

    async def answer(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/rest/api/3/myself"):
            seen.append(request.url.path)
            return httpx.Response(401, json={"code": 401, "message": "Unauthorized"})
        return None

    return answer


async def test_persistent_401_is_not_a_loop(
    store: Store,
    demo: Demo,
    sandbox: Sandbox,
    sleeps: Sleeps,
    make_broker: Callable[..., Broker],
    clock: SandboxClock,
) -> None:
    seen: list[str] = []
    conn = await connect_3lo(make_broker(store), demo)
    clock.advance(seconds=FORCED_RENEWAL_MIN_AGE.total_seconds() + 1)
    async with httpx.AsyncClient(transport=Tap(sandbox, _always_401(seen))) as client:
        broker = Broker(store, client, sleep=sleeps)
        response = await broker.request(conn.name, "GET", "/rest/api/3/myself")
    assert response.status_code == 401
    assert token_calls(sandbox, "refresh_token") == 1
    assert len(seen) == 2


async def test_a_401_to_a_token_issued_moments_ago_renews_nothing(
    store: Store,
    demo: Demo,
    sandbox: Sandbox,
    sleeps: Sleeps,
    make_broker: Callable[..., Broker],
    clock: SandboxClock,
) -> None:
    """A fresh token refused is refused for something else (a scope the grant lacks): no refresh per call."""
    seen: list[str] = []
    conn = await connect_3lo(make_broker(store), demo)
    clock.advance(seconds=FORCED_RENEWAL_MIN_AGE.total_seconds() - 5)
    async with httpx.AsyncClient(transport=Tap(sandbox, _always_401(seen))) as client:
        broker = Broker(store, client, sleep=sleeps)
        for _ in range(3):
            assert (await broker.request(conn.name, "GET", "/rest/api/3/myself")).status_code == 401
    assert token_calls(sandbox, "refresh_token") == 0
    assert len(seen) == 3  # one call each: the same credential would be refused again


async def test_slow_token_endpoint_never_two_calls_with_one_refresh_token(
    store: Store,
    demo: Demo,
    sandbox: Sandbox,
    clock: SandboxClock,
    sleeps: Sleeps,
    make_broker: Callable[..., Broker],
    cloud_refreshes: Counter[str],
) -> None:
    """The token endpoint (sandbox latency) answers only after the other 'process' gave up on the lock."""
    conn = await connect_3lo(make_broker(store), demo)
    clock.advance(seconds=TTL.total_seconds() + 300)
    entered = asyncio.Event()

    async def note(request: httpx.Request) -> None:
        if request.url.path == "/oauth/token":
            entered.set()

    sandbox.faults.update({"latency_ms": 2500})
    other = Store.open(store.engine.url.render_as_string(hide_password=False), store.keyring, clock=clock)
    try:
        async with httpx.AsyncClient(transport=Tap(sandbox, note)) as client:  # type: ignore[arg-type]
            a = Broker(store, client, sleep=sleeps)
            b = Broker(other, client, sleep=sleeps, lock_timeout=0.2)
            first = asyncio.create_task(a.credentials_for(conn.name))
            await entered.wait()
            assert a.refreshing(conn.grant_id)
            results = await asyncio.gather(
                *(b.credentials_for(conn.name) for _ in range(3)), return_exceptions=True
            )
            winner = await first
            sandbox.faults.update({"latency_ms": 0})
            again = await b.credentials_for(conn.name)  # B now sees A's committed tokens
    finally:
        other.dispose()
    assert isinstance(results[0], StoreBusy), results
    # Later waiters may find A's tokens committed: either way, never a call of their own.
    assert all(isinstance(r, StoreBusy) or r.access_token == winner.access_token for r in results)
    assert again.access_token == winner.access_token
    assert token_calls(sandbox, "refresh_token") == 1
    assert list(cloud_refreshes.values()) == [1]
    family = next(iter(oauth_state(sandbox).cloud.grants.values()))
    assert not family.revoked


class Crash(BaseException):
    """Stands for the process dying between the token response and the commit."""


def _crash() -> None:
    raise Crash


async def test_crash_before_commit_then_reuse_within_leeway_works(
    store: Store,
    make_broker: Callable[..., Broker],
    expired: ConnectionRecord,
    sandbox: Sandbox,
    clock: SandboxClock,
) -> None:
    with pytest.raises(Crash):
        await make_broker(store, after_token_response=_crash).credentials_for(expired.name)
    clock.advance(minutes=9)
    survivor = make_broker(store)
    assert (await survivor.test(expired.name)).account_id  # the old refresh token, reused in the leeway
    assert token_calls(sandbox, "refresh_token") == 2


async def test_crash_before_commit_after_leeway_is_reauth_not_a_loop(
    store: Store,
    make_broker: Callable[..., Broker],
    expired: ConnectionRecord,
    sandbox: Sandbox,
    clock: SandboxClock,
) -> None:
    with pytest.raises(Crash):
        await make_broker(store, after_token_response=_crash).credentials_for(expired.name)
    clock.advance(minutes=11)
    fresh = make_broker(store)
    for _ in range(3):
        with pytest.raises(ReauthRequired):
            await fresh.credentials_for(expired.name)
    assert token_calls(sandbox, "refresh_token") == 2
    grant = await fresh.db(lambda tx: tx.grants.get(expired.grant_id))
    assert grant.status is GrantStatus.REAUTH_REQUIRED
    assert all(g.revoked for g in oauth_state(sandbox).cloud.grants.values())  # the sandbox killed the family


async def test_family_past_365_days_needs_no_call(
    broker: Broker, expired: ConnectionRecord, sandbox: Sandbox, clock: SandboxClock
) -> None:
    clock.advance(days=366)
    with pytest.raises(ReauthRequired, match="365-day"):
        await broker.credentials_for(expired.name)
    assert token_calls(sandbox, "refresh_token") == 0


async def test_nearing_the_365_day_lifetime_warns_and_still_refreshes(
    broker: Broker,
    expired: ConnectionRecord,
    sandbox: Sandbox,
    clock: SandboxClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from jiragw.broker.manage import show_connection

    fresh = await show_connection(broker, expired.name)
    assert fresh.lifetime_warning is False
    assert fresh.reauthorize_by is not None
    # 355 days in: inside the 14-day warning window, but the sandbox's 90-day inactivity
    # rule would end the family first, so refresh every 80 days on the way there.
    for _ in range(4):
        clock.advance(days=80)
        await broker.credentials_for(expired.name)
    clock.advance(days=35)
    with caplog.at_level("WARNING", logger="jiragw.broker"):
        await broker.credentials_for(expired.name)
    assert "365-day limit" in caplog.text
    view = await show_connection(broker, expired.name)
    assert view.lifetime_warning is True
    assert view.reauthorize_by == fresh.reauthorize_by
    assert view.status == GrantStatus.ACTIVE.value
    assert token_calls(sandbox, "refresh_token") == 5
