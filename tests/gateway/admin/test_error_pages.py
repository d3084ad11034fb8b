"""404, 405 and 500: the admin UI's layout on browser paths, JSON with a stable code on the machine doors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jiragw.gateway.admin.error_pages import is_machine_path
from tests.gateway.admin.client import AdminClient
from tests.gateway.conftest import GATEWAY, Env

CANARY = "crash-canary-4242"


def _in_layout(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert '<link rel="stylesheet" href="/static/admin.css">' in page
    assert '<strong class="brand">jiragw</strong>' in page
    return page


@pytest.mark.parametrize("path", ["/nope", "/connections/acme/nope", "/static/nope.css", "/v1/outbound/nope"])
async def test_404_page_uses_the_layout(stranger: AdminClient, path: str) -> None:
    response = await stranger.client.get(path)
    assert response.status_code == 404
    page = _in_layout(response)
    assert "Page not found" in page
    assert "<nav>" not in page  # no session, no navigation


async def test_404_page_shows_the_navigation_when_signed_in(admin: AdminClient) -> None:
    response = await admin.get("/nope<b>")
    assert response.status_code == 404
    page = _in_layout(response)
    assert "<nav>" in page
    assert 'href="/connections"' in page
    assert "<b>" not in page


async def test_405_page_uses_the_layout_and_says_what_is_allowed(admin: AdminClient) -> None:
    response = await admin.client.delete("/connections")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert "Method not allowed" in _in_layout(response)


@pytest.fixture
async def crashing(ui_env: Env) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway app with one browser route and one API-like route that raise."""

    async def boom(request: Request) -> Response:
        raise RuntimeError(CANARY)

    ui_env.app.router.routes[:0] = [Route("/boom", boom), Route("/metrics/boom", boom)]
    transport = httpx.ASGITransport(app=ui_env.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as client:
        yield client


async def test_500_page_uses_the_layout_and_hides_the_error(crashing: httpx.AsyncClient) -> None:
    response = await crashing.get("/boom")
    assert response.status_code == 500
    page = _in_layout(response)
    assert "Something went wrong" in page
    assert CANARY not in page
    machine = await crashing.get("/metrics/boom")
    assert machine.status_code == 500
    assert machine.json() == {"error": {"code": "internal_error", "message": "Internal Server Error"}}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nope", 404, "not_found"),
        ("PUT", "/api/v1/keys", 405, "method_not_allowed"),
        ("GET", "/mcp/nope", 404, "not_found"),
        ("GET", "/jira/", 404, "not_found"),
        ("POST", "/healthz", 405, "method_not_allowed"),
    ],
)
async def test_machine_doors_keep_json_errors(
    stranger: AdminClient, method: str, path: str, status: int, code: str
) -> None:
    response = await stranger.client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code


async def test_the_proxy_keeps_jira_shaped_errors(stranger: AdminClient) -> None:
    response = await stranger.client.get("/jira/acme/rest/api/3/myself")
    assert response.status_code == 401
    assert "errorMessages" in response.json()


@pytest.mark.parametrize(
    ("path", "machine"),
    [
        ("/jira/acme/x", True),
        ("/jira", True),
        ("/api/v1/keys", True),
        ("/mcp", True),
        ("/metrics", True),
        ("/jiraffe", False),
        ("/apis", False),
        ("/connections", False),
        ("/v1/outbound/oauth/callback", False),
    ],
)
def test_which_paths_are_machine_doors(path: str, machine: bool) -> None:
    assert is_machine_path(path) is machine
