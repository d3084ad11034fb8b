"""The credential session (broker/session.py): one cache, one margin, the 401 rule, per-request signing.

The session runs over a fake source counting its loads and fake clocks; Jira is
an ``httpx.MockTransport`` recording what each request carried.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from jiragw.auth.http import HttpRequest
from jiragw.broker import Credentials, OAuth1Signer
from jiragw.broker.session import (
    CREDENTIAL_TTL,
    EXPIRY_MARGIN,
    MAX_ENTRIES,
    CredentialSession,
    SessionAuth,
    expiry_margin,
    renew_at,
)
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, GrantMethod
from tests.auth.test_oauth1 import KEYS, _verify
from tests.broker.fakes import T0, Clocks, record

BASE = "https://acme.atlassian.net"
URL = BASE + "/rest/api/3/myself"
SCOPE_DENIAL = {"code": 401, "message": "Unauthorized; scope does not match"}


def bearer(
    conn: ConnectionRecord, token: str, expires_at: datetime | None = None, issued_at: datetime | None = None
) -> Credentials:
    return Credentials(
        conn,
        GrantMethod.OAUTH2_3LO,
        1,
        authorization=Secret(f"Bearer {token}"),
        access_token=Secret(token),
        expires_at=expires_at,
        issued_at=issued_at,
    )


class Source:
    """The broker's ``credentials_for``: a new token per load, or the same one when ``young``."""

    def __init__(self) -> None:
        self.calls: list[tuple[ConnectionRecord | str, Credentials | None]] = []
        self.expires_at: datetime | None = None
        self.issued_at: datetime | None = None
        self.young = False  # the broker's answer for a token issued moments ago: the same one again
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def credentials_for(
        self, ref: ConnectionRecord | str, *, stale: Credentials | None = None
    ) -> Credentials:
        self.calls.append((ref, stale))
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if stale is not None and self.young:
            return stale
        conn = ref if isinstance(ref, ConnectionRecord) else record(ref)
        return bearer(conn, f"token-{len(self.calls)}", self.expires_at, self.issued_at)


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def session(source: Source, clocks: Clocks) -> CredentialSession:
    return CredentialSession(source, now=clocks.now, monotonic=clocks.monotonic)


Answer = Callable[[httpx.Request], httpx.Response]


def jira(answer: Answer) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    """A client whose Jira answers with ``answer``, recording every request it sent."""
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        # A copy: a resend is the same request object, with its header replaced.
        sent.append(httpx.Request(request.method, request.url, headers=request.headers.copy()))
        return answer(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle)), sent


