"""The connect forms refuse plain HTTP to a remote host before any request, unless "Allow plain HTTP".

The gateway's upstream client reaches the sandbox in-process whatever the
host, so the sandbox's request counters prove no request went out; an allowed
``http://jira.example.com/sites/acme`` really connects, and the connections
page, the management API and the form show what was allowed.
"""

from __future__ import annotations

from typing import Any

import pytest

from jiragw.secure_urls import INSECURE_WARNING
from tests.gateway.admin.client import AdminClient
from tests.gateway.conftest import Env

pytestmark = pytest.mark.usefixtures("backend")
CANARY = "CANARY-admin-https-9b41c07d3e"
REMOTE = "http://jira.example.com"

REFUSED: dict[str, tuple[str, dict[str, Any]]] = {
    "api-token": (
        "/connect/api-token",
        {"name": "x", "site_url": f"{REMOTE}/sites/acme", "email": "a@example.com", "token": CANARY},
    ),
    "pat": ("/connect/pat", {"name": "x", "dc_url": f"{REMOTE}/dc/corp", "pat": CANARY, "expires": ""}),
    "basic": (
        "/connect/basic",
        {"name": "x", "dc_url": f"{REMOTE}/dc/corp", "username": "alice", "password": CANARY},
    ),
    "client-credentials": (
        "/connect/client-credentials",
        {"name": "x", "site_url": f"{REMOTE}/sites/acme", "client_id": "c", "client_secret": CANARY},
    ),
    # No secret on this form (the consumer key is public); the key pair is made only after the check.
    "oauth1": ("/connect/oauth1", {"name": "x", "dc_url": f"{REMOTE}/dc/corp", "consumer_key": "ck"}),
    "dc-oauth": (
        "/v1/outbound/oauth/start",
        {
            "kind": "dc",
            "name": "x",
            "dc_url": f"{REMOTE}/dc/corp",
            "client_id": "c",
            "client_secret": CANARY,
            "scopes": "READ",
        },
    ),
}


@pytest.mark.parametrize("form", list(REFUSED), ids=list(REFUSED))
async def test_plain_http_to_a_remote_host_is_refused_before_any_request(
    ui_env: Env, admin: AdminClient, form: str
) -> None:
    path, data = REFUSED[form]
    before = ui_env.upstream_calls()
    refused = await admin.post(path, data, from_page=f"/connect/{form}")
    assert refused.status_code == 400, refused.text
    assert "insecure_url" in refused.text
    assert "must use https" in refused.text
    assert CANARY not in refused.text
    assert ui_env.upstream_calls() == before
    assert await ui_env.broker.db(lambda tx: tx.connections.list()) == []


async def test_the_forms_offer_the_override(admin: AdminClient) -> None:
    for form in REFUSED:
        page = (await admin.get(f"/connect/{form}")).text
        assert 'type="checkbox" name="allow_insecure_http"' in page
        assert "Allow plain HTTP" in page


async def test_allowed_plain_http_connects_and_is_shown_with_a_warning(
    ui_env: Env, admin: AdminClient
) -> None:
    alice = ui_env.user()
    data = {
        "name": "plain",
        "site_url": f"{REMOTE}/sites/acme",
        "email": alice["email"],
        "token": alice["api_token"],
        "allow_insecure_http": "yes",
    }
    done = await admin.post("/connect/api-token", data, from_page="/connect/api-token")
    assert done.status_code == 303, done.text
    page = (await admin.follow(done)).text
    assert "Connected: plain." in page
    assert INSECURE_WARNING in page
    assert alice["api_token"] not in page
    (conn,) = await ui_env.broker.db(lambda tx: tx.connections.list())
    assert conn.allow_insecure_http is True

    secret, _ = ui_env.key(preset="admin", name="admin")
    headers = {"Authorization": f"Bearer {secret}"}
    shown = (await ui_env.client.get("/api/v1/connections/plain", headers=headers)).json()
    assert (shown["allow_insecure_http"], shown["insecure_warning"]) == (True, INSECURE_WARNING)
    (listed,) = (await ui_env.client.get("/api/v1/connections", headers=headers)).json()
    assert listed["insecure_warning"] == INSECURE_WARNING


async def test_a_secure_connection_shows_no_warning(ui_env: Env, admin: AdminClient) -> None:
    await ui_env.connect_cloud("acme")
    assert INSECURE_WARNING not in (await admin.get("/connections")).text
    secret, _ = ui_env.key(preset="admin", name="admin")
    shown = await ui_env.client.get("/api/v1/connections/acme", headers={"Authorization": f"Bearer {secret}"})
    assert (shown.json()["allow_insecure_http"], shown.json()["insecure_warning"]) == (False, None)
