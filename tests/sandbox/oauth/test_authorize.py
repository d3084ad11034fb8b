"""``/authorize``: the consent page, the redirect back, and the errors that must not redirect."""

from __future__ import annotations

import httpx
import pytest

from jiragw.sandbox import Sandbox

from .conftest import CALLBACK, DemoApp, consent, form_nonce, query


def _params(app: DemoApp, **over: str) -> dict[str, str]:
    base = {
        "audience": "api.atlassian.com",
        "client_id": app.client_id,
        "scope": "read:jira-work offline_access",
        "redirect_uri": CALLBACK,
        "state": "s1",
        "response_type": "code",
        "prompt": "consent",
    }
    return {**base, **over}


async def test_consent_page_shows_app_scopes_sites_users_and_no_secret(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    # A state long enough not to turn up by chance in the page's random nonces.
    state = "state-canary-Zq81xT"
    r = await client.get("/authorize", params=_params(app3lo, state=state))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "jiragw demo (3LO)" in page
    assert "read:jira-work" in page
    assert "offline_access" in page
    assert sandbox.sites["acme"].cloud_id in page
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    assert alice.account_id in page
    assert "<script" not in page
    assert "<link" not in page
    for secret in (app3lo.client_secret, alice.api_token, alice.password, state):
        assert secret not in page


async def test_allow_redirects_with_code_and_state(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[sandbox.sites["acme"].cloud_id]
    )
    assert r.status_code == 302
    assert r.headers["location"].startswith(CALLBACK + "?")
    q = query(r.headers["location"])
    assert q["state"] == "st4te"
    assert q["code"]


async def test_deny_redirects_access_denied(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await consent(
        client, app3lo, "read:jira-work", user=alice.account_id, sites=[], decision="deny", state="xyz"
    )
    assert r.status_code == 302
    q = query(r.headers["location"])
    assert q["error"] == "access_denied"
    assert q["state"] == "xyz"
    assert "code" not in q


@pytest.mark.parametrize(
    "over",
    [
        pytest.param(
            {"redirect_uri": "http://127.0.0.1:8765/v1/outbound/oauth/callback/"}, id="trailing-slash"
        ),
        pytest.param({"redirect_uri": "http://evil.example/v1/outbound/oauth/callback"}, id="other-host"),
        pytest.param({"redirect_uri": ""}, id="missing"),
        pytest.param({"client_id": "nope"}, id="unknown-client"),
    ],
)
async def test_bad_client_or_redirect_never_redirects(
    client: httpx.AsyncClient, app3lo: DemoApp, over: dict[str, str]
) -> None:
    r = await client.get("/authorize", params=_params(app3lo, **over))
    assert r.status_code == 400
    assert "location" not in r.headers
    assert "nonce" not in r.text


@pytest.mark.parametrize(
    ("over", "error"),
    [
        pytest.param({"response_type": "token"}, "unsupported_response_type", id="implicit"),
        pytest.param({"audience": "example.com"}, "invalid_request", id="audience"),
        pytest.param({"scope": "read:jira-work admin:everything"}, "invalid_scope", id="unregistered-scope"),
        pytest.param({"scope": ""}, "invalid_scope", id="no-scope"),
    ],
)
async def test_other_errors_redirect_with_state(
    client: httpx.AsyncClient, app3lo: DemoApp, over: dict[str, str], error: str
) -> None:
    r = await client.get("/authorize", params=_params(app3lo, **over))
    assert r.status_code == 302
    q = query(r.headers["location"])
    assert q["error"] == error
    assert q["state"] == "s1"


async def test_consent_nonce_is_single_use(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    r = await client.get("/authorize", params=_params(app3lo))
    nonce = form_nonce(r.text)
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    data = {
        "nonce": nonce,
        "user": alice.account_id,
        "decision": "allow",
        "site": sandbox.sites["acme"].cloud_id,
    }
    assert (await client.post("/authorize", data=data)).status_code == 302
    again = await client.post("/authorize", data=data)
    assert again.status_code == 400
    assert "location" not in again.headers
    forged = await client.post("/authorize", data={**data, "nonce": "forged"})
    assert forged.status_code == 400


async def test_consent_expires_with_the_clock(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    r = await client.get("/authorize", params=_params(app3lo))
    nonce = form_nonce(r.text)
    sandbox.clock.advance(601)
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    data = {
        "nonce": nonce,
        "user": alice.account_id,
        "decision": "allow",
        "site": sandbox.sites["acme"].cloud_id,
    }
    assert (await client.post("/authorize", data=data)).status_code == 400
