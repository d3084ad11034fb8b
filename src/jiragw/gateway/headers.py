"""Header hygiene for the Jira-compatible proxy, sans-IO (RFC 9110 §7.6.1, RFC 9112 §9.6).

Upstream, the caller's credentials and the gateway's own hop never reach
Jira: ``Authorization`` (the gateway key), ``Cookie``, ``Proxy-*``, the
hop-by-hop headers and whatever ``Connection`` names, ``Host`` (httpx sets the
upstream's), ``Content-Length`` (recomputed from the buffered body),
``Expect`` and ``Max-Forwards`` (meaningful only to TRACE and OPTIONS, which
never go upstream). Two deny lists, kept as data, drop the rest:

- :data:`OVERRIDE_HEADERS`: headers by which a framework or a front proxy lets
  a request claim another method or another path than the one it was sent
  with (``X-HTTP-Method-Override``, ``X-Original-URL``, ...). The scope ceiling
  is decided on the request line; a ``GET`` that Jira's stack (or a proxy in
  front of it) turned into a ``DELETE``, or into a request for another path,
  would dodge it, even for a read-only key;
- :data:`CLIENT_ADDRESS_HEADERS` and every ``X-Forwarded-*``: a client address,
  host, scheme or path prefix chosen by the caller, which Jira or a proxy
  in front of it may trust (``X-Forwarded-Host`` and ``X-Forwarded-Prefix``
  build absolute links; the addresses feed rate limits and audit logs).

What Jira clients legitimately send stays: ``Accept``, ``Content-Type``,
``User-Agent``, ``Accept-Language``, ``X-Atlassian-Token`` (the XSRF
opt-out of attachment uploads), ``X-ExperimentalApi``,
``X-Force-Accept-Language`` and any other header not listed here. When the
caller sends no ``Accept-Encoding``, ``identity`` is asked for, because the
proxy streams the upstream bytes as they come and must not hand out a
compression the caller never offered.

Downstream, ``Set-Cookie`` (an upstream session must not become the caller's),
the hop-by-hop headers and ``Server``/``Date`` (the gateway's server sets its
own) are dropped, and so are Jira's own ``Content-Security-Policy`` (and its
report-only twin) and ``X-Content-Type-Options``: every proxied answer, the
gateway's own refusals included, carries :data:`SECURITY_HEADERS` instead.
Proxied answers come from the admin UI's origin, so an HTML (or SVG, or
mislabelled) answer from Jira must never run as a page of that origin:
``nosniff`` stops a browser from guessing a script or a page out of a JSON or
image answer, and the policy blocks every script, style, frame and form
(``default-src 'none'``), refuses to be framed (``frame-ancestors 'none'``)
and puts what is shown in a unique opaque origin (``sandbox``), so even a
page that renders cannot read the gateway's cookies or call its API. Images
embedded with ``<img>`` (Jira's avatars) are not affected: a response's
policy governs only the document it becomes.

Headers are ASGI pairs of lower-case bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = [
    "CLIENT_ADDRESS_HEADERS",
    "CONTENT_SECURITY_POLICY",
    "OVERRIDE_HEADERS",
    "SECURITY_HEADERS",
    "request_headers",
    "response_headers",
]

Header = tuple[bytes, bytes]

# Headers that claim another method or another target than the request line's.
OVERRIDE_HEADERS: Final = frozenset(
    {
        b"x-http-method-override",  # Google, Jersey's HttpMethodOverrideFilter, many frameworks
        b"x-http-method",  # OData, Microsoft stacks
        b"x-method-override",  # IBM, older Rails and Express middleware
        b"x-original-method",  # what some front proxies set after an override
        b"x-original-url",  # IIS URL Rewrite, Symfony behind IIS
        b"x-rewrite-url",  # IIS ISAPI_Rewrite, Zend and Symfony
        b"x-original-uri",  # nginx auth_request and ingress controllers
        b"x-override-url",
        b"x-http-destinationurl",
        b"x-proxy-url",
        b"x-host",  # an alternative Host honoured by some frameworks
        b"x-original-host",
    }
)
# Headers that carry a client address the caller could choose (X-Forwarded-* by prefix).
CLIENT_ADDRESS_HEADERS: Final = frozenset(
    {
        b"forwarded",
        b"x-real-ip",
        b"x-client-ip",
        b"client-ip",
        b"x-cluster-client-ip",
        b"true-client-ip",
        b"cf-connecting-ip",
        b"fastly-client-ip",
        b"x-originating-ip",
        b"x-remote-ip",
        b"x-remote-addr",
    }
)

CONTENT_SECURITY_POLICY: Final = b"default-src 'none'; frame-ancestors 'none'; sandbox"
SECURITY_HEADERS: Final[tuple[Header, ...]] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY),
)

_HOP_BY_HOP: Final = frozenset(
    {b"connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"proxy-connection"}
)
_DROP_REQUEST: Final = (
    _HOP_BY_HOP
    | OVERRIDE_HEADERS
    | CLIENT_ADDRESS_HEADERS
    | frozenset({b"authorization", b"cookie", b"host", b"content-length", b"expect", b"max-forwards"})
)
_DROP_RESPONSE: Final = _HOP_BY_HOP | frozenset(
    {
        b"set-cookie",
        b"set-cookie2",
        b"server",
        b"date",
        # Replaced by SECURITY_HEADERS, so the upstream cannot loosen them.
        b"content-security-policy",
        b"content-security-policy-report-only",
        b"x-content-type-options",
    }
)
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
    """The caller's headers as they may go to Jira (no credentials, hops, overrides or client address)."""
    out = _filter(headers, _DROP_REQUEST, _DROP_PREFIXES_REQUEST)
    if not any(name == b"accept-encoding" for name, _ in out):
        out.append((b"accept-encoding", b"identity"))
    return out


def response_headers(headers: Iterable[Header]) -> list[Header]:
    """Jira's response headers as they may go back to the caller (no cookies, hops or Jira's own policy).

    The proxy adds :data:`SECURITY_HEADERS` to what this returns.
    """
    return _filter(headers, _DROP_RESPONSE, _DROP_PREFIXES_RESPONSE)
