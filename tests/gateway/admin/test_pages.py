"""Every admin page and form over httpx: session gate, CSRF, security headers, and what each page does.

Canary secrets (the demo users' API token, PAT and password, OAuth client
secrets, a new gateway key) must not appear in any page after the one
request that created them; the key appears exactly once.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from jiragw.errors import KeyRevoked
from jiragw.gateway.sandbox_demo import prepare_demo
from jiragw.store import GrantStatus
from tests.gateway.admin.client import AdminClient
from tests.gateway.conftest import Env

PAGES = [
    "/",
    "/connections",
    "/connect",
    *(
        f"/connect/{m}"
        for m in ("oauth", "api-token", "client-credentials", "dc-oauth", "pat", "oauth1", "basic")
    ),
    "/keys",
    "/audit",
    "/mcp-config",
]
POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/logout", {}),
    ("/connections/acme/test", {}),
    ("/connections/acme/remove", {}),
    (
        "/connect/api-token",
        {"name": "x", "site_url": "http://sandbox.test/sites/acme", "email": "a@b", "token": "t"},
    ),
    ("/connect/oauth1", {"name": "x", "dc_url": "http://sandbox.test/dc/corp", "consumer_key": "k"}),
    ("/keys", {"name": "k", "connections": "*", "preset": "full"}),
    ("/keys/some-id/revoke", {}),
    ("/v1/outbound/oauth/start", {"kind": "3lo", "name": "x", "scopes": "read:jira-work", "client_id": "c"}),
    ("/v1/outbound/oauth/sites", {"picker": "p", "keep": "x"}),
]


@pytest.mark.parametrize("path", PAGES)
async def test_pages_need_a_session(stranger: AdminClient, path: str) -> None:
    response = await stranger.client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize("path", PAGES)
async def test_pages_send_security_headers(admin: AdminClient, path: str) -> None:
    response = await admin.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'none'" in csp
    assert "<script" not in response.text
    assert re.search(r'<link rel="stylesheet" href="/static/admin.css">', response.text)


async def test_the_stylesheet_is_local(stranger: AdminClient) -> None:
    response = await stranger.client.get("/static/admin.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "http" not in response.text  # no third-party asset


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p for p, _ in POSTS])
async def test_posts_need_a_session_and_the_csrf_token(
    ui_env: Env, admin: AdminClient, stranger: AdminClient, path: str, data: dict[str, Any]
) -> None:
    await ui_env.connect_cloud("acme")
    before = ui_env.upstream_calls()
    anonymous = await stranger.client.post(path, data=data)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login"
    for token in ("", "forged", "A" * 43):
        refused = await admin.post(path, data, csrf=token)
        assert refused.status_code == 403
        assert "security token" in refused.text
    missing = await admin.client.post(path, data=data)
    assert missing.status_code == 403
    assert ui_env.upstream_calls() == before
    assert [c.name for c in await ui_env.broker.db(lambda tx: tx.connections.list())] == ["acme"]
    assert await ui_env.broker.db(lambda tx: tx.keys.list()) == []
    assert (await admin.client.get("/connections")).status_code == 200  # still signed in


async def test_connections_page_shows_status_and_escapes(ui_env: Env, admin: AdminClient) -> None:
    cloud = await ui_env.connect_cloud("acme")
    dc = await ui_env.connect_dc("corp")
    await ui_env.broker.db(
        lambda tx: tx.grants.set_status(dc.grant_id, GrantStatus.REAUTH_REQUIRED, reason="x")
    )
    await ui_env.broker.db(lambda tx: tx.connections.record_error(cloud.id, "<script>alert(1)</script>"))
    page = (await admin.get("/connections")).text
    assert '<span class="badge active">active</span>' in page
    assert '<span class="badge reauth_required">reauth_required</span>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "Re-authorize" not in page  # API token and PAT have no consent to re-run


async def test_test_and_remove_buttons(ui_env: Env, admin: AdminClient) -> None:
    conn = await ui_env.connect_cloud("acme")
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    tested = await admin.post("/connections/acme/test")
    assert tested.status_code == 303
    assert "acme: works (signed in as" in (await admin.follow(tested)).text
    failed = await admin.post("/connections/nope/test")
    assert "nope: test failed" in (await admin.follow(failed)).text

    removed = await admin.post("/connections/acme/remove")
    page = (await admin.follow(removed)).text
    assert "acme: removed" in page
    assert await ui_env.broker.db(lambda tx: tx.connections.list()) == []
    await ui_env.gw.audit.flush()
    with ui_env.store.transaction() as tx:
        events = [(e.action, e.actor, e.connection_id) for e in tx.audit.tail(50)]
    assert ("admin.connection.remove", "admin:admin", conn.id) in events
    assert ("admin.connection.test", "admin:admin", conn.id) in events


async def test_static_credential_forms_never_echo_secrets(ui_env: Env, admin: AdminClient) -> None:
    alice = ui_env.user("alice")
    site, dc = ui_env.demo["sites"]["acme"]["url"], ui_env.demo["dc"]["corp"]["url"]
    wrong = await admin.post(
        "/connect/api-token",
        {"name": "acme", "site_url": site, "email": alice["email"], "token": "CANARY-wrong-token-1234"},
        from_page="/connect/api-token",
    )
    assert 400 <= wrong.status_code < 500
    assert "CANARY-wrong-token-1234" not in wrong.text
    assert alice["email"] in wrong.text  # the non-secret fields are kept

    forms = [
        (
            "api-token",
            {"name": "acme", "site_url": site, "email": alice["email"], "token": alice["api_token"]},
        ),
        ("pat", {"name": "corp-pat", "dc_url": dc, "pat": alice["pat"], "expires": ""}),
        (
            "basic",
            {"name": "corp-basic", "dc_url": dc, "username": alice["name"], "password": alice["password"]},
        ),
        ("client-credentials", {"name": "acme-devops", "site_url": site, "client_id": _app(ui_env, "2lo")}),
    ]
    for method, data in forms:
        done = await admin.post(f"/connect/{method}", data, from_page=f"/connect/{method}")
        assert done.status_code == 303, done.text
        page = (await admin.follow(done)).text
        assert f"Connected: {data['name']}." in page
        if method == "basic":  # the broker's "Basic is discouraged" notice is shown once
            assert '<p class="flash warn"' in page
    names = sorted(c.name for c in await ui_env.broker.db(lambda tx: tx.connections.list()))
    assert names == ["acme", "acme-devops", "corp-basic", "corp-pat"]

    for path in PAGES:
        await admin.get(path)
    canaries = [alice["api_token"], alice["pat"], alice["password"]]
    canaries += [a["client_secret"] for a in ui_env.demo["oauth_apps"]]
    for html in admin.pages:
        for canary in canaries:
            assert canary not in html


def _app(env: Env, kind: str) -> str:
    return str(next(a for a in env.demo["oauth_apps"] if a["kind"] == kind)["client_id"])


async def test_keys_are_shown_once_and_revocable(ui_env: Env, admin: AdminClient) -> None:
    await ui_env.connect_cloud("acme")
    created = await admin.post(
        "/keys",
        {"name": "ci bot", "connections": ["acme"], "preset": "read-only", "expires_days": "30"},
        from_page="/keys",
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    key = re.search(r'id="new-key" value="(jgw_[A-Za-z0-9_-]{43})"', created.text)
    assert key
    secret = key.group(1)
    assert created.text.count(secret) == 2  # the field, and the MCP config right under it
    record = await ui_env.gw.authenticate(f"Bearer {secret}")
    assert record.read_only
    assert record.expires_at is not None

    for path in PAGES:
        assert secret not in (await admin.get(path)).text
    listing = (await admin.get("/keys")).text
    assert "ci bot" in listing
    assert record.prefix in listing
    assert "Read-only" in listing

    revoked = await admin.post(f"/keys/{record.id}/revoke", from_page="/keys")
    assert "revoked" in (await admin.follow(revoked)).text
    with pytest.raises(KeyRevoked):
        await ui_env.gw.authenticate(f"Bearer {secret}")


async def test_custom_key_ceiling(ui_env: Env, admin: AdminClient) -> None:
    empty = await admin.post(
        "/keys", {"name": "k", "connections": "*", "preset": "custom"}, from_page="/keys"
    )
    assert empty.status_code == 400
    assert "at least one scope" in empty.text
    made = await admin.post(
        "/keys",
        {"name": "k", "connections": "*", "preset": "custom", "scopes": ["read:jira-work"], "read_only": "1"},
        from_page="/keys",
    )
    assert made.status_code == 200
    (record,) = await ui_env.broker.db(lambda tx: tx.keys.list())
    assert record.scopes == frozenset({"read:jira-work"})
    assert record.read_only
    assert record.created_by == "admin:admin"
    bad = await admin.post(
        "/keys", {"name": "k2", "connections": ["ghost"], "preset": "full"}, from_page="/keys"
    )
    assert bad.status_code == 404


async def test_audit_page_filters(ui_env: Env, admin: AdminClient) -> None:
    await ui_env.connect_cloud("acme")
    await ui_env.connect_dc("corp")
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    await admin.post("/connections/corp/test")
    await admin.post("/connections/acme/remove")
    everything = (await admin.get("/audit")).text
    assert "admin.connection.remove" in everything
    assert "admin.connection.test" in everything
    only = (await admin.get("/audit", params={"action": "admin.connection.test"})).text
    assert "admin.connection.test" in only
    assert "admin.connection.remove" not in only
    by_conn = (await admin.get("/audit", params={"connection": "corp"})).text
    assert "admin.connection.test" in by_conn
    assert "admin.login" not in by_conn
    nothing = (await admin.get("/audit", params={"outcome": "no-such-outcome"})).text
    assert "No matching event." in nothing


async def test_mcp_page_has_a_placeholder_not_a_key(ui_env: Env, admin: AdminClient) -> None:
    await ui_env.connect_cloud("acme")
    ui_env.key()
    page = (await admin.get("/mcp-config")).text
    assert "&lt;your key&gt;" in page
    assert f"{ui_env.gw.public_url}/mcp" in page
    assert "jiragw mcp --connection acme" in page
    assert "jgw_" not in page


async def test_sandbox_defaults_prefill_but_never_a_secret(ui_env: Env, admin: AdminClient) -> None:
    page = (await admin.get("/connect/oauth")).text
    assert f'value="{_app(ui_env, "3lo")}"' in page
    assert "offline_access" in page
    assert 'type="password" name="client_secret"' in page
    for app in ui_env.demo["oauth_apps"]:
        assert app["client_secret"] not in page


async def test_connections_page_has_a_try_it_panel_without_a_secret(ui_env: Env, admin: AdminClient) -> None:
    empty = (await admin.get("/connections")).text
    assert "No connection yet" in empty
    assert "Try it" not in empty
    assert 'href="/connect/oauth"' in empty  # the OAuth flow is one click away

    demo = await prepare_demo(ui_env.broker, ui_env.store, ui_env.demo)
    assert demo.key is not None
    typed, _ = ui_env.key(name="typed")
    page = (await admin.get("/connections")).text
    assert "Try it" in page
    assert 'href="/connect/oauth"' in page
    gw = ui_env.gw.public_url
    assert (
        f"curl -H &#39;Authorization: Bearer &lt;your key&gt;&#39; {gw}/jira/acme/rest/api/3/myself" in page
    )
    assert f"jira = JIRA(server=&#34;{gw}/jira/acme&#34;, token_auth=&#34;&lt;your key&gt;&#34;)" in page
    assert f"&#34;url&#34;: &#34;{gw}/mcp&#34;" in page
    assert "Bearer &lt;your key&gt;&#34;" in page
    canaries = [demo.key.reveal(), typed]
    for user in ui_env.demo["users"]:
        canaries += [user["api_token"], user["pat"], user["password"]]
    for canary in canaries:
        assert canary not in page
    assert "jgw_" not in page
