"""An httpx transport over aiohttp's HTTP/1.1 client: the same one seam, a faster engine.

The gateway's every upstream call goes through one shared
:class:`httpx.AsyncClient` (STYLE.md §1); this module only swaps what moves
the bytes underneath it. Measured on the project's 2-core machine against
nginx (``benchmarks/proxy.py``'s upstream), httpx's own connection pool
(httpcore over anyio) costs about 1.3 ms of CPU per small GET, and 2.6 ms with
32 requests in flight (it scans every pooled connection per request); aiohttp's
client, about 0.22 ms either way. Everything above the transport (request
building, timeouts, redirects refused, error types, ``MockTransport`` in tests)
stays httpx's.

What the transport guarantees, so the callers see plain httpx behaviour:

- the URL is sent exactly as httpx encoded it (no requoting, no dot-segment
  folding: the proxy forwards the caller's raw path after containing it);
- the headers are sent as given, in order, repeated names kept; the body is
  buffered (the proxy buffers request bodies anyway) and its length recomputed;
- the response is raw: no redirect followed, no decompression (httpx decodes
  ``Content-Encoding`` itself when asked), no cookie stored — aiohttp's jar is a
  :class:`aiohttp.DummyCookieJar`, so one connection's Jira session can never
  ride along on another's requests;
- the request's httpx timeouts apply (connect, read; pool as part of connect);
- aiohttp's exceptions become httpx's (``ConnectError``, ``ConnectTimeout``,
  ``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``, ``ProxyError``, ...), chained;
- the environment's forward proxies apply as httpx's own transports apply them
  (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``): the
  :class:`~jiragw.gateway.outbound_proxy.OutboundProxies` given decide, per
  request, and aiohttp's own environment lookup stays off.

The aiohttp session is created on first use inside the running loop and closed
with the transport (``async with httpx.AsyncClient(transport=...)``).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any, Final, NoReturn

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from jiragw.gateway.outbound_proxy import ForwardProxy, OutboundProxies

__all__ = ["AiohttpTransport"]

# Recomputed by aiohttp from the buffered body.
_FRAMING: Final = frozenset({"content-length", "transfer-encoding"})
# Jira's headers can be long (Link, WWW-Authenticate with every realm); aiohttp's default is 8 KiB.
_MAX_HEADER: Final = 64 * 1024


def _timeout(extensions: dict[str, Any]) -> aiohttp.ClientTimeout:
    """httpx's per-request timeouts (seconds or None) as aiohttp's."""
    spec = extensions.get("timeout") or {}
    connect, read, pool = spec.get("connect"), spec.get("read"), spec.get("pool")
    # aiohttp's ``connect`` covers waiting for a pooled connection *and* connecting.
    acquire = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
    return aiohttp.ClientTimeout(total=None, connect=acquire, sock_connect=connect, sock_read=read)


def _translate(exc: BaseException, request: httpx.Request, *, reading: bool) -> NoReturn:
    """Raise the httpx exception that stands for aiohttp's ``exc`` (chained)."""
    name = type(exc).__name__
    error: httpx.TransportError
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        error = httpx.ConnectTimeout(f"timed out connecting ({name})", request=request)
    elif isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        error = httpx.ReadTimeout(f"timed out reading ({name})", request=request)
    elif isinstance(exc, aiohttp.InvalidUrlClientError | aiohttp.NonHttpUrlClientError):
        error = httpx.UnsupportedProtocol(f"the URL cannot be requested ({name})", request=request)
    elif isinstance(exc, aiohttp.ClientHttpProxyError):
        error = httpx.ProxyError(f"the forward proxy refused the request ({name})", request=request)
    elif isinstance(exc, aiohttp.ClientConnectorError):
        error = httpx.ConnectError(f"could not connect ({name})", request=request)
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        error = httpx.RemoteProtocolError(f"the server broke off the exchange ({name})", request=request)
    elif isinstance(exc, aiohttp.ClientResponseError):
        error = httpx.RemoteProtocolError(f"the server's answer is not valid HTTP ({name})", request=request)
    elif isinstance(exc, aiohttp.ClientOSError | OSError):
        kind = httpx.ReadError if reading else httpx.WriteError
        error = kind(f"the connection failed ({name})", request=request)
    else:
        error = httpx.TransportError(f"the exchange failed ({name})", request=request)
    raise error from exc


