"""A real browser through the admin UI: sign in by one-time link, connect the sandbox by OAuth, make a key.

Playwright for Python drives Debian's chromium (``/usr/bin/chromium``; CI
installs it, and it is never downloaded by Playwright). The sandbox and the
gateway both run under uvicorn on free loopback ports, so the browser follows
real redirects between two origins: gateway -> sandbox consent page ->
gateway callback. The test is synchronous (Playwright's sync API runs its own
loop) and waits on page conditions, never on time.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from jiragw.broker import Broker
from jiragw.config import Settings
from jiragw.gateway import Gateway, create_app
from jiragw.gateway.admin.sessions import issue_login_link
from jiragw.sandbox import build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.gateway.admin.client import allow_gateway_callback

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.live


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("JIRAGW_STRICT") == "1":
        pytest.fail(message + "; JIRAGW_STRICT=1 forbids skipping")
    pytest.skip(message)


@dataclass
class Live:
    gateway_url: str
    store: Store
    sandbox_url: str


def _serve_gateway(gw: Gateway, sock: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(create_app(gw), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)

    async def serve() -> None:
        try:
            await server.serve(sockets=[sock])
        finally:
            await gw.http.aclose()  # on the loop that opened its connections

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="jiragw-gw", daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(1000):  # uvicorn flips ``started`` from its own thread
        if server.started or not thread.is_alive():
            break
        ready.wait(0.01)
    assert server.started, "the gateway did not start"
    return server, thread


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    _need_chromium()
    sandbox = build_sandbox(projects=1, issues=5, seed=3)
    with BackgroundServer(sandbox).running() as sandbox_url:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        gateway_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'gw.sqlite3'}",
            public_url=gateway_url,
            atlassian_auth_url=sandbox_url,
            atlassian_api_url=sandbox_url,
        )
        store = Store.open(settings.database_url, Keyring.create_file(tmp_path / "keyring.json"))
        http = httpx.AsyncClient(timeout=10)
        gw = Gateway(
            settings=settings,
            store=store,
            broker=Broker(store, http, actor="gateway"),
            http=http,
            public_url=gateway_url,
            sandbox_info=describe(sandbox, sandbox_url),
        )
        allow_gateway_callback(sandbox, gw.callback_url)
        server, thread = _serve_gateway(gw, sock)
        try:
            yield Live(gateway_url, store, sandbox_url)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            store.dispose()


def test_browser_signs_in_connects_by_oauth_and_creates_a_key(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)

            # A one-time link signs in and lands on Connections.
            link = issue_login_link(live.store, live.gateway_url)
            page.goto(link)
            expect(page.get_by_role("heading", name="Connections")).to_be_visible()
            assert page.url == live.gateway_url + "/"
            page.goto(link)  # single use
            expect(page.get_by_text("This login link cannot be used")).to_be_visible()

            # Connect Jira Cloud with OAuth 2.0: the consent page is the sandbox's, on its own origin.
            page.goto(live.gateway_url + "/connect")
            page.get_by_role("link", name="Jira Cloud (OAuth 2.0)").click()
            page.get_by_role("button", name="Continue to Atlassian").click()
            page.wait_for_url(live.sandbox_url + "/authorize*")
            expect(page.get_by_text("is requesting access")).to_be_visible()
            page.get_by_role("button", name="Accept").click()

            page.wait_for_url(live.gateway_url + "/connections")
            expect(page.get_by_text("Connected: acme.")).to_be_visible()
            row = page.locator("tr", has_text="acme")
            expect(row.locator(".badge")).to_have_text("active")
            row.get_by_role("button", name="Test").click()
            expect(page.get_by_text(re.compile(r"acme: works \(signed in as .+\)"))).to_be_visible()

            # A key, shown once.
            page.get_by_role("link", name="Keys").click()
            page.get_by_label("Name *").fill("browser key")
            page.get_by_role("button", name="Create key").click()
            expect(page.get_by_role("heading", name="Key created")).to_be_visible()
            key = page.locator("#new-key").input_value()
            assert re.fullmatch(r"jgw_[A-Za-z0-9_-]{43}", key)
            page.goto(live.gateway_url + "/keys")
            expect(page.locator("tr", has_text="browser key").locator(".badge")).to_have_text("active")
            assert key not in page.content()
            assert key[:12] in page.content()  # the display prefix only
        finally:
            browser.close()
