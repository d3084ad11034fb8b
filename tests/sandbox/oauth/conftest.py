"""Helpers driving the emulated OAuth servers over real HTTP (httpx.ASGITransport)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.oauth import oauth_state
from jiragw.sandbox.oauth.apps import CLI_CALLBACK_URL

CALLBACK = CLI_CALLBACK_URL


@dataclass
class DemoApp:
    client_id: str
    client_secret: str


def demo_app(sandbox: Sandbox, kind: str) -> DemoApp:
    state = oauth_state(sandbox)
    for client_id, secret in state.apps.demo_secrets.items():
        if state.apps.apps[client_id].kind == kind:
            return DemoApp(client_id, secret)
    raise AssertionError(f"no demo app of kind {kind}")


@pytest.fixture
def app3lo(sandbox: Sandbox) -> DemoApp:
    return demo_app(sandbox, "3lo")


@pytest.fixture
def app2lo(sandbox: Sandbox) -> DemoApp:
    return demo_app(sandbox, "2lo")


def form_nonce(html: str) -> str:
    match = re.search(r'name="nonce" value="([^"]+)"', html)
    assert match, "the consent page has no nonce field"
    return match.group(1)


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def consent(
    client: httpx.AsyncClient,
    app: DemoApp,
    scopes: str,
    *,
    user: str,
    sites: list[str],
    decision: str = "allow",
    state: str = "st4te",
) -> httpx.Response:
    """GET /authorize, then POST the consent form; returns the redirect."""
    r = await client.get(
        "/authorize",
        params={
            "audience": "api.atlassian.com",
            "client_id": app.client_id,
            "scope": scopes,
            "redirect_uri": CALLBACK,
            "state": state,
            "response_type": "code",
            "prompt": "consent",
        },
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = {"nonce": form_nonce(r.text), "user": user, "decision": decision, "site": sites}
    return await client.post("/authorize", data=data)


async def three_legged(
    client: httpx.AsyncClient, sandbox: Sandbox, app: DemoApp, scopes: str, user: str = "alice"
) -> dict[str, Any]:
    """The whole dance for demo user ``user`` on site acme; returns the token response."""
    account = sandbox.sites["acme"].find_user(user)
    assert account is not None
    r = await consent(client, app, scopes, user=account.account_id, sites=[sandbox.sites["acme"].cloud_id])
    assert r.status_code == 302, r.text
    code = query(r.headers["location"])["code"]
    r = await client.post(
        "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def refresh_body(app: DemoApp, token: str) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "refresh_token": token,
    }
