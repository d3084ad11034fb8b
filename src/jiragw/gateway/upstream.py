"""The proxy's way to Jira: connections and credentials cached in memory, and one streaming send.

:meth:`jiragw.broker.Broker.credentials_for` reads the connection and its grant
in a worker thread: fine per token refresh, too slow per proxied request. So
:class:`Upstreams` keeps, per process,

- the connection looked up by name (unknown names too, so garbage does not reach
  the database), for :data:`CONNECTION_TTL` seconds;
- each connection's :class:`~jiragw.broker.Credentials`, for at most
  :data:`CREDENTIAL_TTL` seconds and never past ``expires_at`` minus
  :data:`EXPIRY_MARGIN`. The short bound is on purpose even for OAuth tokens
  that live an hour: a connection revoked or re-authorized elsewhere (admin UI,
  CLI, another worker) is seen within seconds, at the cost of two small reads
  per connection every few seconds. An entry is dropped when Jira answers 401
  and when the connection record changes (other grant, other base URL).

Concurrent misses for one connection share one load (single-flight), so a
burst after expiry costs one broker call, not one per request. Token refresh
itself stays the broker's (single-flight per grant across processes).

:class:`UpstreamClient` is the one shared :class:`httpx.AsyncClient` for every
upstream call of a gateway process, with a cookie jar that stays empty: Jira
answers set session cookies (``JSESSIONID``, ``atlassian.xsrf.token``), and a
jar shared by every connection to one host would send one user's session
along with another user's credentials. Keeping no jar also skips httpx's
per-response cookie parsing, the largest part of its client-side cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.cookiejar import Cookie, CookieJar
from typing import Any, Final

import httpx

from jiragw.broker import Broker, Credentials
from jiragw.errors import NotFound, UpstreamError, UpstreamUnavailable
from jiragw.store import ConnectionRecord

__all__ = ["CONNECTION_TTL", "CREDENTIAL_TTL", "EXPIRY_MARGIN", "UpstreamClient", "Upstreams", "open_stream"]

CONNECTION_TTL: Final = 5.0
CREDENTIAL_TTL: Final = 5.0
EXPIRY_MARGIN: Final = timedelta(seconds=30)
_MAX_ENTRIES: Final = 4096  # bounds the negative cache against a flood of made-up names


@dataclass(frozen=True, slots=True)
class _Creds:
    loaded_at: float
    creds: Credentials


def _same(a: ConnectionRecord, b: ConnectionRecord) -> bool:
    same_row = a.id == b.id and a.grant_id == b.grant_id
    return same_row and a.api_base_url == b.api_base_url and a.updated_at == b.updated_at


class Upstreams:
    """Cached connection lookups and credentials over one :class:`Broker`."""

    def __init__(
        self,
        broker: Broker,
        *,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
    ) -> None:
        self._broker = broker
        self._now = now
        self._monotonic = monotonic
        self._names: dict[str, tuple[float, ConnectionRecord | None]] = {}
        self._creds: dict[str, _Creds] = {}
        self._loading: dict[str, asyncio.Future[Credentials]] = {}

    async def connection(self, name: str) -> ConnectionRecord | None:
        """The connection named ``name``, or None when there is none."""
        now = self._monotonic()
        hit = self._names.get(name)
        if hit is not None and now - hit[0] < CONNECTION_TTL:
            return hit[1]
        try:
            record: ConnectionRecord | None = await self._broker.connection(name)
        except NotFound:
            record = None
        if len(self._names) >= _MAX_ENTRIES:
            self._names.clear()
        self._names[name] = (now, record)
        if hit is not None and hit[1] is not None and (record is None or not _same(hit[1], record)):
            self.forget(hit[1].id)
        return record

    async def credentials(self, conn: ConnectionRecord) -> Credentials:
        """The connection's credentials, from the cache while fresh."""
        hit = self._creds.get(conn.id)
        if hit is not None and self._fresh(hit) and _same(hit.creds.connection, conn):
            return hit.creds
        loading = self._loading.get(conn.id)
        if loading is None:
            loading = asyncio.ensure_future(self._load(conn, None))
            self._loading[conn.id] = loading
            loading.add_done_callback(lambda done: self._settled(conn.id, done))
        return await asyncio.shield(loading)

    async def renewed(self, stale: Credentials) -> Credentials:
        """Credentials after Jira answered 401 to ``stale``: one forced renewal by the broker."""
        self.forget(stale.connection.id)
        return await self._load(stale.connection, stale)

    def _settled(self, connection_id: str, done: asyncio.Future[Credentials]) -> None:
        self._loading.pop(connection_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here too: every waiter may have gone away

    def forget(self, connection_id: str | None = None) -> None:
        """Drop one connection's cached credentials (all of them when None)."""
        if connection_id is None:
            self._creds.clear()
            self._names.clear()
        else:
            self._creds.pop(connection_id, None)

    def _fresh(self, entry: _Creds) -> bool:
        if self._monotonic() - entry.loaded_at >= CREDENTIAL_TTL:
            return False
        expires = entry.creds.expires_at
        return expires is None or self._now() < expires - EXPIRY_MARGIN

    async def _load(self, conn: ConnectionRecord, stale: Credentials | None) -> Credentials:
        started = self._monotonic()
        creds = await self._broker.credentials_for(conn, stale=stale)
        if len(self._creds) >= _MAX_ENTRIES:
            self._creds.clear()
        self._creds[conn.id] = _Creds(started, creds)
        return creds


async def open_stream(
    http: httpx.AsyncClient,
    creds: Credentials,
    method: str,
    url: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    now: datetime,
) -> httpx.Response:
    """Send one request with the connection's credentials; the response is open for streaming.

    Redirects are never followed (the caller decides what a 3xx may become).
    Transport failures become :class:`UpstreamUnavailable` (could not connect,
    timed out) or :class:`UpstreamError` (broken protocol), without the URL.
    """
    content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), None)
    signed = creds.headers(
        method,
        url,
        now=now,
        headers={"Content-Type": content_type} if content_type else None,
        body=body or None,
    )
    # Only the connection's credential goes upstream, whatever the caller's headers held.
    wire = [(k, v) for k, v in headers if k.lower() != b"authorization"]
    wire.append((b"authorization", signed["Authorization"].encode("latin-1")))
    # Not ``http.build_request``: merging the client's base URL, default headers and cookies costs
    # a second URL parse per call, and the caller's own headers are the ones to forward. httpx
    # still adds ``Host`` and ``Content-Length``; the client's timeouts travel as its extension.
    request = httpx.Request(
        method, url, headers=wire, content=body, extensions={"timeout": http.timeout.as_dict()}
    )
    try:
        return await http.send(request, stream=True, follow_redirects=False)
    except (httpx.TimeoutException, httpx.NetworkError) as exc:
        raise UpstreamUnavailable(f"Jira could not be reached ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(f"Jira's answer could not be read ({type(exc).__name__})") from exc


class _EmptyJar(CookieJar):
    """A jar nothing can be put into."""

    def set_cookie(self, cookie: Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class _NoCookies(httpx.Cookies):
    """httpx's cookie store over :class:`_EmptyJar`; answers are not even parsed for cookies."""

    def __init__(self) -> None:
        super().__init__(_EmptyJar())

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class UpstreamClient(httpx.AsyncClient):
    """The shared upstream :class:`httpx.AsyncClient`, keeping no cookies between requests."""

    def __init__(self, **options: Any) -> None:
        if options.get("cookies"):
            raise ValueError("the upstream client keeps no cookies; pass them per request")
        super().__init__(**options)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        if cookies:
            raise ValueError("the upstream client keeps no cookies; pass them per request")
