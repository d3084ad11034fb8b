"""The hostile-input table (``hostile_inputs.json``): the right 4xx, a Jira-shaped error, zero upstream calls.

Each case is sent as a raw request target straight into the gateway app (an
HTTP client would normalise ``..`` away first). The sandbox's own request
counters prove nothing reached Jira; the audit trail records each refusal.
The table's ``dropped_headers`` are requests that do go through, carrying
headers the upstream must never see (method overrides, URL rewrites, client
addresses); a recorder in front of the sandbox proves they were dropped.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from jiragw.broker import Broker
from jiragw.config import Settings
from jiragw.gateway import Gateway, create_app
from jiragw.keys import revoke_key
from jiragw.sandbox import build_sandbox
from jiragw.sandbox import create_app as create_sandbox_app
from jiragw.sandbox.server import describe
from jiragw.store import AuditRecord, Store
from jiragw.vault import Keyring
from tests.gateway.conftest import GATEWAY, SANDBOX, Env
from tests.gateway.servers import Recorder, asgi_call
from tests.store.conftest import FakeClock

CLOCK = FakeClock()

TABLE: dict[str, Any] = json.loads((Path(__file__).parent / "hostile_inputs.json").read_text())
CASES: list[dict[str, Any]] = TABLE["cases"]
DROPPED: list[dict[str, Any]] = TABLE["dropped_headers"]
MIB = 1024 * 1024


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    """One gateway for the whole table (SQLite; the refusals happen before storage matters,
    and the scope and proxy tests run on both backends): 55 fresh gateways would cost half a minute."""
    sandbox = build_sandbox(projects=1, issues=3, seed=7)
    directory = tmp_path_factory.mktemp("hostile")
    store = Store.open(
        f"sqlite:///{directory / 'gw.sqlite3'}", Keyring.create_file(directory / "k.json"), clock=CLOCK
    )
    settings = Settings(database_url="sqlite://", public_url=GATEWAY, atlassian_auth_url=SANDBOX)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(sandbox))) as upstream:
        broker = Broker(store, upstream, actor="gateway")
        gw = Gateway(settings=settings, store=store, broker=broker, http=upstream, public_url=GATEWAY)
        app = create_app(gw)
        gw.audit.start()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY) as client:
            built = Env(sandbox, describe(sandbox, SANDBOX), store, broker, gw, app, client)
            await built.connect_cloud()
            await built.connect_dc()
            try:
                yield built
            finally:
                await gw.audit.stop()
                store.dispose()


def _basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


async def _authorization(env: Env, kind: str) -> tuple[bytes | None, str]:
    """The Authorization header a case sends, and a valid key for ``{key}`` in its query."""
    full, _ = env.key(name="full")
    if kind == "none":
        return None, full
    if kind == "malformed":
        return b"Bearer jgw_short", full
    if kind == "unknown":
        return b"Bearer jgw_" + b"A" * 43, full
    if kind == "basic-password":
        return _basic("alice", env.user()["password"]), full
    if kind == "atlassian-token":
        return b"Bearer " + env.user()["api_token"].encode(), full
    if kind == "revoked":
        secret, record = env.key(name="revoked")
        revoke_key(env.store, record.id, actor="test")
        return b"Bearer " + secret.encode(), full
    if kind == "expired":
        secret, _ = env.key(name="expiring", expires_at=CLOCK.now + timedelta(minutes=1))
        CLOCK.advance(minutes=2)
        return b"Bearer " + secret.encode(), full
    if kind == "acme-only":
        secret, _ = env.key(name="acme only", connections=["acme"])
    elif kind in ("read-only", "read-write-work", "admin"):
        secret, _ = env.key(name=kind, preset=kind)
    elif kind == "write-only":
        secret, _ = env.key(name=kind, scopes=["write:jira-work"])
    else:
        assert kind == "full", kind
        secret = full
    return b"Bearer " + secret.encode(), secret


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_hostile_input(env: Env, case: dict[str, Any]) -> None:
    authorization, valid_key = await _authorization(env, case.get("key", "full"))
    headers: list[tuple[bytes, bytes]] = [(b"accept", b"application/json")]
    if authorization is not None:
        headers.append((b"authorization", authorization))
    if "content_length" in case:
        headers.append((b"content-length", str(case["content_length"]).encode()))
    body = [b"x" * MIB] * case.get("body_mib", 0) or None
    query = case.get("query", "").replace("{key}", valid_key).replace("{rest}", valid_key[4:])
    before = env.upstream_calls()
    audited = _proxy_rows(env)

    response = await asgi_call(
        env.app,
        case.get("method", "GET"),
        case["path"].encode("latin-1"),
        query=query.encode(),
        headers=headers,
        body=body,
    )

    assert env.upstream_calls() == before, "a hostile request reached Jira"
    assert (response.status, json.loads(response.body)["jiragw"]["code"]) == (case["status"], case["code"])
    error = json.loads(response.body)
    assert error["errorMessages"]
    assert error["errors"] == {}
    assert valid_key not in response.body.decode()
    await env.gw.audit.flush()
    rows = _proxy_rows(env)[len(audited) :]
    assert [(r.outcome, r.status_code, r.error_code) for r in rows] == [
        ("denied", case["status"], case["code"])
    ]
    assert all("?" not in (r.target or "") and "evil" not in (r.target or "") for r in rows)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", DROPPED, ids=[c["name"] for c in DROPPED])
async def test_dropped_headers_never_reach_jira(env: Env, case: dict[str, Any]) -> None:
    authorization, _ = await _authorization(env, case.get("key", "full"))
    assert authorization is not None
    headers = [(b"accept", b"application/json"), (b"authorization", authorization)]
    headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in case["headers"].items()]
    recorder = Recorder(create_sandbox_app(env.sandbox))
    original = env.gw.http
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=recorder)) as recording:
        env.gw.http = recording
        try:
            response = await asgi_call(
                env.app, case.get("method", "GET"), case["path"].encode("latin-1"), headers=headers
            )
        finally:
            env.gw.http = original
    assert response.status == case["status"], response.body
    assert len(recorder.seen) == 1
    assert "accept" in recorder.seen[0]  # the request itself went through, with its ordinary headers
    leaked = {name.lower() for name in case["headers"]} & set(recorder.seen[0])
    assert not leaked, f"forwarded to Jira: {sorted(leaked)}"


def _proxy_rows(env: Env) -> list[AuditRecord]:
    with env.store.transaction() as tx:
        return [e for e in reversed(tx.audit.tail(10_000)) if e.action == "proxy"]


@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_and_forbidden_connections_answer_alike(env: Env) -> None:
    secret, _ = env.key(connections=["acme"])
    auth = {"Authorization": f"Bearer {secret}"}
    forbidden = await env.client.get("/jira/corp/rest/api/2/myself", headers=auth)
    unknown = await env.client.get("/jira/nope/rest/api/2/myself", headers=auth)
    assert forbidden.status_code == unknown.status_code == 403
    assert forbidden.content == unknown.content
    assert dict(forbidden.headers) == dict(unknown.headers)
