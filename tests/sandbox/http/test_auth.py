"""Authentication on the emulated instances, as Jira does it."""

from __future__ import annotations

import base64

import httpx
import pytest

from jiragw.sandbox import Sandbox


def _basic(login: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{secret}".encode()).decode()}


async def test_cloud_api_token(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await client.get("/sites/acme/rest/api/3/myself", headers=_basic(alice.email, alice.api_token))
    assert r.status_code == 200
    assert r.json()["accountId"] == alice.account_id
    assert "name" not in r.json()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="anonymous"),
        pytest.param({"Authorization": "Basic !!!notbase64"}, id="garbage"),
        pytest.param({"Authorization": "Basic " + base64.b64encode(b"nocolon").decode()}, id="no-colon"),
        pytest.param({"Authorization": "Bearer something"}, id="bearer-on-site"),
        pytest.param({"Authorization": "Digest abc"}, id="other-scheme"),
    ],
)
async def test_cloud_rejects(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    r = await client.get("/sites/acme/rest/api/3/myself", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("OAuth realm=")
    body = r.json()
    assert body["errorMessages"]
    assert body["errors"] == {}


async def test_cloud_refuses_password_and_wrong_token(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    for secret in (alice.password, alice.api_token + "x"):
        r = await client.get("/sites/acme/rest/api/3/myself", headers=_basic(alice.email, secret))
        assert r.status_code == 401
        assert r.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"
        assert secret not in r.text


async def test_dc_password_and_pat(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    bob = sandbox.dcs["corp"].find_user("bob")
    assert bob is not None
    r = await client.get("/dc/corp/rest/api/2/myself", headers=_basic("bob", bob.password))
    assert r.status_code == 200
    assert r.json()["name"] == "bob"
    assert "accountId" not in r.json()
    r = await client.get("/dc/corp/rest/api/2/myself", headers={"Authorization": f"Bearer {bob.pat}"})
    assert r.status_code == 200
    r = await client.get("/dc/corp/rest/api/2/myself", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Basic realm="protected-area"'


async def test_inactive_user_is_refused(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    carol = sandbox.dcs["corp"].find_user("carol")
    assert carol is not None
    carol.active = False
    r = await client.get("/dc/corp/rest/api/2/myself", headers={"Authorization": f"Bearer {carol.pat}"})
    assert r.status_code == 401


async def test_server_info_is_anonymous(client: httpx.AsyncClient) -> None:
    cloud = (await client.get("/sites/acme/rest/api/2/serverInfo")).json()
    dc = (await client.get("/dc/corp/rest/api/2/serverInfo")).json()
    assert cloud["deploymentType"] == "Cloud"
    assert dc["deploymentType"] == "Server"
    assert cloud["baseUrl"] == "http://sandbox.test/sites/acme"


async def test_api_versions_per_flavor(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sites/acme/rest/api/3/serverInfo")).status_code == 200
    assert (await client.get("/sites/acme/rest/api/latest/serverInfo")).status_code == 200
    assert (await client.get("/dc/corp/rest/api/3/serverInfo")).status_code == 404
    assert (await client.get("/sites/nosuch/rest/api/3/serverInfo")).status_code == 404


async def test_unknown_resource_is_a_json_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/sites/acme/rest/api/3/no/such/thing")
    assert r.status_code == 404
    assert r.json()["errorMessages"]
