"""``POST /oauth/token`` and ``accessible-resources``: the 3LO dance and Atlassian's refresh rules."""

from __future__ import annotations

import httpx
import pytest

from jiragw.sandbox import Sandbox

from .conftest import CALLBACK, DemoApp, consent, query, refresh_body, three_legged

INVALID_REFRESH = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def _token_calls(sandbox: Sandbox, operation: str) -> int:
    return sum(n for k, n in sandbox.counters.items() if k.instance == "auth" and k.operation == operation)


async def test_full_three_legged_dance(client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work read:jira-user offline_access")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert set(tokens["scope"].split()) == {"read:jira-work", "read:jira-user", "offline_access"}
    assert tokens["refresh_token"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    r = await client.get("/oauth/token/accessible-resources", headers=bearer)
    assert r.status_code == 200
    [site] = r.json()
    acme = sandbox.sites["acme"]
    assert site["id"] == acme.cloud_id
    assert site["url"] == "http://sandbox.test/sites/acme"
    assert site["name"] == "acme"
    assert set(site["scopes"]) == {"read:jira-work", "read:jira-user"}
    assert site["avatarUrl"].startswith("http")

    r = await client.get(f"/ex/jira/{acme.cloud_id}/rest/api/3/myself", headers=bearer)
    assert r.status_code == 200
    alice = acme.find_user("alice")
    assert alice is not None
    assert r.json()["accountId"] == alice.account_id
    assert _token_calls(sandbox, "token:authorization_code") == 1


async def test_form_body_and_basic_client_auth(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    code = query(r.headers["location"])["code"]
    r = await client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=(app3lo.client_id, app3lo.client_secret),
    )
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "refresh_token" not in r.json()  # no offline_access, no refresh token


async def test_code_reuse_is_rejected_and_revokes(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    body = {
        "grant_type": "authorization_code",
        "client_id": app3lo.client_id,
        "client_secret": app3lo.client_secret,
        "code": query(r.headers["location"])["code"],
        "redirect_uri": CALLBACK,
    }
    first = await client.post("/oauth/token", json=body)
    assert first.status_code == 200
    again = await client.post("/oauth/token", json=body)
    assert again.status_code == 403
    assert again.json()["error"] == "invalid_grant"
    cloud = sandbox.sites["acme"].cloud_id
    r = await client.get(
        f"/ex/jira/{cloud}/rest/api/3/myself",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert r.status_code == 401


async def test_code_bound_to_redirect_uri_and_client(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp, app2lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    code = query(r.headers["location"])["code"]
    wrong = {
        "grant_type": "authorization_code",
        "client_id": app3lo.client_id,
        "client_secret": app3lo.client_secret,
        "code": code,
        "redirect_uri": "http://localhost:8765/v1/outbound/oauth/callback",
    }
    assert (await client.post("/oauth/token", json=wrong)).status_code == 403
    other = {
        **wrong,
        "client_id": app2lo.client_id,
        "client_secret": app2lo.client_secret,
        "redirect_uri": CALLBACK,
    }
    assert (await client.post("/oauth/token", json=other)).status_code == 403


async def test_code_expires_after_ten_minutes(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    sandbox.clock.advance(601)
    r = await client.post(
        "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "client_id": app3lo.client_id,
            "client_secret": app3lo.client_secret,
            "code": query(r.headers["location"])["code"],
            "redirect_uri": CALLBACK,
        },
    )
    assert r.status_code == 403
    assert r.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        pytest.param({"grant_type": "password"}, 400, "unsupported_grant_type", id="password-grant"),
        pytest.param({}, 400, "unsupported_grant_type", id="no-grant"),
        pytest.param(
            {"grant_type": "refresh_token", "client_id": "x", "client_secret": "y", "refresh_token": "z"},
            401,
            "invalid_client",
            id="unknown-client",
        ),
    ],
)
async def test_token_errors(client: httpx.AsyncClient, body: dict[str, str], status: int, error: str) -> None:
    r = await client.post("/oauth/token", json=body)
    assert r.status_code == status
    assert r.json()["error"] == error


async def test_wrong_secret_is_invalid_client(client: httpx.AsyncClient, app3lo: DemoApp) -> None:
    body = refresh_body(app3lo, "whatever")
    body["client_secret"] += "x"
    r = await client.post("/oauth/token", json=body)
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert app3lo.client_secret not in r.text


async def test_refresh_rotation_leeway_and_family_revocation(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work offline_access")
    old = tokens["refresh_token"]
    r = await client.post("/oauth/token", json=refresh_body(app3lo, old))
    assert r.status_code == 200
    new = r.json()
    assert new["refresh_token"] != old
    assert new["access_token"] != tokens["access_token"]
    assert _token_calls(sandbox, "token:refresh_token") == 1

    sandbox.clock.advance(300)  # inside the 10-minute leeway: the old token still answers
    r = await client.post("/oauth/token", json=refresh_body(app3lo, old))
    assert r.status_code == 200
    newest = r.json()

    sandbox.clock.advance(601)  # past it: reuse revokes the family
    r = await client.post("/oauth/token", json=refresh_body(app3lo, old))
    assert r.status_code == 403
    assert r.json() == INVALID_REFRESH
    for token in (new["refresh_token"], newest["refresh_token"]):
        r = await client.post("/oauth/token", json=refresh_body(app3lo, token))
        assert r.status_code == 403
        assert r.json() == INVALID_REFRESH
    cloud = sandbox.sites["acme"].cloud_id
    r = await client.get(
        f"/ex/jira/{cloud}/rest/api/3/myself", headers={"Authorization": f"Bearer {newest['access_token']}"}
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("steps", "alive"),
    [
        pytest.param([89 * 86400], True, id="89-days-idle"),
        pytest.param([91 * 86400], False, id="91-days-idle"),
        pytest.param([80 * 86400] * 4 + [46 * 86400], False, id="366-days-active"),
    ],
)
async def test_family_lifetimes_on_the_sandbox_clock(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp, steps: list[float], alive: bool
) -> None:
    token = (await three_legged(client, sandbox, app3lo, "read:jira-work offline_access"))["refresh_token"]
    for i, step in enumerate(steps):
        sandbox.clock.advance(step)
        r = await client.post("/oauth/token", json=refresh_body(app3lo, token))
        if i < len(steps) - 1:
            assert r.status_code == 200
            token = r.json()["refresh_token"]
    assert (r.status_code == 200) is alive
    if not alive:
        assert r.json() == INVALID_REFRESH


async def test_access_token_expiry_and_runtime_ttl(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    admin = {"Authorization": f"Bearer {sandbox.admin_token}"}
    r = await client.patch("/_sandbox/oauth/settings", json={"access_token_ttl": 5}, headers=admin)
    assert r.status_code == 200
    assert r.json() == {"access_token_ttl": 5}
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work read:jira-user")
    assert tokens["expires_in"] == 5
    cloud = sandbox.sites["acme"].cloud_id
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get(f"/ex/jira/{cloud}/rest/api/3/myself", headers=bearer)).status_code == 200
    await client.post("/_sandbox/clock", json={"advance_seconds": 5}, headers=admin)
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/myself", headers=bearer)
    assert r.status_code == 401
    assert r.json() == {"code": 401, "message": "Unauthorized"}
    assert (await client.get("/oauth/token/accessible-resources", headers=bearer)).status_code == 401
    bad = await client.patch("/_sandbox/oauth/settings", json={"access_token_ttl": 0}, headers=admin)
    assert bad.status_code == 400


async def test_counters_label_clients_not_secrets(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work offline_access")
    await client.post("/oauth/token", json=refresh_body(app3lo, tokens["refresh_token"]))
    labels = {k.credential for k in sandbox.counters}
    assert f"client:{app3lo.client_id}" in labels
    dump = repr(sandbox.counters)
    for secret in (app3lo.client_secret, tokens["refresh_token"], tokens["access_token"]):
        assert secret not in dump
