"""The proxy's methods and the headers of what it answers: TRACE and friends never go upstream,
OPTIONS is answered locally, and every answer carries nosniff and a policy that runs nothing."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from jiragw.gateway.headers import CONTENT_SECURITY_POLICY
from tests.gateway.conftest import Env
from tests.gateway.servers import asgi_call

CSP = CONTENT_SECURITY_POLICY.decode()
FORWARDED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _echo_upstream(env: Env) -> list[httpx.Request]:
    """An upstream that answers every request by echoing it, headers included, as TRACE does."""
    seen: list[httpx.Request] = []

    def echo(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        lines = [f"{request.method} {request.url.raw_path.decode()} HTTP/1.1"]
        lines += [f"{k.decode()}: {v.decode()}" for k, v in request.headers.raw]
        return httpx.Response(200, headers={"content-type": "message/http"}, content="\r\n".join(lines))

    env.gw.http = httpx.AsyncClient(transport=httpx.MockTransport(echo))
    return seen


async def _proxy_rows(env: Env) -> list[Any]:
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        return [e for e in reversed(tx.audit.tail(1000)) if e.action == "proxy"]


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "PROPFIND", "CONNECT", "MKCOL", "get", "DEBUG"])
async def test_other_methods_are_405_and_never_echo_the_credential(env: Env, method: str) -> None:
    await env.connect_cloud()
    secret, record = env.key()  # unrestricted: the ceiling would let an unknown operation through
    seen = _echo_upstream(env)
    alice = env.user()
    credential = base64.b64encode(f"{alice['email']}:{alice['api_token']}".encode()).decode()

    response = await asgi_call(
        env.app,
        method,
        b"/jira/acme/rest/api/3/myself",
        headers=[(b"authorization", f"Bearer {secret}".encode())],
    )

    assert seen == [], "the method reached the upstream"
    assert response.status == 405
    assert response.header("allow") == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    text = response.body.decode()
    assert "method_not_allowed" in text
    for leak in (credential, alice["api_token"], secret, "authorization", "Authorization"):
        assert leak not in text
    rows = await _proxy_rows(env)
    assert [(r.outcome, r.status_code, r.error_code, r.key_id) for r in rows[-1:]] == [
        ("denied", 405, "method_not_allowed", record.id)
    ]


async def test_the_echo_upstream_would_have_leaked_it(env: Env) -> None:
    """The check above can fail: a forwarded request does come back with the connection's credential."""
    await env.connect_cloud()
    secret, _ = env.key()
    seen = _echo_upstream(env)
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert len(seen) == 1
    alice = env.user()
    assert base64.b64encode(f"{alice['email']}:{alice['api_token']}".encode()).decode() in response.text


async def test_options_is_answered_here_with_allow_and_no_cors_grant(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    seen = _echo_upstream(env)
    response = await env.client.options(
        "/jira/acme/rest/api/3/issue/PRJ-1",
        headers={
            **_bearer(secret),
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "DELETE",
        },
    )
    assert seen == []
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    assert not any(name.startswith("access-control-") for name in response.headers)
    assert response.headers["content-security-policy"] == CSP
    rows = await _proxy_rows(env)
    assert [(r.outcome, r.method, r.status_code) for r in rows[-1:]] == [("ok", "OPTIONS", 204)]


async def test_a_browser_preflight_without_a_key_is_refused(env: Env) -> None:
    await env.connect_cloud()
    seen = _echo_upstream(env)
    response = await env.client.options(
        "/jira/acme/rest/api/3/myself",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert seen == []
    assert response.status_code == 401
    assert not any(name.startswith("access-control-") for name in response.headers)


@pytest.mark.parametrize("method", FORWARDED)
async def test_the_methods_jira_takes_still_go_upstream(env: Env, method: str) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    seen = _echo_upstream(env)
    response = await env.client.request(method, "/jira/acme/rest/api/3/issue/PRJ-1", headers=_bearer(secret))
    assert response.status_code == 200
    assert [r.method for r in seen] == [method]


HOSTILE_PAGE = b"<!doctype html><script>fetch('/api/v1/keys').then(r => r.text()).then(alert)</script>"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", HOSTILE_PAGE),
        ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("application/octet-stream", HOSTILE_PAGE),  # sniffable as HTML without nosniff
        ("application/json", b'{"html": "<script>alert(1)</script>"}'),
    ],
)
async def test_an_upstream_page_cannot_run_script_in_the_gateways_origin(
    env: Env, content_type: str, body: bytes
) -> None:
    await env.connect_cloud()
    secret, _ = env.key()

    def page(request: httpx.Request) -> httpx.Response:
        loose = {
            "content-type": content_type,
            "content-security-policy": "script-src * 'unsafe-inline'",
            "content-security-policy-report-only": "default-src *",
            "x-content-type-options": "sniff",
        }
        return httpx.Response(200, headers=loose, stream=httpx.ByteStream(body))

    env.gw.http = httpx.AsyncClient(transport=httpx.MockTransport(page))
    response = await env.client.get("/jira/acme/rest/api/3/issue/PRJ-1/attachment/1", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.headers.get_list("content-security-policy") == [CSP]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert "content-security-policy-report-only" not in response.headers
    assert "script-src" not in CSP
    assert "default-src 'none'" in CSP
    assert "sandbox" in CSP


async def test_the_gateways_own_refusals_carry_the_same_headers(env: Env) -> None:
    await env.connect_cloud()
    for response in (
        await env.client.get("/jira/acme/rest/api/3/myself"),  # 401, no key
        await env.client.get("/jira/acme/rest/api/3/../../secure", headers=_bearer(env.key()[0])),
    ):
        assert response.status_code >= 400
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_sandbox_answers_carry_them_too(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key()
    response = await env.client.get("/jira/corp/rest/api/2/serverInfo", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
