"""The way to Jira: cached connections and credentials, one streaming send, no cookies (gateway/upstream.py).

:class:`Upstreams` runs over a fake broker counting its calls and fake clocks;
:func:`open_stream` and :class:`UpstreamClient` over ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import httpx
import pytest

from jiragw.broker import Broker, Credentials
from jiragw.errors import NotFound, ReauthRequired, UpstreamError, UpstreamUnavailable
from jiragw.gateway.upstream import (
    _MAX_ENTRIES,
    CONNECTION_TTL,
    CREDENTIAL_TTL,
    EXPIRY_MARGIN,
    UpstreamClient,
    Upstreams,
    open_stream,
)
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, GrantMethod
from tests.broker.fakes import T0, Clocks, record

CANARY_TOKEN = "canary-token-5b1e0c"
CANARY_URL = "https://canary-host.example/jira/rest/api/2/issue/CANARY-1?jql=canary"


def creds(
    conn: ConnectionRecord, token: str = CANARY_TOKEN, expires_at: datetime | None = None
) -> Credentials:
    return Credentials(
        connection=conn,
        method=GrantMethod.PAT,
        grant_version=1,
        authorization=Secret(f"Bearer {token}"),
        expires_at=expires_at,
    )


class FakeBroker:
    """``connection`` and ``credentials_for`` as Upstreams uses them, counting calls."""

    def __init__(self, *records: ConnectionRecord) -> None:
        self.records = {r.name: r for r in records}
        self.connection_calls: list[str] = []
        self.credential_calls: list[tuple[str, Credentials | None]] = []
        self.expires_at: datetime | None = None
        self.gate: asyncio.Event | None = None  # when set, credentials_for waits for it
        self.entered = asyncio.Event()
        self.fail: BaseException | None = None

    async def connection(self, name: str) -> ConnectionRecord:
        self.connection_calls.append(name)
        await asyncio.sleep(0)  # a real lookup suspends (worker thread)
        if name not in self.records:
            raise NotFound("no such connection")
        return self.records[name]

    async def credentials_for(
        self, conn: ConnectionRecord, *, stale: Credentials | None = None
    ) -> Credentials:
        self.credential_calls.append((conn.id, stale))
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        else:
            await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        return creds(conn, token=f"token-{len(self.credential_calls)}", expires_at=self.expires_at)


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker(record("acme"), record("corp"))


@pytest.fixture
def ups(broker: FakeBroker, clocks: Clocks) -> Upstreams:
    return Upstreams(cast(Broker, broker), now=clocks.now, monotonic=clocks.monotonic)


# -- connection lookups ---------------------------------------------------------------------------


async def test_a_connection_is_looked_up_once_per_ttl(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    first = await ups.connection("acme")
    assert first == record("acme")
    clocks.mono += CONNECTION_TTL - 0.01
    assert await ups.connection("acme") is first
    assert broker.connection_calls == ["acme"]
    clocks.mono += 0.01
    assert await ups.connection("acme") == first
    assert broker.connection_calls == ["acme", "acme"]


async def test_names_are_cached_separately(ups: Upstreams, broker: FakeBroker) -> None:
    assert (await ups.connection("acme")) == record("acme")
    assert (await ups.connection("corp")) == record("corp")
    assert (await ups.connection("acme")) == record("acme")
    assert broker.connection_calls == ["acme", "corp"]


async def test_an_unknown_name_is_cached_as_none(ups: Upstreams, broker: FakeBroker, clocks: Clocks) -> None:
    assert await ups.connection("ghost") is None
    assert await ups.connection("ghost") is None
    assert broker.connection_calls == ["ghost"]
    broker.records["ghost"] = record("ghost")  # created elsewhere: seen once the entry expires
    clocks.mono += CONNECTION_TTL
    assert await ups.connection("ghost") == record("ghost")
    assert broker.connection_calls == ["ghost", "ghost"]


async def test_the_name_cache_is_bounded(ups: Upstreams, broker: FakeBroker) -> None:
    assert _MAX_ENTRIES == 4096
    for i in range(_MAX_ENTRIES):
        assert await ups.connection(f"made-up-{i}") is None
    assert await ups.connection("made-up-0") is None
    assert len(broker.connection_calls) == _MAX_ENTRIES  # all 4096 still cached
    assert await ups.connection("one-too-many") is None  # a full cache is emptied first
    assert len(broker.connection_calls) == _MAX_ENTRIES + 1
    assert await ups.connection("one-too-many") is None
    assert await ups.connection("made-up-0") is None
    assert len(broker.connection_calls) == _MAX_ENTRIES + 2
    assert broker.connection_calls[-1] == "made-up-0"


async def test_other_broker_errors_are_not_cached(ups: Upstreams, broker: FakeBroker) -> None:
    async def boom(name: str) -> ConnectionRecord:
        broker.connection_calls.append(name)
        raise UpstreamUnavailable("database away")

    broker.connection = boom  # type: ignore[method-assign]
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await ups.connection("acme")
    assert broker.connection_calls == ["acme", "acme"]


# -- credentials ----------------------------------------------------------------------------------


async def test_credentials_are_loaded_once_per_ttl(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = record("acme")
    first = await ups.credentials(conn)
    clocks.mono += CREDENTIAL_TTL - 0.01
    assert await ups.credentials(conn) is first
    assert len(broker.credential_calls) == 1
    clocks.mono += 0.01
    second = await ups.credentials(conn)
    assert second is not first
    assert broker.credential_calls == [(conn.id, None), (conn.id, None)]


async def test_credentials_are_cached_per_connection(ups: Upstreams, broker: FakeBroker) -> None:
    acme, corp = record("acme"), record("corp")
    a = await ups.credentials(acme)
    c = await ups.credentials(corp)
    assert a.connection == acme
    assert c.connection == corp
    assert await ups.credentials(acme) is a
    assert await ups.credentials(corp) is c
    assert [call[0] for call in broker.credential_calls] == [acme.id, corp.id]


async def test_the_ttl_counts_from_when_the_load_started(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = record("acme")
    broker.gate = asyncio.Event()
    loading = asyncio.create_task(ups.credentials(conn))
    await broker.entered.wait()
    clocks.mono += 3.0  # the broker took 3 s (a token refresh)
    broker.gate.set()
    first = await loading
    clocks.mono += CREDENTIAL_TTL - 3.0
    assert await ups.credentials(conn) is not first
    assert len(broker.credential_calls) == 2


async def test_credentials_are_reloaded_within_the_margin_before_expiry(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = record("acme")
    broker.expires_at = T0 + timedelta(minutes=1)
    first = await ups.credentials(conn)
    clocks.wall = T0 + timedelta(minutes=1) - EXPIRY_MARGIN - timedelta(microseconds=1)
    assert await ups.credentials(conn) is first
    clocks.wall += timedelta(microseconds=1)  # exactly expires_at - margin: due
    assert await ups.credentials(conn) is not first
    assert len(broker.credential_calls) == 2


async def test_credentials_loaded_inside_the_margin_are_not_reused(
    ups: Upstreams, broker: FakeBroker
) -> None:
    conn = record("acme")
    broker.expires_at = T0 + EXPIRY_MARGIN / 2
    await ups.credentials(conn)
    await ups.credentials(conn)
    assert len(broker.credential_calls) == 2


async def test_credentials_without_expiry_live_for_the_ttl(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = record("acme")
    first = await ups.credentials(conn)
    clocks.wall += timedelta(days=365)
    assert await ups.credentials(conn) is first
    assert len(broker.credential_calls) == 1


async def test_concurrent_misses_share_one_broker_call(ups: Upstreams, broker: FakeBroker) -> None:
    conn = record("acme")
    broker.gate = asyncio.Event()
    waiters = [asyncio.create_task(ups.credentials(conn)) for _ in range(20)]
    await broker.entered.wait()
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    broker.gate.set()
    results = await asyncio.gather(*waiters)
    assert len(broker.credential_calls) == 1
    assert all(r is results[0] for r in results)
    assert await ups.credentials(conn) is results[0]
    assert len(broker.credential_calls) == 1


async def test_single_flight_is_per_connection(ups: Upstreams, broker: FakeBroker) -> None:
    broker.gate = asyncio.Event()
    acme, corp = record("acme"), record("corp")
    waiters = [asyncio.create_task(ups.credentials(c)) for c in (acme, corp, acme, corp)]
    await broker.entered.wait()
    broker.gate.set()
    a1, c1, a2, c2 = await asyncio.gather(*waiters)
    assert a1 is a2
    assert c1 is c2
    assert sorted(call[0] for call in broker.credential_calls) == [acme.id, corp.id]


async def test_a_cancelled_waiter_does_not_cancel_the_shared_load(ups: Upstreams, broker: FakeBroker) -> None:
    conn = record("acme")
    broker.gate = asyncio.Event()
    first = asyncio.create_task(ups.credentials(conn))
    second = asyncio.create_task(ups.credentials(conn))
    await broker.entered.wait()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    broker.gate.set()
    got = await second
    assert got.connection == conn
    assert len(broker.credential_calls) == 1


async def test_a_failed_load_reaches_every_waiter_and_is_not_cached(
    ups: Upstreams, broker: FakeBroker
) -> None:
    conn = record("acme")
    broker.gate = asyncio.Event()
    broker.fail = ReauthRequired("the grant needs re-authorization")
    waiters = [asyncio.create_task(ups.credentials(conn)) for _ in range(3)]
    await broker.entered.wait()
    broker.gate.set()
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(o, ReauthRequired) for o in outcomes)
    assert len(broker.credential_calls) == 1
    broker.fail = None
    assert (await ups.credentials(conn)).connection == conn
    assert len(broker.credential_calls) == 2


async def test_renewed_forces_one_load_with_the_stale_credentials(ups: Upstreams, broker: FakeBroker) -> None:
    conn = record("acme")
    stale = await ups.credentials(conn)
    fresh = await ups.renewed(stale)
    assert fresh is not stale
    assert broker.credential_calls == [(conn.id, None), (conn.id, stale)]
    assert await ups.credentials(conn) is fresh  # the renewal is what is cached now
    assert len(broker.credential_calls) == 2


async def test_a_failed_renewal_leaves_no_stale_credentials(ups: Upstreams, broker: FakeBroker) -> None:
    conn = record("acme")
    stale = await ups.credentials(conn)
    broker.fail = ReauthRequired("the refresh token was revoked")
    with pytest.raises(ReauthRequired):
        await ups.renewed(stale)
    broker.fail = None
    assert await ups.credentials(conn) is not stale  # Jira refused these: never served again
    assert len(broker.credential_calls) == 3


async def test_forget_drops_one_connections_credentials(ups: Upstreams, broker: FakeBroker) -> None:
    acme, corp = record("acme"), record("corp")
    a = await ups.credentials(acme)
    c = await ups.credentials(corp)
    ups.forget(acme.id)
    assert await ups.credentials(acme) is not a
    assert await ups.credentials(corp) is c
    assert len(broker.credential_calls) == 3
    ups.forget("no-such-connection")  # not an error


async def test_forget_all_drops_credentials_and_names(ups: Upstreams, broker: FakeBroker) -> None:
    conn = await ups.connection("acme")
    assert conn is not None
    assert await ups.connection("ghost") is None
    first = await ups.credentials(conn)
    ups.forget()
    assert await ups.credentials(conn) is not first
    assert await ups.connection("acme") == conn
    assert await ups.connection("ghost") is None
    assert broker.connection_calls == ["acme", "ghost", "acme", "ghost"]
    assert len(broker.credential_calls) == 2


CHANGES: list[tuple[str, Callable[[ConnectionRecord], ConnectionRecord]]] = [
    ("grant", lambda r: dataclasses.replace(r, grant_id="grant-reauthorized")),
    ("base_url", lambda r: dataclasses.replace(r, api_base_url="https://api.atlassian.com/ex/jira/c1")),
    ("updated_at", lambda r: dataclasses.replace(r, updated_at=r.updated_at + timedelta(seconds=1))),
]


@pytest.mark.parametrize(("what", "change"), CHANGES, ids=[c[0] for c in CHANGES])
async def test_a_changed_connection_record_drops_its_cached_credentials(
    ups: Upstreams,
    broker: FakeBroker,
    clocks: Clocks,
    what: str,
    change: Callable[[ConnectionRecord], ConnectionRecord],
) -> None:
    old = await ups.connection("acme")
    assert old is not None
    clocks.mono += 3.0
    cached = await ups.credentials(old)
    broker.records["acme"] = change(old)
    clocks.mono += CONNECTION_TTL - 3.0  # the name has expired; the credentials, 2 s old, have not
    new = await ups.connection("acme")
    assert new == change(old)
    # dropped by the lookup: even the old record no longer finds them
    assert await ups.credentials(old) is not cached
    assert len(broker.credential_calls) == 2


@pytest.mark.parametrize(("what", "change"), CHANGES, ids=[c[0] for c in CHANGES])
async def test_credentials_of_another_record_version_are_not_served(
    ups: Upstreams, broker: FakeBroker, what: str, change: Callable[[ConnectionRecord], ConnectionRecord]
) -> None:
    old = record("acme")
    cached = await ups.credentials(old)
    fresh = await ups.credentials(change(old))
    assert fresh is not cached
    assert fresh.connection == change(old)
    assert len(broker.credential_calls) == 2


async def test_an_unchanged_record_keeps_the_cached_credentials(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = await ups.connection("acme")
    assert conn is not None
    clocks.mono += 3.0
    cached = await ups.credentials(conn)
    broker.records["acme"] = dataclasses.replace(conn, last_used_at=T0)  # not part of the identity
    clocks.mono += CONNECTION_TTL - 3.0
    assert await ups.connection("acme") is not None
    assert await ups.credentials(conn) is cached
    assert len(broker.credential_calls) == 1


async def test_a_deleted_connection_drops_its_cached_credentials(
    ups: Upstreams, broker: FakeBroker, clocks: Clocks
) -> None:
    conn = await ups.connection("acme")
    assert conn is not None
    clocks.mono += 3.0
    cached = await ups.credentials(conn)
    del broker.records["acme"]
    clocks.mono += CONNECTION_TTL - 3.0
    assert await ups.connection("acme") is None
    assert await ups.credentials(conn) is not cached


# -- open_stream ----------------------------------------------------------------------------------


class Recorder:
    """A MockTransport handler that keeps the requests it saw."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or (lambda request: httpx.Response(200, json={"ok": True}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


