"""The proxy against the in-process sandbox: forwarding, header hygiene, caching, refresh, errors, audit."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from jiragw.sandbox import create_app as create_sandbox_app
from jiragw.store import GrantStatus
from tests.broker.conftest import Demo, connect_3lo, token_calls
from tests.gateway.conftest import GATEWAY, SANDBOX, Env
from tests.gateway.servers import Recorder, asgi_call
from tests.store.conftest import FakeClock


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _basic(secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"anyone:{secret}".encode()).decode()}


@pytest.fixture
async def recorder(env: Env) -> AsyncIterator[Recorder]:
    """The gateway's upstream client, reaching the sandbox through a header recorder."""
    rec = Recorder(
        create_sandbox_app(env.sandbox),
        extra=[(b"set-cookie", b"JSESSIONID=upstream-session"), (b"x-upstream", b"yes")],
    )
    original = env.gw.http
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rec)) as client:
        env.gw.http = client
        try:
            yield rec
        finally:
            env.gw.http = original


def _mock_upstream(env: Env, handler: Callable[[httpx.Request], httpx.Response]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    env.gw.http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return seen


def _streamed(status: int, headers: dict[str, str], body: bytes) -> httpx.Response:
    """A mock answer that streams like a real one (``content=`` would hand it over pre-read)."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


async def _audit_rows(env: Env) -> list[Any]:
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        return [e for e in reversed(tx.audit.tail(1000)) if e.action == "proxy"]


@pytest.mark.parametrize("auth", [_bearer, _basic])
async def test_get_returns_jiras_answer(env: Env, auth: Callable[[str], dict[str, str]]) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    direct = await env.broker.request(conn, "GET", "/rest/api/3/issue/PRJ-1?fields=summary,status")
    response = await env.client.get(
        "/jira/acme/rest/api/3/issue/PRJ-1?fields=summary,status", headers=auth(secret)
    )
    assert response.status_code == 200
    # The same answer, with Jira's API links pointed at the proxy (and people's links left alone).
    assert f"{conn.api_base_url}/rest/" in direct.text
    expected = direct.text.replace(f"{conn.api_base_url}/rest/", f"{GATEWAY}/jira/acme/rest/")
    assert response.json() == json.loads(expected)
    assert f"{conn.api_base_url}/images/" in response.text
    assert response.headers["content-type"] == direct.headers["content-type"]


async def test_a_write_goes_through_and_is_visible_upstream(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key()
    fields = {"project": {"key": "PRJ"}, "summary": "Through the proxy", "issuetype": {"name": "Task"}}
    created = await env.client.post(
        "/jira/corp/rest/api/2/issue", headers=_bearer(secret), json={"fields": fields}
    )
    assert created.status_code == 201
    key = created.json()["key"]
    fetched = await env.client.get(f"/jira/corp/rest/api/2/issue/{key}", headers=_bearer(secret))
    assert fetched.json()["fields"]["summary"] == "Through the proxy"
    assert any(i.key == key for i in env.sandbox.dcs["corp"].issues.values())


async def test_a_streamed_body_without_content_length(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key()
    payload = json.dumps(
        {"fields": {"project": {"key": "PRJ"}, "summary": "chunked", "issuetype": {"name": "Bug"}}}
    )
    half = len(payload) // 2
    response = await asgi_call(
        env.app,
        "POST",
        b"/jira/corp/rest/api/2/issue",
        headers=[(b"authorization", f"Bearer {secret}".encode()), (b"content-type", b"application/json")],
        body=[payload[:half].encode(), payload[half:].encode()],
    )
    assert response.status == 201, response.body
    assert json.loads(response.body)["key"].startswith("PRJ-")


async def test_head_is_answered_without_a_body(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    response = await env.client.head("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.content == b""


async def test_header_hygiene(env: Env, recorder: Recorder) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    response = await env.client.get(
        "/jira/acme/rest/api/3/myself",
        headers={
            **_bearer(secret),
            "Cookie": "JSESSIONID=caller-session",
            "X-Forwarded-For": "10.1.2.3",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "Forwarded": "for=10.1.2.3",
            "X-Real-IP": "10.1.2.3",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "Connection": "keep-alive, X-Hop-Secret",
            "X-Hop-Secret": "hop",
            "X-Atlassian-Token": "no-check",
        },
    )
    assert response.status_code == 200
    (seen,) = recorder.seen
    for dropped in ("cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded"):
        assert dropped not in seen
    for dropped in ("x-real-ip", "proxy-authorization", "x-hop-secret"):
        assert dropped not in seen
    assert seen["x-atlassian-token"] == ["no-check"]
    assert seen["host"] == ["localhost"]
    # The upstream sees the connection's own credential, never the gateway key.
    (upstream_auth,) = seen["authorization"]
    user = env.user()
    assert (
        upstream_auth == "Basic " + base64.b64encode(f"{user['email']}:{user['api_token']}".encode()).decode()
    )
    assert secret not in json.dumps(seen)
    # And the caller never gets the upstream's cookies.
    assert "set-cookie" not in response.headers
    assert response.headers["x-upstream"] == "yes"


async def test_credentials_are_cached_per_connection(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    calls: list[str] = []
    original = env.broker.credentials_for

    async def counted(ref: Any, **kwargs: Any) -> Any:
        calls.append(getattr(ref, "name", ref))
        return await original(ref, **kwargs)

    monkeypatch.setattr(env.broker, "credentials_for", counted)
    now = [1000.0]
    env.gw.monotonic = lambda: now[0]
    for _ in range(5):
        assert (
            await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
        ).status_code == 200
    assert calls == ["acme"]
    now[0] += 60  # past every cache lifetime
    assert (await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))).status_code == 200
    assert calls == ["acme", "acme"]


async def test_an_expired_3lo_token_is_refreshed_transparently(env: Env, clock: FakeClock) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))
    secret, _ = env.key()
    first = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert first.status_code == 200
    # Both sides' clocks move past the access token's expiry.
    clock.advance(hours=2)
    env.sandbox.clock.advance_by(timedelta(hours=2))
    again = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert again.status_code == 200
    assert again.json()["accountId"] == env.user()["account_id"]
    assert token_calls(env.sandbox, "refresh_token") == 1


async def test_a_401_on_a_3lo_token_forces_one_refresh_and_a_retry(env: Env, clock: FakeClock) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))
    secret, _ = env.key()
    assert (
        await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    ).status_code == 200
    # Jira's clock moves past the token's life; the gateway's only two minutes (so the token is
    # not young enough to be spared a renewal, yet still valid as far as the gateway knows).
    env.sandbox.clock.advance_by(timedelta(hours=2))
    clock.advance(minutes=2)
    response = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 200
    assert token_calls(env.sandbox, "refresh_token") == 1


@pytest.mark.parametrize("status", [GrantStatus.REAUTH_REQUIRED, GrantStatus.REVOKED])
async def test_a_dead_connection_answers_reauth_required(env: Env, status: GrantStatus) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    await env.broker.db(lambda tx: tx.grants.set_status(conn.grant_id, status, reason="test"))
    before = env.upstream_calls()
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 401
    assert response.json()["jiragw"]["code"] == "reauth_required"
    assert f"{env.gw.public_url}/connections" in response.json()["errorMessages"][0]
    assert "www-authenticate" in response.headers
    assert env.upstream_calls() == before


async def test_redirects_inside_the_base_are_rewritten_others_are_502(env: Env) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    base = conn.api_base_url
    target = {"location": base + "/rest/api/3/issue/PRJ-2"}
    seen = _mock_upstream(env, lambda request: _streamed(302, target, b"moved"))
    inside = await env.client.get("/jira/acme/rest/api/3/issue/10001", headers=_bearer(secret))
    assert inside.status_code == 302
    assert inside.headers["location"] == "/jira/acme/rest/api/3/issue/PRJ-2"

    for location in (
        "http://evil.example/rest/api/3/issue/PRJ-2",
        base + "/../other/rest/api/3/x",
        "/login.jsp",
    ):
        target["location"] = location
        outside = await env.client.get("/jira/acme/rest/api/3/issue/10001", headers=_bearer(secret))
        assert outside.status_code == 502
        assert outside.json()["jiragw"]["code"] == "upstream_error"
        assert "evil" not in outside.text
    assert len(seen) == 4  # never followed


async def test_upstream_failures_map_to_jira_shaped_errors(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    _mock_upstream(env, refuse)
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 503
    assert response.json()["jiragw"]["code"] == "upstream_unavailable"
    assert response.json()["errorMessages"]
    rows = await _audit_rows(env)
    assert (rows[-1].outcome, rows[-1].error_code) == ("error", "upstream_unavailable")


async def test_upstream_429_passes_through_and_is_counted(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    _mock_upstream(env, lambda request: _streamed(429, {"retry-after": "7"}, b'{"errorMessages": []}'))
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert env.gw.metrics.upstream_429.labels("acme")._value.get() == 1


async def test_every_call_is_audited_and_counted(env: Env) -> None:
    conn = await env.connect_cloud()
    secret, record = env.key()
    ok = await env.client.get(
        "/jira/acme/rest/api/3/issue/PRJ-1?fields=summary&secretish=1", headers=_bearer(secret)
    )
    missing = await env.client.get("/jira/acme/rest/api/3/issue/PRJ-99999", headers=_bearer(secret))
    denied = await env.client.get("/jira/acme/rest/api/3/issue/PRJ-1", headers=_bearer("jgw_" + "x" * 43))
    assert (ok.status_code, missing.status_code, denied.status_code) == (200, 404, 401)

    rows = await _audit_rows(env)
    assert [(r.outcome, r.status_code, r.error_code) for r in rows] == [
        ("ok", 200, None),
        ("error", 404, None),
        ("denied", 401, "key_invalid"),
    ]
    first = rows[0]
    assert first.actor == f"key:{record.id}"
    assert first.key_id == record.id
    assert first.connection_id == conn.id
    assert first.method == "GET"
    assert first.target == "/rest/api/3/issue/{issueIdOrKey}"
    assert first.bytes_out == len(ok.content)
    assert first.latency_ms is not None
    assert rows[2].actor == "anonymous"
    assert all("?" not in (r.target or "") and "PRJ" not in (r.target or "") for r in rows)

    requests = env.gw.metrics.requests
    assert requests.labels("proxy", "GET", "200")._value.get() == 1
    assert requests.labels("proxy", "GET", "401")._value.get() == 1
    assert env.gw.metrics.denials.labels("key_invalid")._value.get() == 1


async def test_3lo_self_links_point_at_the_proxy(env: Env) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))
    assert conn.api_base_url != conn.site_url
    secret, _ = env.key()
    response = await env.client.get(f"/jira/{conn.name}/rest/api/3/issue/PRJ-1", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.json()["self"] == f"{GATEWAY}/jira/{conn.name}/rest/api/3/issue/{response.json()['id']}"
    assert f"{conn.api_base_url}/rest/" not in response.text
    assert f"{conn.site_url}/rest/" not in response.text


async def test_compressed_json_is_decoded_rewritten_and_reframed(env: Env) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    document = {
        "self": f"{conn.api_base_url}/rest/api/3/issue/10001",
        "browse": f"{conn.site_url}/browse/PRJ-1",
        "elsewhere": f"{conn.api_base_url}.evil.test/rest/api/3/issue/1",
    }
    packed = gzip.compress(json.dumps(document).encode())
    _mock_upstream(
        env,
        lambda request: _streamed(
            200,
            {"content-type": "application/json;charset=UTF-8", "content-encoding": "gzip"},
            packed,
        ),
    )
    response = await env.client.get(
        "/jira/acme/rest/api/3/issue/PRJ-1", headers={**_bearer(secret), "Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.json() == {
        "self": f"{GATEWAY}/jira/acme/rest/api/3/issue/10001",
        "browse": document["browse"],
        "elsewhere": document["elsewhere"],
    }
    rows = await _audit_rows(env)
    assert rows[-1].bytes_out == len(response.content)


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [("text/plain", None), ("application/octet-stream", None), ("application/json", "br")],
)
async def test_other_answers_stream_untouched(env: Env, content_type: str, encoding: str | None) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    body = f"see {conn.api_base_url}/rest/api/3/issue/1".encode()
    headers = {"content-type": content_type, **({"content-encoding": encoding} if encoding else {})}
    _mock_upstream(env, lambda request: _streamed(200, headers, body))
    request = env.client.build_request("GET", "/jira/acme/rest/api/3/issue/PRJ-1", headers=_bearer(secret))
    response = await env.client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    assert raw == body
    assert response.headers.get("content-encoding") == encoding


async def test_a_broken_compressed_answer_is_a_jira_shaped_502(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    _mock_upstream(
        env,
        lambda request: _streamed(
            200, {"content-type": "application/json", "content-encoding": "gzip"}, b"not gzip at all"
        ),
    )
    response = await env.client.get("/jira/acme/rest/api/3/issue/PRJ-1", headers=_bearer(secret))
    assert response.status_code == 502
    assert response.json()["jiragw"]["code"] == "upstream_error"


async def test_agile_calls_on_a_3lo_connection_go_through_api_atlassian_com(env: Env) -> None:
    agile = ["read:board-scope:jira-software", "read:sprint:jira-software"]
    scopes = ["read:jira-work", "read:jira-user", "offline_access", *agile]
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo), scopes=scopes)
    secret, _ = env.key(preset="read-only")
    boards = await env.client.get(f"/jira/{conn.name}/rest/agile/1.0/board", headers=_bearer(secret))
    assert boards.status_code == 200, boards.text
    board = boards.json()["values"][0]
    assert board["self"].startswith(f"{GATEWAY}/jira/{conn.name}/rest/agile/1.0/board/")
    sprints = await env.client.get(
        f"/jira/{conn.name}/rest/agile/1.0/board/1/sprint", headers=_bearer(secret)
    )
    assert sprints.status_code == 200, sprints.text
    assert {s["state"] for s in sprints.json()["values"]} == {"closed", "active", "future"}
    new_sprint = {"name": "x", "originBoardId": 1}
    refused = await env.client.post(
        f"/jira/{conn.name}/rest/agile/1.0/sprint", headers=_bearer(secret), json=new_sprint
    )
    assert refused.status_code == 403
    assert refused.json()["jiragw"]["code"] == "read_only"


async def test_a_scope_the_3lo_grant_lacks_is_jiras_401_without_a_refresh_each_time(
    env: Env, clock: FakeClock
) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))  # no Jira Software scope granted
    clock.advance(minutes=5)  # past the broker's young-token rule: the scope denial alone must decide
    secret, _ = env.key(preset="read-only")
    refreshes = token_calls(env.sandbox, "refresh_token")
    sprints = f"/jira/{conn.name}/rest/agile/1.0/board/1/sprint"
    for _ in range(3):
        denied = await env.client.get(sprints, headers=_bearer(secret))
        assert denied.status_code == 401
        assert "scope does not match" in denied.json()["message"]
    assert token_calls(env.sandbox, "refresh_token") == refreshes  # renewing cannot add a scope
    # A plain 401 (the token expired at Jira) still earns its renewal.
    env.sandbox.clock.advance_by(timedelta(hours=2))
    mine = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert mine.status_code == 200
    assert token_calls(env.sandbox, "refresh_token") == refreshes + 1


async def test_a_compressed_scope_denial_is_read_decoded_and_passed_back(env: Env, clock: FakeClock) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))
    clock.advance(minutes=5)
    secret, _ = env.key()
    denial = gzip.compress(b'{"code":401,"message":"Unauthorized; scope does not match"}')
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    headers["content-length"] = str(len(denial))
    seen = _mock_upstream(env, lambda request: _streamed(401, headers, denial))
    refreshes = token_calls(env.sandbox, "refresh_token")
    response = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "Unauthorized; scope does not match"}
    assert "content-encoding" not in response.headers
    assert len(seen) == 1
    assert token_calls(env.sandbox, "refresh_token") == refreshes


async def test_an_unreadable_401_body_is_a_502_not_a_broken_answer(env: Env, clock: FakeClock) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo))
    clock.advance(minutes=5)
    secret, _ = env.key()
    garbage = b"this is not gzip at all"
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    headers["content-length"] = str(len(garbage))
    seen = _mock_upstream(env, lambda request: _streamed(401, headers, garbage))
    response = await env.client.get(f"/jira/{conn.name}/rest/api/3/myself", headers=_bearer(secret))
    assert response.status_code == 502
    assert response.json()["jiragw"]["code"] == "upstream_error"
    assert len(seen) == 1
