"""HTTPS only: no connect flow sends a credential over plain HTTP to a remote host, unless allowed.

Every request the broker makes is recorded on its way to the in-process
sandbox (whose app ignores the host, so ``http://jira.example.com/sites/acme``
reaches the emulated site when the operator allows it). A refused flow must
have made no request at all, stored nothing, and named no secret in its error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from jiragw.auth import oauth1
from jiragw.broker import (
    Broker,
    connect_api_token,
    connect_basic,
    connect_client_credentials,
    connect_pat,
    reconnect_static,
    show_connection,
    start_dc_oauth,
    start_oauth,
    start_oauth1,
)
from jiragw.errors import InsecureUrl
from jiragw.sandbox import Sandbox, create_app
from jiragw.secrets import Secret
from jiragw.secure_urls import INSECURE_WARNING
from jiragw.store import Store
from tests.broker.conftest import ME, REDIRECT, SCOPES_3LO, Demo

pytestmark = pytest.mark.usefixtures("backend")
CANARY = "CANARY-https-only-7f3a9c1e5b"
REMOTE = "http://jira.example.com"


class Recorder(httpx.AsyncBaseTransport):
    """The sandbox in-process, recording every request the broker sends."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sandbox))
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def recorder(sandbox: Sandbox) -> Recorder:
    return Recorder(sandbox)


@pytest.fixture
async def recorded(store: Store, recorder: Recorder) -> AsyncIterator[Broker]:
    async with httpx.AsyncClient(transport=recorder) as client:
        yield Broker(store, client)


Flow = Callable[[Broker, Demo], Awaitable[Any]]
FLOWS: dict[str, Flow] = {
    "api_token": lambda b, d: connect_api_token(
        b, name="x", site_url=f"{REMOTE}/sites/acme", email="a@example.com", token=Secret(CANARY)
    ),
    "basic": lambda b, d: connect_basic(
        b, name="x", dc_url=f"{REMOTE}/dc/corp", username="alice", password=Secret(CANARY)
    ),
    "pat": lambda b, d: connect_pat(b, name="x", dc_url=f"{REMOTE}/dc/corp", pat=Secret(CANARY)),
    "client_credentials_site": lambda b, d: connect_client_credentials(
        b,
        name="x",
        site_url=f"{REMOTE}/sites/acme",
        api_url=d.base,
        client_id="c",
        client_secret=Secret(CANARY),
    ),
    "client_credentials_api": lambda b, d: connect_client_credentials(
        b, name="x", site_url=d.site, api_url=REMOTE, client_id="c", client_secret=Secret(CANARY)
    ),
    "oauth_auth_url": lambda b, d: start_oauth(
        b,
        name="x",
        auth_url=REMOTE,
        api_url=d.base,
        client_id=CANARY,
        scopes=SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    ),
    "oauth_api_url": lambda b, d: start_oauth(
        b,
        name="x",
        auth_url=d.base,
        api_url=REMOTE,
        client_id=CANARY,
        scopes=SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    ),
    "dc_oauth": lambda b, d: start_dc_oauth(
        b,
        name="x",
        dc_url=f"{REMOTE}/dc/corp",
        client_id=CANARY,
        scopes=["READ"],
        redirect_uri=REDIRECT,
        initiator=ME,
    ),
    "oauth1": lambda b, d: start_oauth1(
        b,
        name="x",
        dc_url=f"{REMOTE}/dc/corp",
        consumer_key=CANARY,
        private_key=oauth1.generate_key_pair().private_key_pem,
        initiator=ME,
    ),
}


@pytest.mark.parametrize("flow", list(FLOWS), ids=list(FLOWS))
async def test_plain_http_to_a_remote_host_is_refused_before_any_request(
    recorded: Broker, recorder: Recorder, demo: Demo, flow: str
) -> None:
    with pytest.raises(InsecureUrl) as caught:
        await FLOWS[flow](recorded, demo)
    assert recorder.seen == []
    error = caught.value
    assert (error.code, error.status) == ("insecure_url", 400)
    assert "https" in error.message
    assert "--allow-insecure-http" in error.message
    assert CANARY not in str(error)
    assert CANARY not in repr(error.details)

    def stored(tx: Any) -> tuple[int, int]:
        return len(tx.connections.list()), len(tx.grants.list())

    assert await recorded.store.run(stored) == (0, 0)


async def test_allowed_plain_http_connects_and_is_shown_with_a_warning(
    recorded: Broker, recorder: Recorder, demo: Demo
) -> None:
    alice = demo.user()
    done = await connect_api_token(
        recorded,
        name="plain",
        site_url=f"{REMOTE}/sites/acme",
        email=alice["email"],
        token=Secret(alice["api_token"]),
        allow_insecure_http=True,
    )
    assert [str(r.url.copy_with(path="/")) for r in recorder.seen] == [f"{REMOTE}/"]
    assert done.connections[0].allow_insecure_http is True
    view = await show_connection(recorded, "plain")
    assert view.allow_insecure_http is True
    assert view.insecure_warning == INSECURE_WARNING
    assert view.to_json()["insecure_warning"] == INSECURE_WARNING


async def test_a_secure_connection_carries_no_warning(recorded: Broker, demo: Demo) -> None:
    alice = demo.user()
    await connect_api_token(
        recorded, name="safe", site_url=demo.site, email=alice["email"], token=Secret(alice["api_token"])
    )
    view = await show_connection(recorded, "safe")
    assert (view.allow_insecure_http, view.insecure_warning) == (False, None)


async def test_reconnecting_to_plain_http_needs_the_permission_again(
    recorded: Broker, recorder: Recorder, demo: Demo
) -> None:
    alice = demo.user()
    token = Secret(alice["api_token"])
    await connect_api_token(recorded, name="acme", site_url=demo.site, email=alice["email"], token=token)
    before = len(recorder.seen)
    with pytest.raises(InsecureUrl):
        await reconnect_static(recorded, name="acme", url=f"{REMOTE}/sites/acme", secret=Secret(CANARY))
    assert len(recorder.seen) == before
    assert (await show_connection(recorded, "acme")).site_url == demo.site
    await reconnect_static(
        recorded, name="acme", url=f"{REMOTE}/sites/acme", secret=token, allow_insecure_http=True
    )
    assert (await show_connection(recorded, "acme")).insecure_warning == INSECURE_WARNING
    await reconnect_static(recorded, name="acme", url=demo.site, secret=token)
    assert (await show_connection(recorded, "acme")).insecure_warning is None
