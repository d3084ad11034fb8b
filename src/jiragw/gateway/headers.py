"""Header hygiene for the Jira-compatible proxy, sans-IO (issue 5; RFC 9110 §7.6.1, RFC 9112 §9.6).

Upstream, the caller's credentials and the gateway's own hop never reach
Jira: ``Authorization`` (the gateway key), ``Cookie``, ``Proxy-*``, the
hop-by-hop headers and whatever ``Connection`` names, ``Host`` (httpx sets the
upstream's), ``Forwarded``/``X-Forwarded-*``/``X-Real-IP`` (Jira must not
trust a caller-chosen client address), ``Content-Length`` (recomputed from the
buffered body) and ``Expect``. When the caller sends no ``Accept-Encoding``,
``identity`` is asked for, because the proxy streams the upstream bytes as
they come and must not hand out a compression the caller never offered.

Downstream, ``Set-Cookie`` (an upstream session must not become the caller's),
the hop-by-hop headers and ``Server``/``Date`` (the gateway's server sets its
own) are dropped. Headers are ASGI pairs of lower-case bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["request_headers", "response_headers"]

Header = tuple[bytes, bytes]

_HOP_BY_HOP: Final = frozenset(
    {b"connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"proxy-connection"}
)
_DROP_REQUEST: Final = _HOP_BY_HOP | frozenset(
    {b"authorization", b"cookie", b"host", b"content-length", b"forwarded", b"x-real-ip", b"expect"}
)
_DROP_RESPONSE: Final = _HOP_BY_HOP | frozenset({b"set-cookie", b"set-cookie2", b"server", b"date"})
_DROP_PREFIXES_REQUEST: Final = (b"proxy-", b"x-forwarded-")
_DROP_PREFIXES_RESPONSE: Final = (b"proxy-",)


def _named_by_connection(headers: list[Header]) -> frozenset[bytes]:
    named: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            named.update(token.strip().lower() for token in value.split(b","))
    return frozenset(named)


def _filter(headers: Iterable[Header], drop: frozenset[bytes], prefixes: tuple[bytes, ...]) -> list[Header]:
    pairs = list(headers)
    named = _named_by_connection(pairs)
    out: list[Header] = []
    for name, value in pairs:
        lower = name.lower()
        if lower in drop or lower in named or lower.startswith(prefixes):
            continue
        out.append((lower, value))
    return out


def request_headers(headers: Iterable[Header]) -> list[Header]:
    """The caller's headers as they may go to Jira (no credentials, no hop-by-hop, no client address)."""
    out = _filter(headers, _DROP_REQUEST, _DROP_PREFIXES_REQUEST)
    if not any(name == b"accept-encoding" for name, _ in out):
        out.append((b"accept-encoding", b"identity"))
    return out


def response_headers(headers: Iterable[Header]) -> list[Header]:
    """Jira's response headers as they may go back to the caller (no cookies, no hop-by-hop)."""
    return _filter(headers, _DROP_RESPONSE, _DROP_PREFIXES_RESPONSE)
