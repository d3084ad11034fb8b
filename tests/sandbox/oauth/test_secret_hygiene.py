"""Canary secrets from every OAuth flow never reach logs (DEBUG), pages after creation, or counters."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import SIGNATURE_RSA, Client

from jiragw.sandbox import Sandbox

from .conftest import DemoApp, query, refresh_body, three_legged


async def _oauth1_secrets(client: httpx.AsyncClient, sandbox: Sandbox) -> list[str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    admin = {"Authorization": f"Bearer {sandbox.admin_token}"}
    await client.post(
        "/_sandbox/oauth/consumers",
        json={"dc": "corp", "consumer_key": "canary", "public_key": public},
        headers=admin,
    )
    base = "http://sandbox.test/dc/corp/plugins/servlet/oauth"
    now = str(int(sandbox.clock.time()))  # signed on the server's (advanced) clock
    _, headers, _ = Client(
        "canary", signature_method=SIGNATURE_RSA, rsa_key=pem, callback_uri="oob", timestamp=now
    ).sign(f"{base}/request-token", http_method="POST")
    request_token = parse_qs((await client.post(f"{base}/request-token", headers=headers)).text)[
        "oauth_token"
    ][0]
    page = await client.get(f"{base}/authorize", params={"oauth_token": request_token})
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce
    bob = sandbox.dcs["corp"].find_user("bob")
    assert bob is not None
    oob = await client.post(
        f"{base}/authorize", data={"nonce": nonce.group(1), "user": bob.account_id, "decision": "allow"}
    )
    verifier = re.search(r"<b>([^<]+)</b>", oob.text)
    assert verifier
    # A bad signature makes oauthlib log the signature base string at DEBUG: it must not get out.
    _, headers, _ = Client(
        "canary",
        signature_method=SIGNATURE_RSA,
        rsa_key=pem,
        resource_owner_key=request_token,
        verifier=verifier.group(1),
        timestamp=now,
    ).sign(f"{base}/access-token?tampered=1", http_method="POST")
    assert (await client.post(f"{base}/access-token", headers=headers)).status_code == 401
    _, headers, _ = Client(
        "canary",
        signature_method=SIGNATURE_RSA,
        rsa_key=pem,
        resource_owner_key=request_token,
        verifier=verifier.group(1),
        timestamp=now,
    ).sign(f"{base}/access-token", http_method="POST")
    access = parse_qs((await client.post(f"{base}/access-token", headers=headers)).text)["oauth_token"][0]
    return [request_token, verifier.group(1), access, pem.splitlines()[1]]


async def test_no_secret_in_debug_logs_pages_or_counters(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canaries = [app3lo.client_secret]
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None

    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work offline_access")
    canaries += [tokens["access_token"], tokens["refresh_token"]]
    refreshed = (await client.post("/oauth/token", json=refresh_body(app3lo, tokens["refresh_token"]))).json()
    canaries += [refreshed["access_token"], refreshed["refresh_token"]]
    sandbox.clock.advance(700)
    failed = await client.post("/oauth/token", json=refresh_body(app3lo, tokens["refresh_token"]))
    assert failed.status_code == 403
    canaries += await _oauth1_secrets(client, sandbox)

    # A page rendered after all that: no secret (and no code) on it.
    r = await client.get(
        "/authorize",
        params={
            "audience": "api.atlassian.com",
            "client_id": app3lo.client_id,
            "scope": "read:jira-work",
            "redirect_uri": "http://127.0.0.1:8765/v1/outbound/oauth/callback",
            "state": "z",
            "response_type": "code",
        },
    )
    listed = await client.get(
        "/_sandbox/oauth/apps", headers={"Authorization": f"Bearer {sandbox.admin_token}"}
    )
    counters = await client.get(
        "/_sandbox/counters", headers={"Authorization": f"Bearer {sandbox.admin_token}"}
    )
    # The test itself is the client: its httpx and oauthlib-signing records are not the server's.
    client_side = {"httpx", "oauthlib.oauth1.rfc5849"}
    server_logs = "\n".join(
        f"{rec.name} {rec.getMessage()}" for rec in caplog.records if rec.name not in client_side
    )
    assert "oauthlib.oauth1.rfc5849.endpoints" in server_logs  # the server did log, at INFO
    exposed = {
        "logs": server_logs,
        "page": r.text,
        "apps": listed.text,
        "counters": counters.text,
        "error": failed.text,
        "state": repr(sandbox.oauth.__dict__),
    }
    for where, text in exposed.items():
        for canary in canaries:
            assert canary not in text, f"a secret leaked into {where}"


async def test_redirect_carries_code_and_state_only(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    from .conftest import consent

    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    assert set(query(r.headers["location"])) == {"code", "state"}
    assert app3lo.client_secret not in r.headers["location"]
    assert urlsplit(r.headers["location"]).netloc == "127.0.0.1:8765"