async def test_open_stream_adds_the_authorization_and_keeps_the_callers_headers() -> None:
    seen = Recorder()
    headers = [
        (b"accept", b"application/json"),
        (b"content-type", b"application/json"),
        (b"x-atlassian-token", b"no-check"),
        (b"x-custom", b"one"),
        (b"x-custom", b"two"),
    ]
    async with httpx.AsyncClient(transport=httpx.MockTransport(seen)) as http:
        response = await open_stream(
            http, creds(record()), "POST", "https://acme.example/rest/api/3/issue", headers, b'{"a":1}', T0
        )
        assert response.status_code == 200
        assert await response.aread() == b'{"ok":true}'
        await response.aclose()
    [sent] = seen.requests
    assert sent.method == "POST"
    assert str(sent.url) == "https://acme.example/rest/api/3/issue"
    assert sent.content == b'{"a":1}'
    assert sent.headers.get_list("authorization") == [f"Bearer {CANARY_TOKEN}"]
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-atlassian-token"] == "no-check"
    assert sent.headers.get_list("x-custom") == ["one", "two"]
    assert sent.headers["content-length"] == "7"


async def test_open_stream_sends_only_the_connections_credential() -> None:
    seen = Recorder()
    headers = [
        (b"Authorization", b"Bearer jgw_caller-key"),
        (b"authorization", b"Basic Y2FsbGVy"),
        (b"accept", b"*/*"),
    ]
    async with httpx.AsyncClient(transport=httpx.MockTransport(seen)) as http:
        response = await open_stream(http, creds(record()), "GET", "https://acme.example/x", headers, b"", T0)
        await response.aclose()
    [sent] = seen.requests
    assert sent.headers.get_list("authorization") == [f"Bearer {CANARY_TOKEN}"]
    assert sent.headers["accept"] == "*/*"