def refuse(token: str, body: dict[str, Any] | None = None) -> Answer:
    """401 (with ``body``) to ``Bearer token``, 200 to anything else."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == f"Bearer {token}":
            return httpx.Response(401, json=body or {"code": 401, "message": "Unauthorized"})
        return httpx.Response(200, json={"ok": True})

    return answer


async def send(session: CredentialSession, client: httpx.AsyncClient) -> httpx.Response:
    creds = await session.credentials(record())
    return await client.get(URL, auth=session.auth(creds, URL))


# -- the 401 rule -----------------------------------------------------------------------------------


async def test_a_curable_401_renews_once_and_resends_once(session: CredentialSession, source: Source) -> None:
    first = await session.credentials(record())
    client, sent = jira(refuse("token-1"))
    async with client:
        response = await client.get(URL, auth=session.auth(first, URL))
    assert response.status_code == 200
    assert [r.headers["Authorization"] for r in sent] == ["Bearer token-1", "Bearer token-2"]
    assert source.calls == [(record(), None), (record(), first)]  # told which credential was refused
    # the renewal is what is cached now
    assert (await session.credentials(record())).access_token == Secret("token-2")
    assert len(source.calls) == 2


async def test_a_401_after_the_renewal_stands(session: CredentialSession, source: Source) -> None:
    client, sent = jira(lambda request: httpx.Response(401, json={"message": "Unauthorized"}))
    async with client:
        response = await send(session, client)
    assert response.status_code == 401
    assert len(sent) == 2  # one resend, never a loop
    assert len(source.calls) == 2


async def test_a_scope_denial_renews_nothing(session: CredentialSession, source: Source) -> None:
    client, sent = jira(refuse("token-1", SCOPE_DENIAL))
    async with client:
        response = await send(session, client)
    assert response.status_code == 401
    assert response.json() == SCOPE_DENIAL
    assert len(sent) == 1
    assert source.calls == [(record(), None)]


async def test_a_401_to_a_token_issued_moments_ago_renews_nothing(
    session: CredentialSession, source: Source
) -> None:
    source.young = True  # the broker declines: it hands back the credential Jira refused
    client, sent = jira(refuse("token-1"))
    async with client:
        response = await send(session, client)
    assert response.status_code == 401
    assert len(sent) == 1  # the same credential would be refused again: no resend
    assert len(source.calls) == 2


async def test_a_401_to_a_static_credential_drops_it_from_the_cache(
    session: CredentialSession, source: Source
) -> None:
    creds = dataclasses.replace(await session.credentials(record()), method=GrantMethod.PAT)
    client, sent = jira(lambda request: httpx.Response(401))
    async with client:
        response = await client.get(URL, auth=session.auth(creds, URL))
    assert response.status_code == 401
    assert len(sent) == 1  # nothing to renew
    await session.credentials(record())  # re-read: the connection may have been fixed meanwhile
    assert [stale for _, stale in source.calls] == [None, None]


async def test_a_streamed_401_the_caller_may_not_read_is_taken_as_stale(
    session: CredentialSession, source: Source
) -> None:
    class Streamed(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield json.dumps(SCOPE_DENIAL).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            return httpx.Response(401, headers={"content-type": "application/json"}, stream=Streamed())
        return httpx.Response(200)

    client, sent = jira(answer)
    creds = await session.credentials(record())
    auth = SessionAuth(creds, URL, T0, session, readable=lambda response: False)
    async with client:
        response = await client.send(client.build_request("GET", URL), auth=auth, stream=True)
        await response.aclose()
    assert response.status_code == 200  # the body was never read, so the 401 was renewed
    assert len(sent) == 2
    assert auth.creds.access_token == Secret("token-2")


async def test_without_a_session_a_request_is_sent_once(source: Source) -> None:
    client, sent = jira(refuse("token-1"))
    auth = SessionAuth(bearer(record(), "token-1"), URL, T0)
    async with client:
        assert (await client.get(URL, auth=auth)).status_code == 401
    assert len(sent) == 1
    assert source.calls == []


# -- the cache ------------------------------------------------------------------------------------


async def test_concurrent_misses_share_one_load(session: CredentialSession, source: Source) -> None:
    source.gate = asyncio.Event()
    waiters = [asyncio.create_task(session.credentials(record())) for _ in range(20)]
    waiters += [asyncio.create_task(session.credentials("acme")) for _ in range(20)]
    await source.entered.wait()
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    source.gate.set()
    results = await asyncio.gather(*waiters)
    assert len(source.calls) == 2  # one per way of naming the connection
    assert all(r is results[0] for r in results[:20])
    assert all(r is results[20] for r in results[20:])


async def test_credentials_are_kept_for_the_ttl_only(
    session: CredentialSession, source: Source, clocks: Clocks
) -> None:
    first = await session.credentials("acme")
    clocks.mono += CREDENTIAL_TTL - 0.01
    assert await session.credentials("acme") is first
    clocks.mono += 0.01  # a revocation made elsewhere is seen from here on
    assert await session.credentials("acme") is not first
    assert len(source.calls) == 2


async def test_the_expiry_margin_is_honoured(
    session: CredentialSession, source: Source, clocks: Clocks
) -> None:
    source.expires_at = T0 + timedelta(minutes=10)
    first = await session.credentials(record())
    clocks.wall = source.expires_at - EXPIRY_MARGIN - timedelta(microseconds=1)
    assert await session.credentials(record()) is first
    clocks.wall += timedelta(microseconds=1)  # exactly expires_at - margin: due
    assert await session.credentials(record()) is not first
    assert len(source.calls) == 2


def test_the_broker_renews_at_the_same_margin() -> None:
    from jiragw.auth import oauth2_3lo
    from jiragw.broker import broker

    assert broker.EXPIRY_MARGIN is EXPIRY_MARGIN
    assert oauth2_3lo.REFRESH_MARGIN == EXPIRY_MARGIN


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(5, 1.25), (40, 10), (240, 60), (3600, 60)],
)
def test_the_margin_scales_with_a_short_lifetime(lifetime: int, margin: float) -> None:
    expires = T0 + timedelta(seconds=lifetime)
    assert expiry_margin(T0, expires) == timedelta(seconds=margin)
    assert renew_at(T0, expires) == expires - timedelta(seconds=margin)
    assert expiry_margin(None, expires) == EXPIRY_MARGIN  # a lifetime not known: the full margin


async def test_a_short_lived_credential_is_cached_until_its_renewal_point(
    session: CredentialSession, source: Source, clocks: Clocks
) -> None:
    source.issued_at, source.expires_at = T0, T0 + timedelta(seconds=40)
    first = await session.credentials(record())
    clocks.wall = T0 + timedelta(seconds=30) - timedelta(microseconds=1)
    assert await session.credentials(record()) is first
    clocks.wall += timedelta(microseconds=1)
    assert await session.credentials(record()) is not first
    assert len(source.calls) == 2


async def test_a_changed_record_is_not_served_the_old_credentials(session: CredentialSession) -> None:
    cached = await session.credentials(record())
    moved = record(api_base_url="https://elsewhere.example")
    assert (await session.credentials(moved)).connection == moved
    assert await session.credentials(record()) is not cached


async def test_the_cache_is_bounded(session: CredentialSession, source: Source) -> None:
    for i in range(MAX_ENTRIES):
        await session.credentials(f"c{i}")
    await session.credentials("c0")
    assert len(source.calls) == MAX_ENTRIES
    await session.credentials("one-too-many")  # a full cache is emptied first
    await session.credentials("c0")
    assert len(source.calls) == MAX_ENTRIES + 2


async def test_forget_drops_a_connection_however_it_was_named(
    session: CredentialSession, source: Source
) -> None:
    await session.credentials(record())
    await session.credentials("acme")
    await session.credentials("corp")
    session.forget(record().id)
    await session.credentials(record())
    await session.credentials("acme")
    await session.credentials("corp")
    assert len(source.calls) == 5


def test_a_broker_keeps_one_session_for_every_door(source: Source) -> None:
    class Keeper:
        def __init__(self) -> None:
            self.session = CredentialSession(source)

    keeper = Keeper()
    assert CredentialSession.of(keeper) is keeper.session  # type: ignore[arg-type]
    assert CredentialSession.of(source) is not CredentialSession.of(source)


# -- OAuth 1.0a -------------------------------------------------------------------------------------


def oauth1(conn: ConnectionRecord) -> Credentials:
    signer = OAuth1Signer("jiragw-test", KEYS.private_key_pem, Secret("access-token"))
    return Credentials(conn, GrantMethod.OAUTH1, 1, signer=signer, access_token=Secret("access-token"))


async def test_oauth1_signs_each_request_for_its_own_method_and_url(clocks: Clocks) -> None:
    class Signed(Source):
        async def credentials_for(
            self, ref: ConnectionRecord | str, *, stale: Credentials | None = None
        ) -> Credentials:
            self.calls.append((ref, stale))
            return oauth1(record())

    # A signature carries a timestamp that the verifier checks against its own clock.
    session = CredentialSession(Signed(), now=lambda: datetime.now(UTC), monotonic=clocks.monotonic)
    client, sent = jira(lambda request: httpx.Response(200))
    calls = [("GET", BASE + "/rest/api/2/myself"), ("POST", BASE + "/rest/api/2/issue?notify=false")]
    async with client:
        for method, url in calls:
            creds = await session.credentials(record())
            body = b'{"fields": {}}' if method == "POST" else None
            headers = {"Content-Type": "application/json"} if body else None
            await client.request(method, url, content=body, headers=headers, auth=session.auth(creds, url))
    signatures = [r.headers["Authorization"] for r in sent]
    assert all(s.startswith("OAuth ") for s in signatures)
    assert signatures[0] != signatures[1]
    for (method, url), request in zip(calls, sent, strict=True):
        assert _verify(HttpRequest(method, url, {"Authorization": request.headers["Authorization"]}))
    # a signature is for one method and URL only
    assert not _verify(HttpRequest("GET", calls[1][1], {"Authorization": signatures[1]}))


def test_an_event_loop_on_another_thread_loads_its_own() -> None:
    """A broker shared by threads (a sync client's own loop): a pending load elsewhere is not awaited."""
    started, release = threading.Event(), threading.Event()

    class Slow(Source):
        async def credentials_for(
            self, ref: ConnectionRecord | str, *, stale: Credentials | None = None
        ) -> Credentials:
            self.calls.append((ref, stale))
            token = f"token-{len(self.calls)}"
            if token == "token-1":  # the first load waits until the other loop has loaded
                started.set()
                await asyncio.to_thread(release.wait, 10)
            return bearer(record(), token)

    slow = Slow()
    session = CredentialSession(slow)
    results: list[Credentials] = []
    first = threading.Thread(target=lambda: results.append(asyncio.run(session.credentials("acme"))))
    first.start()
    assert started.wait(10)
    try:
        assert asyncio.run(session.credentials("acme")).access_token == Secret("token-2")
    finally:
        release.set()
        first.join(10)
    assert [c.access_token for c in results] == [Secret("token-1")]
    assert len(slow.calls) == 2
