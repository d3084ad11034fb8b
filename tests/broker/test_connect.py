"""Every method connects and calls ``myself`` against the sandbox; the callback tampering table.

Cloud: API token, 3LO (consent page driven like a browser) and client
credentials (2LO cannot call ``myself``: Atlassian's client-credentials tokens
only reach the DevOps APIs, so the end-to-end call is a builds bulk submit).
Data Center: Basic, PAT, OAuth 1.0a (consumer registered with the generated
public key through the admin endpoint) and OAuth 2.0 with PKCE.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from jiragw.auth import oauth1
from jiragw.broker import (
    Broker,
    connect_api_token,
    connect_basic,
    connect_client_credentials,
    connect_pat,
    finish_authorization,
    finish_oauth1,
    list_connections,
    remove_connection,
    revoke_connection,
    show_connection,
    start_dc_oauth,
    start_oauth,
    start_oauth1,
)
from jiragw.errors import CredentialRevoked, JiragwError, NotFound
from jiragw.sandbox import Sandbox
from jiragw.secrets import Secret
from jiragw.store import GrantMethod
from tests.broker.browser import consent
from tests.broker.conftest import ME, REDIRECT, SCOPES_3LO, Demo, SandboxClock, connect_3lo, token_calls

pytestmark = pytest.mark.usefixtures("backend")
HOSTILE = json.loads((Path(__file__).with_name("hostile_callbacks.json")).read_text())
CONSUMER_KEY = "jiragw-e2e"


async def test_api_token(broker: Broker, demo: Demo) -> None:
    alice = demo.user()
    done = await connect_api_token(
        broker, name="acme", site_url=demo.site, email=alice["email"], token=Secret(alice["api_token"])
    )
    assert done.identity is not None
    assert done.identity.account_id == alice["account_id"]
    assert (await broker.test("acme")).display_name == alice["display_name"]


async def test_basic_is_discouraged_but_works(broker: Broker, demo: Demo) -> None:
    alice = demo.user()
    done = await connect_basic(
        broker, name="corp", dc_url=demo.dc, username=alice["name"], password=Secret(alice["password"])
    )
    assert done.notice is not None
    assert "discouraged" in done.notice
    assert (await broker.test("corp")).name == alice["name"]


async def test_pat_and_its_expiry(broker: Broker, demo: Demo, clock: SandboxClock) -> None:
    alice = demo.user()
    await connect_pat(
        broker,
        name="corp",
        dc_url=demo.dc,
        pat=Secret(alice["pat"]),
        expires_at=clock.now + timedelta(days=1),
    )
    assert (await broker.test("corp")).name == alice["name"]
    clock.advance(days=2)
    with pytest.raises(JiragwError) as info:
        await broker.test("corp")
    assert info.value.code == "reauth_required"
    assert (await show_connection(broker, "corp")).last_error.startswith("reauth_required")  # type: ignore[union-attr]


async def test_wrong_api_token_stores_nothing(broker: Broker, demo: Demo) -> None:
    with pytest.raises(JiragwError) as info:
        await connect_api_token(
            broker, name="acme", site_url=demo.site, email=demo.user()["email"], token=Secret("nope")
        )
    assert info.value.code == "unauthenticated"
    assert await list_connections(broker) == []


async def test_client_credentials_then_a_devops_call(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock
) -> None:
    client_id, client_secret = demo.app("2lo")
    done = await connect_client_credentials(
        broker,
        name="devops",
        site_url=demo.site,
        api_url=demo.base,
        client_id=client_id,
        client_secret=Secret(client_secret),
    )
    assert done.connections[0].cloud_id == demo.cloud_id  # from tenant_info
    await broker.test("devops")
    build = {
        "schemaVersion": "1.0",
        "pipelineId": "ci-main",
        "buildNumber": 1,
        "updateSequenceNumber": 1,
        "displayName": "build 1",
        "url": "https://ci.example.com/1",
        "state": "successful",
        "lastUpdated": "2026-01-15T12:00:00Z",
        "issueKeys": ["ABC-1"],
    }
    path = f"/jira/builds/0.1/cloud/{demo.cloud_id}/bulk"
    sent = await broker.request(
        "devops",
        "POST",
        path,
        content=orjson.dumps({"builds": [build]}),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["acceptedBuilds"] == [{"pipelineId": "ci-main", "buildNumber": 1}]
    assert token_calls(sandbox, "client_credentials") == 1  # cached until expires_in
    clock.advance(seconds=3600)
    await broker.credentials_for("devops")
    assert token_calls(sandbox, "client_credentials") == 2


async def test_oauth_3lo(broker: Broker, demo: Demo, sandbox: Sandbox) -> None:
    client_id, client_secret = demo.app("3lo")
    pending = await start_oauth(
        broker,
        name="acme",
        auth_url=demo.base,
        api_url=demo.base,
        client_id=client_id,
        scopes=SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(pending.url).query).items()}
    assert query["audience"] == "api.atlassian.com"
    assert query["prompt"] == "consent"
    assert "offline_access" in query["scope"].split()
    assert client_secret not in pending.url
    callback = await consent(broker.client, pending.url, account_id=demo.user()["account_id"])
    done = await finish_authorization(
        broker, query=callback, initiator=ME, client_secret=Secret(client_secret), redirect_uri=REDIRECT
    )
    assert [c.cloud_id for c in done.connections] == [demo.cloud_id]  # from accessible-resources
    assert set(SCOPES_3LO) <= set(done.scopes)
    assert done.connections[0].api_base_url == f"{demo.base}/ex/jira/{demo.cloud_id}"
    assert (await broker.test(done.connections[0].name)).account_id == demo.user()["account_id"]
    assert token_calls(sandbox, "authorization_code") == 1


async def test_oauth_3lo_refreshes_on_the_sandbox(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock
) -> None:
    conn = await connect_3lo(broker, demo)
    before = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
    clock.advance(hours=2)
    assert (await broker.test(conn.name)).account_id == demo.user()["account_id"]
    after = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
    assert token_calls(sandbox, "refresh_token") == 1
    assert after.refresh_token != before.refresh_token  # rotated and stored


async def test_dc_oauth_with_pkce(broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock) -> None:
    client_id, client_secret = demo.app("dc")
    pending = await start_dc_oauth(
        broker,
        name="corp",
        dc_url=demo.dc,
        client_id=client_id,
        scopes=["READ"],
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(pending.url).query).items()}
    assert query["code_challenge_method"] == "S256"
    callback = await consent(broker.client, pending.url)
    await finish_authorization(
        broker, query=callback, initiator=ME, client_secret=Secret(client_secret), redirect_uri=REDIRECT
    )
    first = (await broker.test("corp")).name
    clock.advance(hours=2)
    assert (await broker.test("corp")).name == first  # refreshed on the DC token endpoint
    assert token_calls(sandbox, "refresh_token") == 1


async def register_consumer(client: httpx.AsyncClient, demo: Demo, public_key: str) -> None:
    """Paste the public key into the DC application link (the sandbox's admin endpoint)."""
    r = await client.post(
        f"{demo.base}/_sandbox/oauth/consumers",
        json={"dc": "corp", "consumer_key": CONSUMER_KEY, "name": "jiragw e2e", "public_key": public_key},
        headers={"Authorization": f"Bearer {demo.raw['admin_token']}"},
    )
    assert r.status_code == 200, r.text


async def test_oauth1_three_legs(broker: Broker, demo: Demo) -> None:
    keys = oauth1.generate_key_pair()
    await register_consumer(broker.client, demo, keys.public_key_pem)
    pending = await start_oauth1(
        broker,
        name="corp",
        dc_url=demo.dc,
        consumer_key=CONSUMER_KEY,
        private_key=keys.private_key_pem,
        initiator=ME,
        callback_uri=REDIRECT,
    )
    callback = await consent(broker.client, pending.url, account_id=demo.user()["account_id"])
    await finish_oauth1(broker, query=callback, initiator=ME, private_key=keys.private_key_pem)
    assert (await broker.test("corp")).name == "alice"
    with pytest.raises(JiragwError) as info:  # the request token is single use
        await finish_oauth1(broker, query=callback, initiator=ME, private_key=keys.private_key_pem)
    assert info.value.code == "state_replayed"


@pytest.mark.parametrize("case", HOSTILE, ids=[c["id"] for c in HOSTILE])
async def test_callback_tampering(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock, case: dict[str, Any]
) -> None:
    client_id, client_secret = demo.app("3lo")
    pending = await start_oauth(
        broker,
        name="acme",
        auth_url=demo.base,
        api_url=demo.base,
        client_id=client_id,
        scopes=SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    raw = await consent(broker.client, pending.url, decision=case.get("decision", "allow"))
    parts = {k: v[0] for k, v in parse_qs(raw).items()}
    query = case["query"].format(code=parts.get("code", ""), state=parts["state"], sandbox=raw)

    async def finish() -> None:
        await finish_authorization(
            broker,
            query=query,
            initiator=Secret(case.get("initiator", ME.reveal())),
            client_secret=Secret(client_secret),
            redirect_uri=case.get("redirect", REDIRECT),
        )

    expected_calls = 0
    if case.get("replay"):
        await finish()
        expected_calls = 1
    clock.advance(minutes=case.get("advance_minutes", 0))
    with pytest.raises(JiragwError) as info:
        await finish()
    assert (info.value.code, info.value.status) == (case["code"], case["status"])
    assert 400 <= info.value.status < 500
    assert token_calls(sandbox, "authorization_code") == expected_calls


async def test_revoke_and_remove(broker: Broker, demo: Demo) -> None:
    alice = demo.user()
    await connect_api_token(
        broker, name="acme", site_url=demo.site, email=alice["email"], token=Secret(alice["api_token"])
    )
    await revoke_connection(broker, "acme")
    view = await show_connection(broker, "acme")
    assert view.status == "revoked"
    assert view.status_changed_at is not None
    with pytest.raises(CredentialRevoked):
        await broker.credentials_for("acme")
    await remove_connection(broker, "acme")
    with pytest.raises(NotFound):
        await show_connection(broker, "acme")
    grants = await broker.db(lambda tx: tx.grants.list())
    assert [g for g in grants if g.method is GrantMethod.API_TOKEN] == []
