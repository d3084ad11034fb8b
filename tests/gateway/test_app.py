"""The gateway app's shortcut to the proxy (:mod:`jiragw.gateway.app`): same answers as its routes."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from tests.gateway.conftest import Env


async def test_proxy_calls_take_the_shortcut_and_are_answered_by_the_proxy(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    auth = {"Authorization": f"Bearer {secret}"}
    ok = await env.client.get("/jira/acme/rest/api/3/myself", headers=auth)
    assert ok.status_code == 200
    assert ok.json()["accountId"]
    denied = await env.client.get("/jira/nope/rest/api/3/myself", headers=auth)
    assert denied.status_code == 403
    assert denied.json()["errorMessages"]


@pytest.mark.parametrize("path", ["/jira/", "/jira//rest/api/3/myself"])
async def test_paths_the_proxy_routes_do_not_match_stay_with_the_router(env: Env, path: str) -> None:
    secret, _ = env.key()
    response = await env.client.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404


def test_the_proxy_routes_stay_registered(env: Env) -> None:
    app = env.client._transport.app  # type: ignore[attr-defined]
    paths = {route.path for route in app.routes if isinstance(route, Route)}
    assert {"/jira/{connection}/{path:path}", "/jira/{connection}"} <= paths
