"""Header hygiene, sans-IO: what goes up to Jira and what comes back down."""

from __future__ import annotations

import pytest

from jiragw.gateway.headers import (
    CLIENT_ADDRESS_HEADERS,
    OVERRIDE_HEADERS,
    SECURITY_HEADERS,
    request_headers,
    response_headers,
)

DROPPED_UPSTREAM = [
    (b"Authorization", b"Bearer jgw_secret"),
    (b"Cookie", b"JSESSIONID=abc"),
    (b"Host", b"gw.test"),
    (b"Content-Length", b"12"),
    (b"Connection", b"keep-alive, X-Hop"),
    (b"X-Hop", b"named by Connection"),
    (b"Keep-Alive", b"timeout=5"),
    (b"TE", b"trailers"),
    (b"Trailer", b"X-Sum"),
    (b"Transfer-Encoding", b"chunked"),
    (b"Upgrade", b"websocket"),
    (b"Proxy-Authorization", b"Basic abc"),
    (b"Proxy-Connection", b"keep-alive"),
    (b"X-Forwarded-For", b"10.0.0.1"),
    (b"X-Forwarded-Host", b"evil.example"),
    (b"X-Forwarded-Proto", b"https"),
    (b"Forwarded", b"for=10.0.0.1"),
    (b"X-Real-IP", b"10.0.0.1"),
    (b"Expect", b"100-continue"),
]
KEPT_UPSTREAM = [
    (b"accept", b"application/json"),
    (b"content-type", b"application/json"),
    (b"x-atlassian-token", b"no-check"),
    (b"user-agent", b"python-requests/2"),
    (b"accept-language", b"en"),
]


def test_request_headers_drop_credentials_hops_and_client_address() -> None:
    out = request_headers(DROPPED_UPSTREAM + KEPT_UPSTREAM)
    assert out == [*KEPT_UPSTREAM, (b"accept-encoding", b"identity")]


@pytest.mark.parametrize("pair", DROPPED_UPSTREAM)
def test_each_dropped_request_header_alone(pair: tuple[bytes, bytes]) -> None:
    names = {name for name, _ in request_headers([pair, (b"connection", b"x-hop")])}
    assert pair[0].lower() not in names


def test_request_headers_keep_the_callers_accept_encoding() -> None:
    out = request_headers([(b"Accept-Encoding", b"gzip")])
    assert out == [(b"accept-encoding", b"gzip")]


def test_response_headers_drop_cookies_and_hops() -> None:
    upstream = [
        (b"content-type", b"application/json"),
        (b"set-cookie", b"JSESSIONID=abc; HttpOnly"),
        (b"Set-Cookie", b"atlassian.xsrf.token=x"),
        (b"set-cookie2", b"old=1"),
        (b"connection", b"close, x-hop"),
        (b"x-hop", b"1"),
        (b"transfer-encoding", b"chunked"),
        (b"keep-alive", b"timeout=5"),
        (b"proxy-authenticate", b"Basic"),
        (b"server", b"Jetty"),
        (b"date", b"Thu, 01 Jan 2026 00:00:00 GMT"),
        (b"content-length", b"42"),
        (b"x-arequestid", b"123"),
        (b"retry-after", b"3"),
        (b"location", b"http://jira.test/sites/acme/rest/api/2/issue/1"),
    ]
    assert response_headers(upstream) == [
        (b"content-type", b"application/json"),
        (b"content-length", b"42"),
        (b"x-arequestid", b"123"),
        (b"retry-after", b"3"),
        (b"location", b"http://jira.test/sites/acme/rest/api/2/issue/1"),
    ]


OVERRIDES_AND_ADDRESSES = [
    (b"X-HTTP-Method-Override", b"DELETE"),
    (b"X-HTTP-Method", b"DELETE"),
    (b"X-Method-Override", b"PUT"),
    (b"X-Original-Method", b"DELETE"),
    (b"X-Original-URL", b"/rest/pat/latest/tokens"),
    (b"X-Rewrite-URL", b"/rest/pat/latest/tokens"),
    (b"X-Original-URI", b"/secure/admin"),
    (b"X-Host", b"evil.example"),
    (b"X-Original-Host", b"evil.example"),
    (b"X-Forwarded-Prefix", b"/evil"),
    (b"X-Forwarded-Server", b"evil.example"),
    (b"X-Client-IP", b"10.0.0.1"),
    (b"True-Client-IP", b"10.0.0.1"),
    (b"CF-Connecting-IP", b"10.0.0.1"),
    (b"X-Cluster-Client-IP", b"10.0.0.1"),
    (b"Max-Forwards", b"0"),
]


@pytest.mark.parametrize("pair", OVERRIDES_AND_ADDRESSES)
def test_method_overrides_url_rewrites_and_client_addresses_are_dropped(pair: tuple[bytes, bytes]) -> None:
    names = {name for name, _ in request_headers([pair, (b"accept", b"application/json")])}
    assert names == {b"accept", b"accept-encoding"}


def test_the_deny_lists_are_lower_case_data() -> None:
    for name in OVERRIDE_HEADERS | CLIENT_ADDRESS_HEADERS:
        assert name == name.lower()
        assert request_headers([(name.upper(), b"x")]) == [(b"accept-encoding", b"identity")]


def test_what_jira_clients_need_is_kept() -> None:
    kept = [
        (b"x-atlassian-token", b"no-check"),
        (b"x-experimentalapi", b"opt-in"),
        (b"x-force-accept-language", b"true"),
        (b"content-type", b"multipart/form-data; boundary=x"),
    ]
    assert request_headers(kept) == [*kept, (b"accept-encoding", b"identity")]


def test_jiras_own_content_policy_is_dropped_for_the_gateways() -> None:
    upstream = [
        (b"content-type", b"text/html"),
        (b"Content-Security-Policy", b"script-src *"),
        (b"content-security-policy-report-only", b"default-src *"),
        (b"X-Content-Type-Options", b"sniff"),
    ]
    assert response_headers(upstream) == [(b"content-type", b"text/html")]
    assert dict(SECURITY_HEADERS) == {
        b"x-content-type-options": b"nosniff",
        b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'; sandbox",
    }
