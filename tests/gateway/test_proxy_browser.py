"""A real browser opens a hostile HTML answer relayed by the proxy: no script of it runs.

The proxy shares its origin with the admin UI, so a page Jira (or whoever
controls an attachment) answers with must not run as a page of that origin.
The gateway is served by uvicorn on a loopback port with an upstream that
answers every proxied call with a page whose scripts would retitle it; Debian's
chromium (driven by Playwright, as in ``test_browser.py``) opens it with a
gateway key. The same page served on the same origin without the proxy's
headers does run, so the probe can fail. The test waits on page events, never
on time.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.config import Settings
from jiragw.gateway import Gateway
from jiragw.keys import create_key
from jiragw.sandbox import build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.gateway.test_browser import CHROMIUM, _need_chromium, _serve_gateway

pytestmark = pytest.mark.live

HOSTILE = (
    b"<!doctype html><html><head><title>inert</title></head><body>"
    b"<script>document.title = 'ran'</script>"
    b"<img src='data:,' onerror=\"document.title = 'ran'\">"
    b"</body></html>"
)


@dataclass
class Live:
    gateway_url: str
    key: str


def _hostile_upstream(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers={
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": "script-src * 'unsafe-inline'",
        },
        stream=httpx.ByteStream(HOSTILE),
    )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    _need_chromium()
    sandbox = build_sandbox(projects=1, issues=2, seed=3)
    with BackgroundServer(sandbox).running() as sandbox_url:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        gateway_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'gw.sqlite3'}", public_url=gateway_url)
        store = Store.open(settings.database_url, Keyring.create_file(tmp_path / "keyring.json"))
        demo = describe(sandbox, sandbox_url)
        alice = next(u for u in demo["users"] if u["name"] == "alice")

        async def connect() -> None:
            async with httpx.AsyncClient(timeout=10) as client:
                await connect_api_token(
                    Broker(store, client, actor="test"),
                    name="acme",
                    site_url=demo["sites"]["acme"]["url"],
                    email=alice["email"],
                    token=Secret(alice["api_token"]),
                )

        asyncio.run(connect())
        minted, _ = create_key(store, name="browser", connections=["*"], created_by="test", preset="full")
        broker_http = httpx.AsyncClient(timeout=10)
        gw = Gateway(
            settings=settings,
            store=store,
            broker=Broker(store, broker_http, actor="gateway"),
            http=httpx.AsyncClient(transport=httpx.MockTransport(_hostile_upstream)),
            public_url=gateway_url,
        )
        server, thread = _serve_gateway(gw, sock)
        try:
            yield Live(gateway_url, minted.secret.reveal())
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            store.dispose()


def test_a_relayed_html_page_runs_no_script_in_the_gateways_origin(live: Live) -> None:
    from playwright.sync_api import Route, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.set_extra_http_headers({"Authorization": f"Bearer {live.key}"})

            # The probe works: the same page on the same origin, without the proxy's headers, runs.
            def plain(route: Route) -> None:
                route.fulfill(status=200, content_type="text/html", body=HOSTILE)

            page.route(live.gateway_url + "/probe", plain)
            page.goto(live.gateway_url + "/probe")
            page.wait_for_function("document.title === 'ran'")

            # Through the proxy: the browser refuses the scripts, and says so.
            with page.expect_console_message(
                lambda m: "sandboxed" in m.text or "Content Security Policy" in m.text
            ):
                response = page.goto(live.gateway_url + "/jira/acme/rest/api/3/attachment/content/10000")
            assert response is not None
            assert response.status == 200
            assert response.headers["content-security-policy"] == (
                "default-src 'none'; frame-ancestors 'none'; sandbox"
            )
            assert response.headers["x-content-type-options"] == "nosniff"
            page.wait_for_load_state("load")
            assert page.title() == "inert"
            # A sandboxed document has an opaque origin: it could not read the gateway's cookies or API.
            assert page.evaluate("window.origin") == "null"
        finally:
            browser.close()
