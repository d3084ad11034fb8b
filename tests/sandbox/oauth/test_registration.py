"""OAuth clients through the admin endpoint, and the demo clients in ``describe()``."""

from __future__ import annotations

import httpx

from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.oauth.apps import CLI_CALLBACK_URL
from jiragw.sandbox.server import describe

from .conftest import consent, query


async def test_register_list_and_use_an_app(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    admin = {"Authorization": f"Bearer {sandbox.admin_token}"}
    callback = "http://127.0.0.1:8000/v1/outbound/oauth/callback"
    r = await client.post(
        "/_sandbox/oauth/apps",
        json={"name": "My gateway", "kind": "3lo", "callback_urls": [callback], "scopes": ["read:jira-work"]},
        headers=admin,
    )
    assert r.status_code == 200
    created = r.json()
    secret = created["client_secret"]
    assert created["callback_urls"] == [callback]

    listed = await client.get("/_sandbox/oauth/apps", headers=admin)
    assert created["client_id"] in listed.text
    assert secret not in listed.text  # shown once, at creation

    r = await client.get(
        "/authorize",
        params={
            "audience": "api.atlassian.com",
            "client_id": created["client_id"],
            "scope": "read:jira-work",
            "redirect_uri": callback,
            "state": "s",
            "response_type": "code",
        },
    )
    assert r.status_code == 200
    assert "My gateway" in r.text
    assert secret not in r.text

    anonymous = await client.get("/_sandbox/oauth/apps")
    assert anonymous.status_code == 401


async def test_registration_errors(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    admin = {"Authorization": f"Bearer {sandbox.admin_token}"}
    for body in (
        {"name": "x", "kind": "3lo", "callback_urls": []},
        {"name": "x", "kind": "4lo"},
        {"name": "", "kind": "2lo"},
        {"name": "x", "kind": "3lo", "callback_urls": ["javascript:alert(1)"]},
        {"name": "x", "kind": "dc", "callback_urls": ["http://cb"], "scopes": ["READ"], "dc": "nope"},
        {"name": "x", "kind": "dc", "callback_urls": ["http://cb"], "scopes": ["EVERYTHING"], "dc": "corp"},
    ):
        r = await client.post("/_sandbox/oauth/apps", json=body, headers=admin)
        assert r.status_code == 400, body
        assert r.json()["error"]["code"] == "invalid_input"


def test_describe_lists_deterministic_demo_apps() -> None:
    a = build_sandbox(projects=1, issues=2, seed=11)
    b = build_sandbox(projects=1, issues=2, seed=11)
    c = build_sandbox(projects=1, issues=2, seed=12)
    apps_a = describe(a, "http://x")["oauth_apps"]
    assert apps_a == describe(b, "http://x")["oauth_apps"]
    assert apps_a != describe(c, "http://x")["oauth_apps"]
    kinds = {app["kind"]: app for app in apps_a}
    assert CLI_CALLBACK_URL in kinds["3lo"]["callback_urls"]
    assert "offline_access" in kinds["3lo"]["scopes"]
    assert kinds["2lo"]["client_secret"]
    assert kinds["dc"]["dc"] == "corp"
    for app in apps_a:
        assert set(app) >= {"client_id", "client_secret", "callback_urls", "scopes"}


def test_a_credential_seed_changes_the_demo_secrets_not_the_client_ids() -> None:
    plain = describe(build_sandbox(projects=1, issues=2, seed=11), "http://x")["oauth_apps"]
    same = describe(build_sandbox(projects=1, issues=2, seed=11, credential_seed="11"), "http://x")
    other = describe(build_sandbox(projects=1, issues=2, seed=11, credential_seed="f00d" * 8), "http://x")
    assert same["oauth_apps"] == plain  # the default credential seed is the data seed
    assert [a["client_id"] for a in other["oauth_apps"]] == [a["client_id"] for a in plain]
    assert all(
        a["client_secret"] != b["client_secret"] for a, b in zip(other["oauth_apps"], plain, strict=True)
    )


async def test_demo_app_works_end_to_end_from_describe() -> None:
    sandbox = build_sandbox(projects=1, issues=2, seed=5)
    transport = httpx.ASGITransport(app=create_app(sandbox))
    info = describe(sandbox, "http://sandbox.test")
    app3 = next(a for a in info["oauth_apps"] if a["kind"] == "3lo")
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        from .conftest import DemoApp

        app = DemoApp(app3["client_id"], app3["client_secret"])
        user = sandbox.sites["acme"].find_user("dave")
        assert user is not None
        r = await consent(
            client, app, "read:jira-user", user=user.account_id, sites=[sandbox.sites["acme"].cloud_id]
        )
        assert "code" in query(r.headers["location"])
