"""The Jira-compatible proxy: ``/jira/{connection}/rest/...``.

Any Jira client pointed at ``http://GW/jira/{connection}`` with a gateway key
(Bearer, or the Basic password) works unmodified. Per request, in this order
and all before any upstream call:

1. a gateway key in the query string is refused (400): URLs end up in logs;
2. the key is authenticated (:meth:`Gateway.authenticate`, cached);
3. the method must be one of :data:`FORWARDED_METHODS` or ``OPTIONS``: any
   other (``TRACE``, ``CONNECT``, WebDAV's ``PROPFIND``, a lower-case ``get``)
   is 405 with ``Allow``, audited as a denial under the key that tried it. A
   ``TRACE`` that reached Jira (or a proxy in front of it) would be echoed back
   with the request's headers, the connection's credential among them;
   ``OPTIONS`` is answered here (204 with ``Allow`` and no CORS headers, no
   upstream call): on Jira's REST API its one use is a browser's CORS
   preflight, which carries no gateway key (so it meets step 2's 401) and
   which the gateway, sharing its origin with the admin UI, never grants;
4. the path is contained (:mod:`jiragw.gateway.paths`, on the raw target):
   a Jira REST API path, or one of Jira's avatar images (GET/HEAD only, 405
   otherwise), which the rewritten ``avatarUrls`` below point at;
5. the connection must exist *and* be allowed for the key; both failures answer
   the same 403 ``connection_denied``, so names cannot be probed;
6. the scope ceiling is checked (:func:`jiragw.keys.check`) on the
   decoded path (an avatar image by the rule in :mod:`jiragw.keys.servlets`);
7. the body is read up to :attr:`Gateway.max_body_bytes` (413 past it, using
   ``Content-Length`` first so nothing more is read);
8. a slot of the key and one of the connection are taken
   (:mod:`jiragw.gateway.inflight`): 429 ``key_busy`` or 503 ``connection_busy``
   with ``Retry-After`` when either has too many calls in flight, so one slow
   connection cannot take every pooled socket; the slots are returned once the
   answer has been streamed back;

then the connection's credentials (the broker's credential session, through
:mod:`jiragw.gateway.upstream`) go on the request, headers are filtered
(:mod:`jiragw.gateway.headers`), and the answer is streamed back. A 401 from
Jira is the session's to judge (:mod:`jiragw.broker.session`): on a
refreshable credential it earns one forced renewal and one resend (the body
is buffered, so it can be resent), unless it is Atlassian's "scope does not
match" or the token was issued moments ago. A
redirect is passed back only when it stays under the connection's base
(rewritten to the proxy's URL); any other becomes 502. A JSON answer is
decoded and its absolute API and avatar links (``self``, ``avatarUrls`` & co.)
are pointed at the proxy, and an error's texts lose every mention of the
upstream (:mod:`jiragw.gateway.links`), so clients that follow them never reach
Jira directly with a gateway key; other answers (the avatar images among
them, with their content type) stream through. Every answer, Jira's and the
gateway's own refusals alike, carries ``X-Content-Type-Options: nosniff`` and
a ``Content-Security-Policy`` that runs nothing
(:data:`jiragw.gateway.headers.SECURITY_HEADERS`), replacing Jira's: the proxy
shares its origin with the admin UI. Every call is audited
(never the query string or a body) and counted in the metrics. The audit
record of a write (any method but GET and HEAD) or of a denial is committed
before the response starts (:meth:`jiragw.gateway.audit.AuditWriter.commit`),
so a crash cannot erase what was answered; a read's is committed within the
read window, off its path. A denial of a request with no valid key is counted
per source and minute instead (:meth:`~jiragw.gateway.audit.AuditWriter.anonymous_denial`).

A plain ASGI endpoint on a Starlette ``Route``: no middleware, no request
object, because the per-request overhead is the proxy's main cost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Final

import httpx
from prometheus_client import Counter
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from jiragw.broker import Credentials
from jiragw.errors import (
    AuditUnavailable,
    AuthError,
    BodyTooLarge,
    ConnectionDenied,
    InvalidInput,
    JiragwError,
    KeyBusy,
    KeyExpired,
    KeyInvalid,
    KeyRevoked,
    MethodNotAllowed,
    PermissionDenied,
    ReauthRequired,
    UpstreamError,
    UpstreamUnavailable,
)
from jiragw.gateway.audit import Event
from jiragw.gateway.headers import SECURITY_HEADERS, request_headers, response_headers
from jiragw.gateway.inflight import InFlight
from jiragw.gateway.links import LinkRewriter, rewritable
from jiragw.gateway.paths import (
    audit_target,
    contain,
    query_carries_key,
    redirect_inside,
    split_proxy_path,
    upstream_url,
)
from jiragw.gateway.responses import jira_error
from jiragw.gateway.state import Gateway
from jiragw.gateway.upstream import Upstreams, open_stream
from jiragw.keys import check as check_ceiling
from jiragw.store import ConnectionRecord, KeyRecord

__all__ = ["ALLOWED_METHODS", "FORWARDED_METHODS", "Proxy", "routes"]

log = logging.getLogger("jiragw.proxy")

# The methods Jira's REST API takes, the only ones that go upstream; OPTIONS is answered here.
FORWARDED_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_METHODS: Final = (*FORWARDED_METHODS, "OPTIONS")
_METHODS: Final = frozenset(ALLOWED_METHODS)
_FORWARDED: Final = frozenset(FORWARDED_METHODS)
_ALLOW: Final = ", ".join(ALLOWED_METHODS).encode("ascii")
# Calls whose audit record may wait for the read window; any other is committed before answering.
_READS: Final = frozenset({"GET", "HEAD"})
# Refusals that are the caller's doing (audited as "denied" and counted as denials).
_DENIALS: Final = (InvalidInput, PermissionDenied, KeyInvalid, KeyExpired, KeyRevoked, KeyBusy)
# Framing headers that no longer describe a decoded, rewritten body.
_REFRAMED: Final = frozenset({b"content-length", b"content-encoding", b"transfer-encoding"})
# A 401's body is read to tell a scope denial only up to this size (Atlassian's is ~60 bytes).
_SCOPE_BODY_MAX: Final = 4096


class _ClientGone(Exception):
    """The caller disconnected while sending its body."""


@dataclass(slots=True)
class _Call:
    """What one proxied call accumulates for its audit event."""

    method: str
    started: float
    source: str
    key: KeyRecord | None = None
    conn: ConnectionRecord | None = None
    target: str = "/…"
    status: int = 500
    bytes_out: int | None = 0
    upstream: bool = False
    error: JiragwError | None = None
    recorded: bool = False  # its audit record was made before the response started


class Proxy:
    """The ASGI endpoint behind ``/jira/{connection}/...``."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        # Late-bound, so a test (or an operator tool) swapping the gateway's clocks is obeyed.
        self.upstreams = Upstreams(
            gw.broker, now=lambda: gw.now(), monotonic=lambda: gw.monotonic(), session=gw.broker.session
        )
        # Labelled metric children, looked up once (``labels()`` hashes and locks per call).
        self._latency = gw.metrics.latency.labels("proxy")
        self._counted: dict[tuple[str, int], Counter] = {}
        self._rewriters: dict[str, tuple[tuple[str, str, str], LinkRewriter]] = {}
        self.in_flight = InFlight(gw.settings.max_inflight_per_connection, gw.settings.max_inflight_per_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        method = scope["method"]
        client = scope.get("client")
        call = _Call(method if method in _METHODS else "OTHER", started, client[0] if client else "unknown")
        try:
            await self._handle(scope, receive, send, call)
        except JiragwError as exc:
            await self._refuse(exc, call, scope, receive, send)
        except _ClientGone:
            call.status = 499
        except Exception:
            if call.upstream:
                raise  # the response has started; only closing the connection can tell the caller
            log.exception("proxy failure before the response started")
            failed = JiragwError("the gateway failed to handle this request")
            await self._refuse(failed, call, scope, receive, send)
        finally:
            self._account(call, time.perf_counter() - started)

    async def _refuse(
        self, exc: JiragwError, call: _Call, scope: Scope, receive: Receive, send: Send
    ) -> None:
        call.error, call.status = exc, exc.status
        response = jira_error(exc)
        if isinstance(exc, AuditUnavailable):
            call.recorded = True  # its event stays queued, to be committed on the writer's retry
        else:
            await self._commit(call)
        await response(scope, receive, send)

    # -- the request --------------------------------------------------------------------------

    async def _handle(self, scope: Scope, receive: Receive, send: Send, call: _Call) -> None:
        gw = self.gw
        query: bytes = scope.get("query_string", b"")
        if query and query_carries_key(query):
            raise InvalidInput(
                "gateway keys are never accepted in a query string; send it as "
                "'Authorization: Bearer <key>' (or as the Basic password)"
            )
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        authorization = None
        declared = None
        for header, value in raw_headers:
            if header == b"authorization":
                authorization = value.decode("latin-1")
            elif header == b"content-length":
                declared = value
        call.key = key = await gw.authenticate(authorization)
        method: str = scope["method"]
        if method not in _FORWARDED:
            if method == "OPTIONS":
                await self._options(send, call)
                return
            raise MethodNotAllowed(
                "the proxy forwards only GET, HEAD, POST, PUT, PATCH and DELETE", allowed=ALLOWED_METHODS
            )

        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        name, rest = split_proxy_path(raw_path, scope.get("root_path", ""))
        path = contain(rest, method)
        call.target = audit_target(path.decoded)
        conn = await self.upstreams.connection(name) if name is not None else None
        if conn is None or not key.allows_connection(conn.id):
            raise ConnectionDenied("this key may not use that connection (or it does not exist)")
        call.conn = conn

        op = check_ceiling(key, method, path.decoded, gw.table)
        if op is not None:
            call.target = op.path
        body = await _read_body(receive, gw.max_body_bytes, declared)

        in_flight = self.in_flight
        in_flight.acquire(key.id, conn.id)
        try:
            try:
                creds = await self.upstreams.credentials(conn)
            except AuthError as exc:
                raise self._reauth(conn, exc) from exc
            url = upstream_url(creds.base_url, path, query)
            headers = request_headers(raw_headers)
            await self._forward(scope, send, call, creds, url, headers, body)
        finally:
            in_flight.release(key.id, conn.id)

    async def _options(self, send: Send, call: _Call) -> None:
        """``OPTIONS``, answered without Jira: the methods the proxy takes, and no CORS grant."""
        call.status = 204
        headers = [(b"allow", _ALLOW), (b"cache-control", b"no-store"), *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _reauth(self, conn: ConnectionRecord, exc: AuthError) -> ReauthRequired:
        return ReauthRequired(
            f"the connection {conn.name!r} cannot be used until an administrator re-authorizes it "
            f"at {self.gw.public_url}/connections ({exc.code})"
        )

    async def _forward(
        self,
        scope: Scope,
        send: Send,
        call: _Call,
        creds: Credentials,
        url: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        gw = self.gw
        method = scope["method"]
        sent = time.perf_counter()
        session = self.upstreams.session
        try:
            response = await open_stream(
                gw.http, creds, method, url, headers, body, gw.now(), session, _readable_401
            )
        except AuthError as exc:  # the renewal after a 401 failed
            raise self._reauth(creds.connection, exc) from exc
        try:
            gw.metrics.upstream_latency.observe(time.perf_counter() - sent)
            status = response.status_code
            if status == 429:
                gw.metrics.upstream_429.labels(creds.connection.name).inc()
            out = response_headers(response.headers.raw)
            out.extend(SECURITY_HEADERS)
            if 300 <= status < 400:
                out = self._redirect(scope, creds, out)
            if method != "HEAD" and status not in (204, 304) and rewritable(out):
                await self._send_rewritten(send, call, creds, response, status, out)
                return
            call.status = status
            # A write's record is made before the body streams: the size it declares.
            call.bytes_out = len(response.content) if response.is_stream_consumed else _declared_length(out)
            if call.method not in _READS:  # a read's record waits for the read window (no await)
                await self._commit(call)
            call.upstream = True
            await send({"type": "http.response.start", "status": status, "headers": out})
            if response.is_stream_consumed:  # a 401 read to tell a scope denial: its body is at hand
                await send({"type": "http.response.body", "body": response.content, "more_body": False})
                return
            sent_bytes = call.bytes_out = 0  # a read's record counts what was sent
            async for chunk in response.aiter_raw():
                sent_bytes += len(chunk)
                call.bytes_out = sent_bytes
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    async def _send_rewritten(
        self,
        send: Send,
        call: _Call,
        creds: Credentials,
        response: httpx.Response,
        status: int,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        """A JSON answer, decoded and with Jira's links pointed at the proxy (:mod:`.links`)."""
        try:
            body = await response.aread()  # decoded from its Content-Encoding by httpx
        except (httpx.TimeoutException, httpx.NetworkError) as exc:
            raise UpstreamUnavailable(f"Jira's answer could not be read ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"Jira's answer could not be read ({type(exc).__name__})") from exc
        body = self._links(creds.connection).rewrite(body, error=status >= 400)
        out = [(k, v) for k, v in headers if k not in _REFRAMED]
        out.append((b"content-length", str(len(body)).encode("ascii")))
        call.status, call.bytes_out = status, len(body)
        if call.method not in _READS:
            await self._commit(call)
        call.upstream = True
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _links(self, conn: ConnectionRecord) -> LinkRewriter:
        cached = self._rewriters.get(conn.id)
        if cached is None or cached[0] != (conn.name, conn.site_url, conn.api_base_url):
            proxy_base = f"{self.gw.public_url}/jira/{conn.name}"
            cached = (
                (conn.name, conn.site_url, conn.api_base_url),
                LinkRewriter((conn.site_url, conn.api_base_url), proxy_base),
            )
            self._rewriters[conn.id] = cached
        return cached[1]

    def _redirect(
        self, scope: Scope, creds: Credentials, headers: list[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        """Rewrite a same-base ``Location`` onto the proxy; any other redirect is a 502."""
        out: list[tuple[bytes, bytes]] = []
        for name, value in headers:
            if name == b"location":
                rest = redirect_inside(creds.base_url, value.decode("latin-1"))
                if rest is None:
                    raise UpstreamError("Jira redirected outside the connection's API; not followed")
                prefix = f"{scope.get('root_path', '')}/jira/{creds.connection.name}"
                value = (prefix + rest).encode("latin-1")
            out.append((name, value))
        return out

    # -- audit and metrics ----------------------------------------------------------------------

    async def _commit(self, call: _Call) -> None:
        """Make a write's or a denial's audit record durable; called just before the response starts.

        A read's record is left to :meth:`_account` (committed within the read
        window); so is a refusal of a request with no valid key, which is counted.
        """
        if call.method in _READS and not isinstance(call.error, _DENIALS):
            return
        if call.key is None and call.error is not None:
            return
        event = self._event(call, time.perf_counter() - call.started)
        call.recorded = True
        await self.gw.audit.commit(event)

    def _account(self, call: _Call, seconds: float) -> None:
        gw = self.gw
        exc = call.error
        if isinstance(exc, _DENIALS):
            gw.metrics.denials.labels(exc.code).inc()
        counted = self._counted.get((call.method, call.status))
        if counted is None:
            counted = gw.metrics.requests.labels("proxy", call.method, str(call.status))
            self._counted[(call.method, call.status)] = counted
        counted.inc()
        self._latency.observe(seconds)
        if call.upstream and call.conn is not None:
            # Batched with the audit events: the Connections page shows when it was last used.
            gw.audit.connection_used(call.conn.id, gw.now())
        if call.recorded:
            return
        if call.key is None and exc is not None:
            gw.audit.anonymous_denial("proxy", call.source, call.status, exc.code)
            return
        gw.audit.record(self._event(call, seconds))

    def _event(self, call: _Call, seconds: float) -> Event:
        exc = call.error
        if exc is None:
            outcome = "ok" if call.status < 400 else "error"
        else:
            outcome = "denied" if isinstance(exc, _DENIALS) else "error"
        return Event(
            action="proxy",
            actor=f"key:{call.key.id}" if call.key is not None else "anonymous",
            outcome=outcome,
            at=self.gw.now(),
            key_id=call.key.id if call.key is not None else None,
            connection_id=call.conn.id if call.conn is not None else None,
            method=call.method,
            target=call.target,
            status_code=call.status,
            latency_ms=round(seconds * 1000),
            bytes_out=call.bytes_out,
            error_code=exc.code if exc is not None else None,
        )


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The ``Content-Length`` an answer about to stream declares (its size, before it is sent)."""
    for name, value in headers:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _readable_401(response: httpx.Response) -> bool:
    """Whether a 401's body may be read to tell Atlassian's "scope does not match" from a stale token.

    Only when it is small JSON, as Atlassian's answer is, and a body the
    rewriting path could read anyway (so a read body always goes out
    rewritten); any other 401 streams through unread.
    """
    declared = response.headers.get("content-length")
    small = declared is not None and declared.isdigit() and int(declared) <= _SCOPE_BODY_MAX
    return small and rewritable([(k.lower(), v) for k, v in response.headers.raw])


async def _read_body(receive: Receive, cap: int, declared: bytes | None) -> bytes:
    """The whole request body, refusing past ``cap`` bytes (before reading, when declared)."""
    if declared is not None:
        try:
            length = int(declared)
        except ValueError as exc:
            raise InvalidInput("the Content-Length header is not a number") from exc
        if length > cap:
            raise BodyTooLarge(f"the request body exceeds the gateway's limit of {cap} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(f"the request body exceeds the gateway's limit of {cap} bytes")
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def routes(gw: Gateway, proxy: Proxy | None = None) -> list[BaseRoute]:
    """The proxy's two routes (``proxy`` when the app also dispatches to it directly, see :mod:`.app`)."""
    proxy = proxy if proxy is not None else Proxy(gw)
    return [
        Route("/jira/{connection}/{path:path}", endpoint=proxy),
        Route("/jira/{connection}", endpoint=proxy),
    ]
