"""The credential session: one cache of connections' credentials, and the 401 rule, for every door.

Every way to Jira (:meth:`jiragw.broker.Broker.request`, the SDK through
:class:`jiragw.jira.broker_credentials.BrokerCredentials`, the gateway's proxy
through :class:`jiragw.gateway.upstream.Upstreams`) asks one
:class:`CredentialSession` what to put on a request, and sends it through its
:class:`SessionAuth` flow, in the style of an ``httpx.Auth``: set the header,
send, and on a 401 that renewing can cure, renew once and send again.

The cache
    :meth:`Broker.credentials_for <jiragw.broker.Broker.credentials_for>` reads
    the connection and its grant in a worker thread: fine per token refresh,
    too slow per request. So a connection's :class:`Credentials` are kept for
    at most :data:`CREDENTIAL_TTL` seconds, and never past :func:`renew_at`
    (the one renewal rule; the broker renews OAuth 2.0 tokens at the same
    point). The short bound holds even for tokens that live
    an hour: a connection revoked or re-authorized elsewhere (admin UI, CLI,
    another worker) is seen within seconds by every door, for two small reads
    per connection every few seconds. Concurrent misses for one connection
    share one load (single-flight), so a burst after expiry costs one broker
    call; the cache holds at most :data:`MAX_ENTRIES` connections. Token
    refresh itself stays the broker's (single-flight per grant across
    processes).

The 401 rule
    A 401 is cured by renewing only when the credential is refreshable (an
    OAuth 2.0 access token), the answer is not an OAuth scope denial
    (Atlassian's ``401 {"code":401,"message":"Unauthorized; scope does not
    match"}``: renewing cannot add a scope, :mod:`jiragw.broker.refusal`), and
    the broker agrees to renew (it declines for a token issued less than
    ``FORCED_RENEWAL_MIN_AGE`` ago, and hands the same token back). Then the
    request is sent once more; whatever Jira answers to that stands. Any other
    401 drops the cached entry, so the next request re-reads the connection.

OAuth 1.0a credentials sign method and URL, so :class:`SessionAuth` signs
each request (and the resent one) rather than reusing a header.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

import httpx

from jiragw.broker.credentials import Credentials
from jiragw.broker.refusal import is_scope_denial
from jiragw.store import ConnectionRecord

__all__ = [
    "CREDENTIAL_TTL",
    "EXPIRY_MARGIN",
    "MARGIN_SHARE",
    "MAX_ENTRIES",
    "CredentialSession",
    "CredentialSource",
    "Readable",
    "RenewOnce",
    "SessionAuth",
    "expiry_margin",
    "renew_at",
    "same_version",
]

CREDENTIAL_TTL: Final = 5.0
EXPIRY_MARGIN: Final = timedelta(seconds=60)
# A token that lives a short while (an operator-set Data Center lifetime, a sandbox's short TTL) is
# renewed when this share of its lifetime remains, not EXPIRY_MARGIN before expiry: a margin longer
# than the lifetime would make every fresh token due at once, and every call a renewal.
MARGIN_SHARE: Final = 0.25
MAX_ENTRIES: Final = 4096

# A connection named by its record (the gateway) is cached under its id; one named by its name
# (the SDK, the CLI) under ``(name,)``, so a name can never be taken for another connection's id.
_Key = str | tuple[str]
# Whether a streamed 401's body may be read (see :class:`SessionAuth`).
Readable = Callable[[httpx.Response], bool]


class CredentialSource(Protocol):
    """Where the session loads credentials from: the :class:`~jiragw.broker.Broker`."""

    async def credentials_for(
        self, ref: ConnectionRecord | str, *, stale: Credentials | None = None
    ) -> Credentials: ...


@dataclass(frozen=True, slots=True)
class _Entry:
    loaded_at: float
    creds: Credentials


def same_version(a: ConnectionRecord, b: ConnectionRecord) -> bool:
    """Whether two records are one version of one connection (other grant or base: not the same)."""
    same_row = a.id == b.id and a.grant_id == b.grant_id
    return same_row and a.api_base_url == b.api_base_url and a.updated_at == b.updated_at


def expiry_margin(issued_at: datetime | None, expires_at: datetime) -> timedelta:
    """How long before ``expires_at`` a token is renewed: :data:`EXPIRY_MARGIN`, or
    :data:`MARGIN_SHARE` of the token's lifetime when that is shorter.

    ``issued_at`` None (a lifetime not known): :data:`EXPIRY_MARGIN`.
    """
    if issued_at is None:
        return EXPIRY_MARGIN
    lifetime = max(expires_at - issued_at, timedelta(0))
    return min(EXPIRY_MARGIN, lifetime * MARGIN_SHARE)


def renew_at(issued_at: datetime | None, expires_at: datetime) -> datetime:
    """When a token issued at ``issued_at`` and expiring at ``expires_at`` is due for renewal."""
    return expires_at - expiry_margin(issued_at, expires_at)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CredentialSession:
    """Cached, single-flight credentials over one :class:`CredentialSource`, and the 401 rule."""

    def __init__(
        self,
        source: CredentialSource,
        *,
        now: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.now = now
        self.monotonic = monotonic
        self._entries: dict[_Key, _Entry] = {}
        self._loading: dict[_Key, asyncio.Future[Credentials]] = {}

    @classmethod
    def of(cls, source: CredentialSource) -> CredentialSession:
        """The session ``source`` keeps (the broker's, shared by its doors), else a new one over it."""
        kept = getattr(source, "session", None)
        return kept if isinstance(kept, CredentialSession) else cls(source)

    async def credentials(self, ref: ConnectionRecord | str) -> Credentials:
        """The connection's credentials, from the cache while fresh; one load for concurrent misses."""
        key: _Key
        if isinstance(ref, ConnectionRecord):
            key = ref.id
            hit = self._entries.get(key)
            if hit is not None and self._fresh(hit) and same_version(hit.creds.connection, ref):
                return hit.creds
        else:
            key = (ref,)
            hit = self._entries.get(key)
            if hit is not None and self._fresh(hit):
                return hit.creds
        loading = self._loading.get(key)
        if loading is None or loading.get_loop() is not asyncio.get_running_loop():
            # (A load on another thread's event loop cannot be awaited here: this loop loads its own.)
            loading = asyncio.ensure_future(self._load(key, ref, None))
            self._loading[key] = loading
            loading.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(loading)

    async def renewed(self, stale: Credentials, ref: ConnectionRecord | str | None = None) -> Credentials:
        """Credentials after Jira answered 401 to ``stale``: one forced renewal by the source.

        ``ref`` names the connection as the caller does (default: ``stale``'s record).
        The credential Jira refused is never served from the cache again, even
        when the renewal fails.
        """
        ref = stale.connection if ref is None else ref
        key: _Key = ref.id if isinstance(ref, ConnectionRecord) else (ref,)
        self._entries.pop(key, None)
        return await self._load(key, ref, stale)

    async def renewal(self, creds: Credentials) -> Credentials | None:
        """After a 401 that renewing can cure answered ``creds``: what to send once more with, or None.

        The cached entry is dropped either way, so the next request re-reads the
        connection; None when ``creds`` cannot be renewed (a static secret) or
        the broker hands the same token back (it was issued moments ago).
        """
        self.forget(creds.connection.id)
        if not creds.refreshable:
            return None
        renewed = await self.renewed(creds)
        return renewed if renewed.access_token != creds.access_token else None

    def forget(self, connection_id: str | None = None) -> None:
        """Drop one connection's cached credentials (all of them when None)."""
        if connection_id is None:
            self._entries.clear()
            return
        self._entries.pop(connection_id, None)
        # Entries the SDK keyed by name hold the record too.
        for key in [k for k, e in self._entries.items() if isinstance(k, tuple) and _id(e) == connection_id]:
            del self._entries[key]

    def auth(self, creds: Credentials, url: str, readable: Readable | None = None) -> SessionAuth:
        """The flow for one request to ``url`` with ``creds``, renewing through this session."""
        return SessionAuth(creds, url, self.now(), self, readable)

    def _fresh(self, entry: _Entry) -> bool:
        if self.monotonic() - entry.loaded_at >= CREDENTIAL_TTL:
            return False
        expires = entry.creds.expires_at
        return expires is None or self.now() < renew_at(entry.creds.issued_at, expires)

    def _settled(self, key: _Key, done: asyncio.Future[Credentials]) -> None:
        if self._loading.get(key) is done:
            del self._loading[key]
        if not done.cancelled():
            done.exception()  # retrieved here too: every waiter may have gone away

    async def _load(self, key: _Key, ref: ConnectionRecord | str, stale: Credentials | None) -> Credentials:
        started = self.monotonic()
        creds = await self.source.credentials_for(ref, stale=stale)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = _Entry(started, creds)
        return creds


def _id(entry: _Entry) -> str | None:
    conn = entry.creds.connection
    return conn.id if conn is not None else None


class RenewOnce(httpx.Auth):
    """The 401 rule as an httpx auth flow: authorize, send; on a 401 renewing can cure, renew once, resend.

    Pass an instance (one per request) as ``auth=`` to ``httpx.AsyncClient.send``
    or ``request``. Subclasses say how a request is authorized and renewed;
    :meth:`renew` answers False when renewing would not help (then the 401
    stands). ``readable`` is a streaming sender's rule for whether a 401's
    body may be read to tell a scope denial; a body it declines stays unread,
    and the 401 is taken for a stale credential.
    """

    readable: Readable | None = None
    renews = True  # False: send once, and leave any answer unread

    def authorize(self, request: httpx.Request) -> None:
        raise NotImplementedError

    async def renew(self, request: httpx.Request) -> bool:
        """Renew the credential and authorize ``request`` with it; False when that would not help."""
        raise NotImplementedError

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self.authorize(request)
        response = yield request
        if response.status_code != 401 or not self.renews or await _scope_denial(response, self.readable):
            return
        if await self.renew(request):
            yield request


class SessionAuth(RenewOnce):
    """:class:`RenewOnce` with a connection's :class:`Credentials`, renewed through a session.

    Without a ``session`` nothing is renewed and the request is sent once.
    ``creds`` is the credential that went out last.
    """

    def __init__(
        self,
        creds: Credentials,
        url: str,
        now: datetime,
        session: CredentialSession | None = None,
        readable: Readable | None = None,
    ) -> None:
        self.creds = creds
        self.url = url
        self.now = now
        self.session = session
        self.readable = readable
        self.renews = session is not None

    def authorize(self, request: httpx.Request) -> None:
        _authorize(request, self.creds, self.url, self.now)

    async def renew(self, request: httpx.Request) -> bool:
        if self.session is None:
            return False
        renewed = await self.session.renewal(self.creds)
        if renewed is None:
            return False
        self.creds, self.now = renewed, self.session.now()
        self.authorize(request)
        return True


def _authorize(request: httpx.Request, creds: Credentials, url: str, now: datetime) -> None:
    """Put the credential's ``Authorization`` on ``request`` (OAuth 1.0a: signed for it, RFC 5849)."""
    if creds.signer is None and creds.authorization is not None:  # a ready header: the common case
        request.headers["Authorization"] = creds.authorization.reveal()
        return
    content_type = request.headers.get("content-type")
    signed = creds.headers(
        request.method,
        url,
        now=now,
        headers={"Content-Type": content_type} if content_type else None,
        body=request.content or None,
    )
    request.headers["Authorization"] = signed["Authorization"]


async def _scope_denial(response: httpx.Response, readable: Readable | None) -> bool:
    """Whether a 401 is Atlassian's "scope does not match" (the grant lacks a scope), not a stale token.

    An error reading the body is httpx's, for the caller's send to translate.
    """
    if not response.is_stream_consumed:
        if readable is not None and not readable(response):
            return False
        await response.aread()
    return is_scope_denial(response.status_code, response.content)
