"""DC OAuth 1.0a, with oauthlib's *client* as the independent peer: three legs and signed calls."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import SIGNATURE_RSA, Client

from jiragw.sandbox import Sandbox

BASE = "http://sandbox.test"
CALLBACK = "http://127.0.0.1:8765/v1/outbound/oauth/callback"


@pytest.fixture(scope="module")
def private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def _register(client: httpx.AsyncClient, sandbox: Sandbox, private_pem: str) -> None:
    r = await client.post(
        "/_sandbox/oauth/consumers",
        json={
            "dc": "corp",
            "consumer_key": "jiragw-test",
            "name": "jiragw test",
            "public_key": _public(private_pem),
        },
        headers={"Authorization": f"Bearer {sandbox.admin_token}"},
    )
    assert r.status_code == 200, r.text


async def _signed(client: httpx.AsyncClient, oauth: Client, method: str, url: str) -> httpx.Response:
    _, headers, _ = oauth.sign(url, http_method=method)
    return await client.request(method, url, headers=headers)


async def _dance(client: httpx.AsyncClient, sandbox: Sandbox, private_pem: str) -> tuple[str, Client]:
    await _register(client, sandbox, private_pem)
    oauth_dc = f"{BASE}/dc/corp/plugins/servlet/oauth"
    leg1 = Client("jiragw-test", signature_method=SIGNATURE_RSA, rsa_key=private_pem, callback_uri=CALLBACK)
    r = await _signed(client, leg1, "POST", f"{oauth_dc}/request-token")
    assert r.status_code == 200, r.text
    tokens = parse_qs(r.text)
    assert tokens["oauth_callback_confirmed"] == ["true"]
    request_token = tokens["oauth_token"][0]

    page = await client.get(f"{oauth_dc}/authorize", params={"oauth_token": request_token})
    assert page.status_code == 200
    assert "jiragw test" in page.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce
    bob = sandbox.dcs["corp"].find_user("bob")
    assert bob is not None
    r = await client.post(
        f"{oauth_dc}/authorize", data={"nonce": nonce.group(1), "user": bob.account_id, "decision": "allow"}
    )
    assert r.status_code == 302
    back = parse_qs(urlsplit(r.headers["location"]).query)
    assert back["oauth_token"] == [request_token]
    verifier = back["oauth_verifier"][0]

    leg3 = Client(
        "jiragw-test",
        signature_method=SIGNATURE_RSA,
        rsa_key=private_pem,
        resource_owner_key=request_token,
        verifier=verifier,
    )
    r = await _signed(client, leg3, "POST", f"{oauth_dc}/access-token")
    assert r.status_code == 200, r.text
    access = parse_qs(r.text)["oauth_token"][0]
    # The request token is spent.
    assert (await _signed(client, leg3, "POST", f"{oauth_dc}/access-token")).status_code == 401
    return access, Client(
        "jiragw-test", signature_method=SIGNATURE_RSA, rsa_key=private_pem, resource_owner_key=access
    )


async def test_three_legs_and_a_signed_api_call(
    client: httpx.AsyncClient, sandbox: Sandbox, private_pem: str
) -> None:
    access, signer = await _dance(client, sandbox, private_pem)
    r = await _signed(client, signer, "GET", f"{BASE}/dc/corp/rest/api/2/myself")
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "bob"
    # Years later (sandbox clock) the access token still works: Jira's last five years.
    sandbox.clock.advance(4 * 365 * 86400)
    later = Client(
        "jiragw-test",
        signature_method=SIGNATURE_RSA,
        rsa_key=private_pem,
        resource_owner_key=access,
        timestamp=str(int(sandbox.clock.time())),
    )
    assert (await _signed(client, later, "GET", f"{BASE}/dc/corp/rest/api/2/myself")).status_code == 200
    # A client whose clock is years behind the server's is refused, as Jira does.
    stale = await _signed(client, signer, "GET", f"{BASE}/dc/corp/rest/api/2/myself")
    assert stale.status_code == 401
    assert 'oauth_problem="timestamp_refused"' in stale.headers["www-authenticate"]
    assert access not in repr(sandbox.counters)


async def test_bad_signatures_and_replays_are_refused(
    client: httpx.AsyncClient, sandbox: Sandbox, private_pem: str
) -> None:
    _, signer = await _dance(client, sandbox, private_pem)
    url = f"{BASE}/dc/corp/rest/api/2/myself"
    _, headers, _ = signer.sign(url, http_method="GET")
    assert (await client.get(url, headers=headers)).status_code == 200
    replay = await client.get(url, headers=headers)
    assert replay.status_code == 401
    assert 'oauth_problem="nonce_used"' in replay.headers["www-authenticate"]
    # Signed for another URL.
    _, headers, _ = signer.sign(f"{BASE}/dc/corp/rest/api/2/serverInfo", http_method="GET")
    r = await client.get(url, headers=headers)
    assert r.status_code == 401
    assert "signature_invalid" in r.headers["www-authenticate"]
    # Another key pair.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forger = Client(
        "jiragw-test", signature_method=SIGNATURE_RSA, rsa_key=other.decode(), resource_owner_key="x" * 30
    )
    assert (await _signed(client, forger, "GET", url)).status_code == 401


async def test_unknown_consumer_and_denied_authorization(
    client: httpx.AsyncClient, sandbox: Sandbox, private_pem: str
) -> None:
    await _register(client, sandbox, private_pem)
    oauth_dc = f"{BASE}/dc/corp/plugins/servlet/oauth"
    stranger = Client("nobody", signature_method=SIGNATURE_RSA, rsa_key=private_pem, callback_uri=CALLBACK)
    r = await _signed(client, stranger, "POST", f"{oauth_dc}/request-token")
    assert r.status_code == 401
    assert parse_qs(r.text)["oauth_problem"] == ["consumer_key_unknown"]

    leg1 = Client("jiragw-test", signature_method=SIGNATURE_RSA, rsa_key=private_pem, callback_uri=CALLBACK)
    request_token = parse_qs((await _signed(client, leg1, "POST", f"{oauth_dc}/request-token")).text)[
        "oauth_token"
    ][0]
    page = await client.get(f"{oauth_dc}/authorize", params={"oauth_token": request_token})
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce
    r = await client.post(f"{oauth_dc}/authorize", data={"nonce": nonce.group(1), "decision": "deny"})
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["location"]).query)["oauth_verifier"] == ["denied"]
    leg3 = Client(
        "jiragw-test",
        signature_method=SIGNATURE_RSA,
        rsa_key=private_pem,
        resource_owner_key=request_token,
        verifier="denied",
    )
    assert (await _signed(client, leg3, "POST", f"{oauth_dc}/access-token")).status_code == 401


async def test_consumer_registration_validates_the_key(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    r = await client.post(
        "/_sandbox/oauth/consumers",
        json={"dc": "corp", "consumer_key": "k", "public_key": "not a key"},
        headers={"Authorization": f"Bearer {sandbox.admin_token}"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_input"