async def test_open_stream_does_not_add_the_clients_default_headers() -> None:
    seen = Recorder()
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(seen), headers={"x-client-default": "1"}, timeout=7.0
    ) as http:
        response = await open_stream(http, creds(record()), "GET", "https://acme.example/x", [], b"", T0)
        await response.aclose()
    [sent] = seen.requests
    assert "x-client-default" not in sent.headers
    assert sent.content == b""
    assert sent.extensions["timeout"] == httpx.Timeout(7.0).as_dict()


async def test_open_stream_does_not_follow_redirects() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "https://elsewhere.example/steal"})
        return httpx.Response(200)

    seen = Recorder(answer)
    # the client would follow; open_stream must not
    async with httpx.AsyncClient(transport=httpx.MockTransport(seen), follow_redirects=True) as http:
        response = await open_stream(http, creds(record()), "GET", "https://acme.example/start", [], b"", T0)
        await response.aclose()
    assert response.status_code == 302
    assert response.headers["location"] == "https://elsewhere.example/steal"
    assert [str(r.url) for r in seen.requests] == ["https://acme.example/start"]


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("connect to canary-host.example failed"), UpstreamUnavailable),
        (httpx.ConnectTimeout("timed out " + CANARY_URL), UpstreamUnavailable),
        (httpx.ReadTimeout("read timed out"), UpstreamUnavailable),
        (httpx.PoolTimeout("pool"), UpstreamUnavailable),
        (httpx.ReadError("reset by peer"), UpstreamUnavailable),
        (httpx.RemoteProtocolError("illegal header " + CANARY_URL), UpstreamError),
        (httpx.DecodingError("bad gzip"), UpstreamError),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else type(v).__name__,
)
async def test_transport_failures_become_jiragw_errors_without_the_url(
    failure: httpx.HTTPError, expected: type[UpstreamError]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        failure.request = request
        raise failure

    async with httpx.AsyncClient(transport=httpx.MockTransport(Recorder(answer))) as http:
        with pytest.raises(UpstreamError) as caught:
            await open_stream(http, creds(record()), "GET", CANARY_URL, [], b"", T0)
    assert type(caught.value) is expected
    assert caught.value.__cause__ is failure
    shown = " ".join(
        [str(caught.value), repr(caught.value), caught.value.message, str(caught.value.to_dict())]
    )
    assert "canary" not in shown
    assert CANARY_TOKEN not in shown
    assert type(failure).__name__ in caught.value.message


# -- UpstreamClient -------------------------------------------------------------------------------


def cookie_setting_jira(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers=[
            ("Set-Cookie", "JSESSIONID=alice-session; Path=/; HttpOnly"),
            ("Set-Cookie", "atlassian.xsrf.token=alice-xsrf; Path=/"),
        ],
    )


@pytest.mark.parametrize("use_open_stream", [False, True])
async def test_an_answers_cookies_are_not_sent_on_the_next_request(use_open_stream: bool) -> None:
    seen = Recorder(cookie_setting_jira)
    async with UpstreamClient(transport=httpx.MockTransport(seen)) as http:
        for who in ("alice", "bob"):
            if use_open_stream:
                response = await open_stream(
                    http,
                    creds(record(), token=who),
                    "GET",
                    "https://acme.example/rest/api/3/myself",
                    [],
                    b"",
                    T0,
                )
                await response.aclose()
            else:
                await http.get("https://acme.example/rest/api/3/myself")
        assert len(http.cookies) == 0
    assert len(seen.requests) == 2
    assert "cookie" not in seen.requests[1].headers


async def test_a_plain_client_would_send_them_back() -> None:
    # the control for the test above: httpx's default jar does carry the session over
    seen = Recorder(cookie_setting_jira)
    async with httpx.AsyncClient(transport=httpx.MockTransport(seen)) as http:
        await http.get("https://acme.example/a")
        await http.get("https://acme.example/b")
    assert "JSESSIONID=alice-session" in seen.requests[1].headers["cookie"]


async def test_cookies_put_into_the_jar_by_hand_are_dropped() -> None:
    seen = Recorder()
    async with UpstreamClient(transport=httpx.MockTransport(seen)) as http:
        http.cookies.set("JSESSIONID", "planted", domain="acme.example")
        http.cookies.update({"other": "planted"})
        assert len(http.cookies) == 0
        await http.get("https://acme.example/a")
    assert "cookie" not in seen.requests[0].headers


async def test_the_upstream_client_refuses_client_cookies() -> None:
    with pytest.raises(ValueError, match="keeps no cookies"):
        UpstreamClient(cookies={"JSESSIONID": "x"})
    async with UpstreamClient(cookies=None, timeout=3.0) as client:
        assert isinstance(client, httpx.AsyncClient)
        assert client.timeout == httpx.Timeout(3.0)
        with pytest.raises(ValueError, match="keeps no cookies"):
            client.cookies = {"JSESSIONID": "x"}
        client.cookies = {}  # nothing to keep: allowed
        assert len(client.cookies) == 0
