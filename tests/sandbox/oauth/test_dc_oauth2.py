"""The DC OAuth 2.0 provider: authorization code + PKCE S256, refresh, bearer tokens beside PATs."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

import httpx

from jiragw.sandbox import Sandbox

from .conftest import CALLBACK, demo_app, query

BASE = "/dc/corp/rest/oauth2/latest"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def _code(
    client: httpx.AsyncClient, sandbox: Sandbox, challenge: str, scope: str = "READ WRITE"
) -> str:
    app = demo_app(sandbox, "dc")
    r = await client.get(
        f"{BASE}/authorize",
        params={
            "client_id": app.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": scope,
            "state": "dc-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert r.status_code == 200, r.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', r.text)
    assert nonce
    carol = sandbox.dcs["corp"].find_user("carol")
    assert carol is not None
    r = await client.post(
        f"{BASE}/authorize", data={"nonce": nonce.group(1), "user": carol.account_id, "decision": "allow"}
    )
    assert r.status_code == 302
    q = query(r.headers["location"])
    assert q["state"] == "dc-state"
    return q["code"]


async def test_pkce_flow_refresh_and_bearer(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    app = demo_app(sandbox, "dc")
    verifier, challenge = _pkce()
    code = await _code(client, sandbox, challenge)
    r = await client.post(
        f"{BASE}/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert set(tokens["scope"].split()) == {"READ", "WRITE"}
    r = await client.get(
        "/dc/corp/rest/api/2/myself", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert r.status_code == 200
    assert r.json()["name"] == "carol"
    # PATs keep working beside OAuth tokens.
    carol = sandbox.dcs["corp"].find_user("carol")
    assert carol is not None
    r = await client.get("/dc/corp/rest/api/2/myself", headers={"Authorization": f"Bearer {carol.pat}"})
    assert r.status_code == 200

    r = await client.post(
        f"{BASE}/token",
        data={
            "grant_type": "refresh_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert r.status_code == 200
    assert r.json()["refresh_token"] != tokens["refresh_token"]


async def test_wrong_verifier_is_rejected(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    app = demo_app(sandbox, "dc")
    _, challenge = _pkce()
    code = await _code(client, sandbox, challenge)
    wrong, _ = _pkce()
    body = {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": wrong,
    }
    r = await client.post(f"{BASE}/token", data=body)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert wrong not in r.text
    missing = {k: v for k, v in body.items() if k != "code_verifier"}
    assert (await client.post(f"{BASE}/token", data=missing)).status_code == 400


async def test_read_scope_cannot_write_and_expired_tokens_fail(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    app = demo_app(sandbox, "dc")
    verifier, challenge = _pkce()
    code = await _code(client, sandbox, challenge, scope="READ")
    r = await client.post(
        f"{BASE}/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    project = next(iter(sandbox.dcs["corp"].projects.values()))
    body = {"fields": {"project": {"key": project.key}, "summary": "x", "issuetype": {"name": "Task"}}}
    assert (await client.post("/dc/corp/rest/api/2/issue", json=body, headers=bearer)).status_code == 403
    sandbox.clock.advance(3601)
    r = await client.get("/dc/corp/rest/api/2/myself", headers=bearer)
    assert r.status_code == 401


async def test_authorize_errors(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    app = demo_app(sandbox, "dc")
    _, challenge = _pkce()
    params = {
        "client_id": app.client_id,
        "redirect_uri": "http://evil.example/cb",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    r = await client.get(f"{BASE}/authorize", params=params)
    assert r.status_code == 400
    assert "location" not in r.headers
    r = await client.get(
        f"{BASE}/authorize", params={**params, "redirect_uri": CALLBACK, "code_challenge_method": "plain"}
    )
    assert r.status_code == 302
    assert query(r.headers["location"])["error"] == "invalid_request"
    cloud_app = demo_app(sandbox, "3lo")
    r = await client.get(f"{BASE}/authorize", params={**params, "client_id": cloud_app.client_id})
    assert r.status_code == 400