class _Body(httpx.AsyncByteStream):
    """An aiohttp response's raw body as an httpx stream; closing it returns the connection."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:  # OSError covers TimeoutError
            self._response.close()  # the connection is broken: never back into the pool
            _translate(exc, self._request, reading=True)

    async def aclose(self) -> None:
        # Kept for reuse only when the body was read to its end; otherwise the socket is closed.
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests with one pooled :class:`aiohttp.ClientSession`."""

    def __init__(
        self,
        *,
        max_connections: int = 512,
        keepalive_expiry: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        proxies: OutboundProxies | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl = ssl_context
        self._proxies = proxies if proxies is not None and proxies.configured else None
        self._session: aiohttp.ClientSession | None = None
        # Requests a proxy forwards (plain http:// through a proxy; https:// is tunnelled and pooled
        # as usual) get a connection each: proxies may close it after each answer while announcing
        # keep-alive (tinyproxy does), and a pooled connection that died so would fail the next POST.
        self._forwarding: aiohttp.ClientSession | None = None

    def _open(self, *, pooled: bool = True) -> aiohttp.ClientSession:
        # httpx's CA bundle and TLS settings, so verification is the same as with httpx's transport.
        tls = self._ssl if self._ssl is not None else httpx.create_ssl_context()
        if pooled:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=0,
                keepalive_timeout=self._keepalive_expiry,
                ssl=tls,
            )
        else:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, limit_per_host=0, force_close=True, ssl=tls
            )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,  # the environment's proxies are decided per request by ``proxies``
            requote_redirect_url=False,
            max_line_size=_MAX_HEADER,
            max_field_size=_MAX_HEADER,
            timeout=aiohttp.ClientTimeout(total=None),
            # Only what httpx put on the request goes out; aiohttp adds no defaults of its own.
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
        )

    def _session_for(self, proxy: ForwardProxy | None, url: httpx.URL) -> aiohttp.ClientSession:
        if proxy is None or url.scheme == "https":
            session = self._session
            if session is None or session.closed:
                session = self._session = self._open()
            return session
        forwarding = self._forwarding
        if forwarding is None or forwarding.closed:
            forwarding = self._forwarding = self._open(pooled=False)
        return forwarding

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._proxies.for_url(request.url) if self._proxies is not None else None
        session = self._session_for(proxy, request.url)
        body = await request.aread()
        headers: CIMultiDict[str] = CIMultiDict()
        for name, value in request.headers.raw:
            text = name.decode("latin-1")
            if text.lower() not in _FRAMING:
                headers.add(text, value.decode("latin-1"))
        tunnel_headers = None
        if proxy is not None and proxy.authorization is not None:
            if request.url.scheme == "https":  # for the CONNECT only; never inside the tunnel
                tunnel_headers = {"Proxy-Authorization": proxy.authorization.reveal()}
            else:  # a forwarded request carries it, and the proxy takes it off
                headers["Proxy-Authorization"] = proxy.authorization.reveal()
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=_timeout(request.extensions),
                proxy=URL(proxy.url) if proxy is not None else None,
                proxy_headers=tunnel_headers,
            )
        except (aiohttp.ClientError, OSError) as exc:  # OSError covers TimeoutError
            _translate(exc, request, reading=False)
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    async def aclose(self) -> None:
        sessions = (self._session, self._forwarding)
        self._session = self._forwarding = None
        for session in sessions:
            if session is not None:
                await session.close()
