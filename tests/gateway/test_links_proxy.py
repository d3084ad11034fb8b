"""Through the proxy: avatars and error texts point at the gateway, never at the upstream."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.gateway.conftest import GATEWAY, SANDBOX, Env


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _mock_upstream(env: Env, status: int, document: object) -> None:
    body = json.dumps(document).encode()
    headers = {"content-type": "application/json;charset=UTF-8"}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    env.gw.http = httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def test_data_center_avatars_point_at_the_proxy(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key()
    direct_base = f"{SANDBOX}/dc/corp"
    response = await env.client.get("/jira/corp/rest/api/2/myself", headers=_bearer(secret))
    assert response.status_code == 200
    avatars = response.json()["avatarUrls"]
    assert set(avatars) == {"16x16", "24x24", "32x32", "48x48"}
    assert all(url.startswith(f"{GATEWAY}/jira/corp/secure/useravatar?") for url in avatars.values())
    assert direct_base not in response.text
    issue = await env.client.get("/jira/corp/rest/api/2/issue/PRJ-1", headers=_bearer(secret))
    project = issue.json()["fields"]["project"]
    assert project["avatarUrls"]["48x48"].startswith(f"{GATEWAY}/jira/corp/secure/projectavatar?")
    assert f"{direct_base}/secure/" not in issue.text


async def test_jiras_error_text_names_the_proxy_path(env: Env) -> None:
    """Jira's "No resource found for <its own path>" comes back with the gateway's path."""
    await env.connect_dc()
    secret, _ = env.key()  # full access: an operation outside the table still reaches Jira
    response = await env.client.get("/jira/corp/rest/api/2/nothing/here", headers=_bearer(secret))
    assert response.status_code == 404
    assert response.json()["errorMessages"] == ["No resource found for /jira/corp/rest/api/2/nothing/here"]
    assert "/dc/corp" not in response.text


@pytest.mark.parametrize("status", [400, 403, 500])
async def test_error_bodies_lose_the_upstream_host_and_path(env: Env, status: int) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    base = conn.api_base_url
    _mock_upstream(
        env,
        status,
        {
            "errorMessages": [f"Field 'x' at {base}/rest/api/3/field/x cannot be set.", f"See {base}."],
            "errors": {"summary": f"Invalid value; see {base}/browse/PRJ-1"},
            "elsewhere": "https://other.example.com/rest/api/3/x",
        },
    )
    response = await env.client.get("/jira/acme/rest/api/3/issue/PRJ-1", headers=_bearer(secret))
    assert response.status_code == status
    assert response.json() == {
        "errorMessages": [
            f"Field 'x' at {GATEWAY}/jira/acme/rest/api/3/field/x cannot be set.",
            f"See {GATEWAY}/jira/acme.",
        ],
        "errors": {"summary": f"Invalid value; see {GATEWAY}/jira/acme/browse/PRJ-1"},
        "elsewhere": "https://other.example.com/rest/api/3/x",
    }
    assert int(response.headers["content-length"]) == len(response.content)


async def test_a_success_body_keeps_other_hosts_and_prose(env: Env) -> None:
    conn = await env.connect_cloud()
    secret, _ = env.key()
    base = conn.api_base_url
    document = {
        "avatarUrls": {"48x48": f"{base}/secure/useravatar?avatarId=1"},
        "foreign": {"48x48": "https://avatars.example.net/secure/useravatar?avatarId=1"},
        "description": f"moved from {base}/browse/OLD-1",
    }
    _mock_upstream(env, 200, document)
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=_bearer(secret))
    assert response.json() == {
        **document,
        "avatarUrls": {"48x48": f"{GATEWAY}/jira/acme/secure/useravatar?avatarId=1"},
    }
