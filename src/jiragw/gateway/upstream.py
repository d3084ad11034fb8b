"""The proxy's way to Jira: connections looked up by name, credentials from the session, one streaming send.

:class:`Upstreams` keeps, per process, the connection looked up by name
(unknown names too, so garbage does not reach the database) for
:data:`CONNECTION_TTL` seconds; a connection whose record changed (other
grant, other base URL) or vanished has its cached credentials dropped at once.
The credentials themselves come from the broker's
:class:`~jiragw.broker.session.CredentialSession`, which every door shares: at
most :data:`CREDENTIAL_TTL` seconds old and never past ``expires_at`` minus
:data:`EXPIRY_MARGIN`, one load for a burst of misses, so a connection revoked
or re-authorized elsewhere is seen within seconds.

:func:`open_stream` sends one request through the session's
:class:`~jiragw.broker.session.SessionAuth` flow, so a 401 that renewing can
cure earns one renewal and one resend before the response comes back open
for streaming.

:class:`UpstreamClient` is the one shared :class:`httpx.AsyncClient` for every
upstream call of a gateway process, with a cookie jar that stays empty: Jira
answers set session cookies (``JSESSIONID``, ``atlassian.xsrf.token``), and a
jar shared by every connection to one host would send one user's session
along with another user's credentials. Keeping no jar also skips httpx's
per-response cookie parsing, the largest part of its client-side cost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from http.cookiejar import Cookie, CookieJar
from typing import Any, Final

import httpx

from jiragw.broker import Broker, Credentials
from jiragw.broker.session import (
    CREDENTIAL_TTL,
    EXPIRY_MARGIN,
    MAX_ENTRIES,
    CredentialSession,
    Readable,
    SessionAuth,
    same_version,
)
from jiragw.errors import NotFound, UpstreamError, UpstreamUnavailable
from jiragw.store import ConnectionRecord

__all__ = ["CONNECTION_TTL", "CREDENTIAL_TTL", "EXPIRY_MARGIN", "UpstreamClient", "Upstreams", "open_stream"]

CONNECTION_TTL: Final = 5.0
_MAX_ENTRIES: Final = MAX_ENTRIES  # bounds the negative cache against a flood of made-up names


class Upstreams:
    """Cached connection lookups over one :class:`Broker`, and its credential session.

    ``session`` defaults to a new one over ``broker`` on the given clocks.
    """

    def __init__(
        self,
        broker: Broker,
        *,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        session: CredentialSession | None = None,
    ) -> None:
        self._broker = broker
        self._monotonic = monotonic
        self._names: dict[str, tuple[float, ConnectionRecord | None]] = {}
        self.session = session or CredentialSession(broker, now=now, monotonic=monotonic)

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
        if hit is not None and hit[1] is not None and (record is None or not same_version(hit[1], record)):
            self.session.forget(hit[1].id)
        return record

    def credentials(self, conn: ConnectionRecord) -> Awaitable[Credentials]:
        """The connection's credentials, from the session's cache while fresh."""
        return self.session.credentials(conn)

    def renewed(self, stale: Credentials) -> Awaitable[Credentials]:
        """Credentials after Jira answered 401 to ``stale``: one forced renewal by the broker."""
        return self.session.renewed(stale)

    def forget(self, connection_id: str | None = None) -> None:
        """Drop one connection's cached credentials (all of them, and the names, when None)."""
        if connection_id is None:
            self._names.clear()
        self.session.forget(connection_id)


async def open_stream(
    http: httpx.AsyncClient,
    creds: Credentials,
    method: str,
    url: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    now: datetime,
    session: CredentialSession | None = None,
    readable: Readable | None = None,
) -> httpx.Response:
    """Send one request with the connection's credentials; the response is open for streaming.

    With ``session``, a 401 that renewing can cure is renewed once and the
    request sent again (``readable`` says whether a 401's body may be read to
    tell a scope denial). Redirects are never followed (the caller decides
    what a 3xx may become). Transport failures become
    :class:`UpstreamUnavailable` (could not connect, timed out) or
    :class:`UpstreamError` (broken protocol), without the URL.
    """
    # Only the connection's credential goes upstream, whatever the caller's headers held.
    wire = [(k, v) for k, v in headers if k.lower() != b"authorization"]
    # Not ``http.build_request``: merging the client's base URL, default headers and cookies costs
    # a second URL parse per call, and the caller's own headers are the ones to forward. httpx
    # still adds ``Host`` and ``Content-Length``; the client's timeouts travel as its extension.
    request = httpx.Request(
        method, url, headers=wire, content=body, extensions={"timeout": http.timeout.as_dict()}
    )
    # The flow object stands in for the ``httpx.Auth()`` httpx would make for this send anyway.
    auth = SessionAuth(creds, url, now, session, readable)
    try:
        return await http.send(request, auth=auth, stream=True, follow_redirects=False)
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
