"""JSON log lines, redaction canaries, and the access log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from jiragw.gateway.logs import MASK, AccessLog, configure_logging, redact
from jiragw.keys import mint_key

from .conftest import GATEWAY, Env

KEY = mint_key().secret.reveal()
# (text carrying a secret, the secret) - each secret must vanish from the output.
CANARIES = [
    (f"Authorization: Bearer {KEY}", KEY),
    ("authorization=Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"),
    ("headers={'Authorization': 'Basic YWxpY2U6c2VjcmV0LWNhbmFyeQ=='}", "YWxpY2U6c2VjcmV0LWNhbmFyeQ=="),
    ('{"authorization": "Bearer opaque-canary-1234"}', "opaque-canary-1234"),
    ("Cookie: jiragw_session=cookie-canary-5678; theme=dark", "cookie-canary-5678"),
    ("set-cookie: jiragw_session=cookie-canary-9012; HttpOnly", "cookie-canary-9012"),
    (f"key {KEY} was used", KEY),
    (f"curl -u x:{KEY}", KEY),
    ("GET /v1/outbound/oauth/callback?state=s1&code=code-canary-3456", "code-canary-3456"),
    ("POST /oauth/token grant_type=refresh_token&refresh_token=rt-canary-7890&client_id=c", "rt-canary-7890"),
    ("client_secret=cs-canary-1111&grant_type=client_credentials", "cs-canary-1111"),
    ("https://x.test/cb?access_token=at-canary-2222#frag", "at-canary-2222"),
    ('{"access_token": "at-canary-3333", "expires_in": 3600}', "at-canary-3333"),
    ("{'refresh_token': 'rt-canary-4444'}", "rt-canary-4444"),
    ('token response: {\\"client_secret\\": \\"cs-canary-5555\\"}', "cs-canary-5555"),
    ("api token ATATT3xFfGF0T-canary-6666=ABCD", "ATATT3xFfGF0T-canary-6666"),
    ("postgresql+psycopg://jiragw:db-canary-7777@db:5432/jiragw", "db-canary-7777"),
    ("oauth_verifier=ver-canary-8888&oauth_token=t", "ver-canary-8888"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpkey-canary-9999\n-----END RSA PRIVATE KEY-----",
        "key-canary-9999",
    ),
]
# Ordinary text that must survive untouched.
KEPT = [
    "error code=500 from upstream",
    "Basic authentication is discouraged; use an API token",
    "GET /rest/api/3/search/jql?jql=project%3DKAN&maxResults=50",
    "refreshed grant 1c2d; 3 connections active",
    "the gateway key is not valid",
]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging(json=True, level="DEBUG", stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(("text", "secret"), CANARIES)
def test_redact_masks_the_canary(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize("text", KEPT)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(("text", "secret"), CANARIES)
def test_json_lines_are_redacted(text: str, secret: str, log_stream: io.StringIO) -> None:
    log = logging.getLogger("jiragw.test")
    log.warning("seen: %s", text, extra={"detail": text, "connection": "acme"})
    try:
        raise RuntimeError(f"upstream said {text}")
    except RuntimeError:
        log.exception("failed")
    assert secret not in log_stream.getvalue()
    first, second = lines(log_stream)
    assert first["level"] == "WARNING"
    assert first["logger"] == "jiragw.test"
    assert first["connection"] == "acme"
    assert MASK in first["message"]
    assert MASK in first["detail"]
    assert first["time"].endswith("+00:00")
    assert second["message"] == "failed"
    assert "RuntimeError" in second["exception"]


def test_non_string_extras_and_text_mode_are_redacted() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(json=False, level=logging.INFO, stream=stream)
    try:
        logging.getLogger("jiragw.test").info(
            "request", extra={"headers": {"Authorization": f"Bearer {KEY}", "Cookie": "s=cookie-canary-0000"}}
        )
        logging.getLogger("jiragw.test").debug("not shown at INFO")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    text = stream.getvalue()
    assert "jiragw.test: request" in text
    assert KEY not in text
    assert "cookie-canary-0000" not in text
    assert "not shown" not in text


def test_configure_logging_replaces_its_own_handler() -> None:
    root = logging.getLogger()
    level = root.level
    first = configure_logging(stream=io.StringIO())
    second = configure_logging(stream=io.StringIO())
    try:
        assert first not in root.handlers
        assert second in root.handlers
    finally:
        root.removeHandler(second)
        root.setLevel(level)


async def test_access_log_has_no_query_string(log_stream: io.StringIO) -> None:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello", status_code=201)

    app = AccessLog(Starlette(routes=[Route("/hello/{x}", hello)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get(
            "/hello/there?code=code-canary-4242&access_token=x", headers={"Authorization": f"Bearer {KEY}"}
        )
        assert response.status_code == 201
        assert (await client.get("/missing")).status_code == 404
    ok, missing = (line for line in lines(log_stream) if line["logger"] == "jiragw.access")
    assert ok["method"] == "GET"
    assert ok["path"] == "/hello/there"
    assert ok["status"] == 201
    assert ok["bytes"] == 5
    assert ok["latency_ms"] >= 0
    assert ok["message"].startswith("GET /hello/there 201 ")
    assert missing["status"] == 404
    assert "code-canary-4242" not in log_stream.getvalue()
    assert KEY not in log_stream.getvalue()


async def test_no_key_reaches_the_logs_through_the_api(env: Env, log_stream: io.StringIO) -> None:
    await env.connect_cloud()
    admin, _ = env.key(preset="admin", name="admin")
    headers = {"Authorization": f"Bearer {admin}"}
    transport = httpx.ASGITransport(app=AccessLog(env.app))
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as client:
        created = await client.post(
            "/api/v1/keys",
            headers=headers,
            json={"name": "bot", "connections": ["acme"], "preset": "read-only"},
        )
        secret = created.json()["key"]
        await client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"})
        await client.post("/api/v1/keys/bot/revoke", headers=headers)
        await client.get(f"/api/v1/whoami?key={secret}", headers={"Authorization": f"Bearer {secret}"})
        await client.post("/api/v1/connections/acme/test", headers=headers)
    await env.gw.audit.flush()
    output = log_stream.getvalue()
    access = [line for line in lines(log_stream) if line["logger"] == "jiragw.access"]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [
        ("POST", "/api/v1/keys", 201),
        ("GET", "/api/v1/whoami", 200),
        ("POST", "/api/v1/keys/bot/revoke", 200),
        ("GET", "/api/v1/whoami", 401),
        ("POST", "/api/v1/connections/acme/test", 200),
    ]
    assert secret not in output
    assert admin not in output
    assert env.user("alice")["api_token"] not in output


async def test_httpx_request_lines_stay_out_of_the_logs(log_stream: io.StringIO) -> None:
    """httpx logs each request's full URL at INFO: the JQL in its query string is data, not a log line."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get("https://jira.test/rest/api/3/search/jql?jql=summary~%22jql-canary-5150%22")
    assert "jql-canary-5150" not in log_stream.getvalue()
    assert "jira.test" not in log_stream.getvalue()
