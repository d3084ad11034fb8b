"""``/ex/jira/{cloudId}``: bearer tokens, scopes per operation, and 2LO refused on the platform API."""

from __future__ import annotations

import httpx
import pytest

from jiragw.sandbox import Sandbox

from .conftest import DemoApp, three_legged

SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}


def _issue_key(sandbox: Sandbox) -> str:
    return next(iter(sandbox.sites["acme"].issues.values())).key


def _create_body(sandbox: Sandbox) -> dict[str, object]:
    project = next(iter(sandbox.sites["acme"].projects.values()))
    return {
        "fields": {"project": {"key": project.key}, "summary": "via OAuth", "issuetype": {"name": "Task"}}
    }


async def test_read_only_token_reads_but_cannot_create(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work")
    cloud = sandbox.sites["acme"].cloud_id
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/issue/{_issue_key(sandbox)}", headers=bearer)
    assert r.status_code == 200
    assert r.json()["self"].startswith(f"http://sandbox.test/ex/jira/{cloud}/rest/api/3/")
    r = await client.post(f"/ex/jira/{cloud}/rest/api/3/issue", headers=bearer, json=_create_body(sandbox))
    assert r.status_code == 401
    assert r.json() == SCOPE_MISMATCH
    r = await client.get(f"/ex/jira/{cloud}/rest/api/2/myself", headers=bearer)  # needs read:jira-user
    assert r.status_code == 401
    assert r.json() == SCOPE_MISMATCH


async def test_write_token_creates(client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-work write:jira-work")
    cloud = sandbox.sites["acme"].cloud_id
    r = await client.post(
        f"/ex/jira/{cloud}/rest/api/3/issue",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        json=_create_body(sandbox),
    )
    assert r.status_code == 201, r.text
    issue = sandbox.sites["acme"].find_issue(r.json()["key"])
    alice = sandbox.sites["acme"].find_user("alice")
    assert issue is not None
    assert alice is not None


async def test_granular_scopes_in_full_allow(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    from jiragw.sandbox.oauth.scope_match import requirement

    req = requirement("GET", "/rest/api/3/issue/X-1")
    assert req is not None
    tokens = await three_legged(client, sandbox, app3lo, " ".join(sorted(req.granular)))
    cloud = sandbox.sites["acme"].cloud_id
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/issue/{_issue_key(sandbox)}", headers=bearer)
    assert r.status_code == 200
    partial = await three_legged(client, sandbox, app3lo, "read:issue:jira")
    bearer = {"Authorization": f"Bearer {partial['access_token']}"}
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/issue/{_issue_key(sandbox)}", headers=bearer)
    assert r.status_code == 401
    assert r.json() == SCOPE_MISMATCH


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer sbx_at_not-a-token", id="unknown-token"),
        pytest.param("Basic YWxpY2VAZXhhbXBsZS5jb206eA==", id="basic-on-gateway"),
        pytest.param("", id="anonymous"),
    ],
)
async def test_gateway_refuses(client: httpx.AsyncClient, sandbox: Sandbox, header: str) -> None:
    cloud = sandbox.sites["acme"].cloud_id
    headers = {"Authorization": header} if header else {}
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/myself", headers=headers)
    assert r.status_code == 401


async def test_token_only_covers_consented_sites(app3lo: DemoApp) -> None:
    from jiragw.sandbox import build_sandbox, create_app

    sandbox = build_sandbox(sites=("acme", "beta"), dcs=(), projects=1, issues=3, seed=3)
    transport = httpx.ASGITransport(app=create_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        from .conftest import demo_app

        app = demo_app(sandbox, "3lo")
        tokens = await three_legged(client, sandbox, app, "read:jira-user")
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        ok = await client.get(f"/ex/jira/{sandbox.sites['acme'].cloud_id}/rest/api/3/myself", headers=bearer)
        other = await client.get(
            f"/ex/jira/{sandbox.sites['beta'].cloud_id}/rest/api/3/myself", headers=bearer
        )
        assert ok.status_code == 200
        assert other.status_code == 401
        resources = (await client.get("/oauth/token/accessible-resources", headers=bearer)).json()
        assert [r["name"] for r in resources] == ["acme"]


async def test_client_credentials_refused_on_platform_api(
    client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp
) -> None:
    r = await client.post(
        "/oauth/token",
        json={
            "audience": "api.atlassian.com",
            "grant_type": "client_credentials",
            "client_id": app2lo.client_id,
            "client_secret": app2lo.client_secret,
        },
    )
    assert r.status_code == 200
    token = r.json()["access_token"]
    assert "refresh_token" not in r.json()
    cloud = sandbox.sites["acme"].cloud_id
    r = await client.get(f"/ex/jira/{cloud}/rest/api/3/myself", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    r = await client.get("/oauth/token/accessible-resources", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json() == []


async def test_site_url_still_refuses_bearer(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    tokens = await three_legged(client, sandbox, app3lo, "read:jira-user")
    r = await client.get(
        "/sites/acme/rest/api/3/myself", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert r.status_code == 401
