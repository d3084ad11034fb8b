"""``jiragw.gateway.forwarded``: ``X-Forwarded-For`` moves the login throttle only for trusted proxies.

A real ``serve`` on a loopback port (uvicorn decides what the app sees as the
client), with the admin password set and wrong passwords from 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from jiragw.config import ServerOptions
from jiragw.errors import ConfigError
from jiragw.gateway.server import Served, serve
from jiragw.store import Store
from jiragw.vault import Keyring

from .admin.client import csrf_of
from .servers import free_port

pytestmark = pytest.mark.live


@contextlib.asynccontextmanager
async def _gateway(tmp_path: Path, **env: str) -> AsyncIterator[str]:
    port = free_port()
    environ = {
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
        "JIRAGW_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "JIRAGW_ADMIN_PASSWORD": "hunter2-canary",
        **env,
    }
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(port=port, environ=environ, on_ready=got.set_result, stop=stop))
    try:
        done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            await task
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await task


async def _wrong_password(client: httpx.AsyncClient, csrf: str, forwarded_for: str) -> int:
    answer = await client.post(
        "/login", data={"csrf": csrf, "password": "nope"}, headers={"X-Forwarded-For": forwarded_for}
    )
    return answer.status_code


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_throttled_address(
    tmp_path: Path,
) -> None:
    async with _gateway(tmp_path) as url, httpx.AsyncClient(base_url=url) as client:
        csrf = csrf_of((await client.get("/login")).text)
        statuses = [await _wrong_password(client, csrf, f"203.0.113.{n}") for n in range(1, 6)]
        # Five failures from one peer lock it out, whatever address each request claimed.
        assert statuses == [401, 401, 401, 401, 429]
        assert await _wrong_password(client, csrf, "198.51.100.9") == 429


async def test_a_trusted_proxy_forwards_the_client_address_and_the_audit_names_both(tmp_path: Path) -> None:
    async with (
        _gateway(tmp_path, JIRAGW_TRUSTED_PROXIES="127.0.0.0/8") as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        csrf = csrf_of((await client.get("/login")).text)
        statuses = [await _wrong_password(client, csrf, "203.0.113.7") for _ in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        assert await _wrong_password(client, csrf, "203.0.113.8") == 401  # another client behind the proxy
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", None)
    try:
        with store.transaction() as tx:
            throttled = [e.detail for e in tx.audit.tail(50) if e.outcome == "throttled"]
    finally:
        store.dispose()
    expected = {"via": "password", "retry_after": 30, "address": "203.0.113.7", "peer": "127.0.0.1"}
    assert throttled == [expected]


@pytest.mark.parametrize("value", ["10.0.0.0/8, 192.0.2.1", " ::1 ", "10.1.2.3/8"])
def test_trusted_proxies_are_addresses_or_networks(value: str) -> None:
    assert ServerOptions.from_env({"JIRAGW_TRUSTED_PROXIES": value}).trusted_proxies


def test_no_proxy_is_trusted_by_default() -> None:
    assert ServerOptions.from_env({}).trusted_proxies == ()


@pytest.mark.parametrize("value", ["localhost", "10.0.0.0/33", "*"])
def test_a_trusted_proxy_that_is_no_address_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="JIRAGW_TRUSTED_PROXIES"):
        ServerOptions.from_env({"JIRAGW_TRUSTED_PROXIES": value})
