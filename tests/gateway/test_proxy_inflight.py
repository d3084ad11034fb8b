"""The in-flight caps in the proxy: a slow connection saturated, another still answers; excess refused.

The upstream is the sandbox behind a gate: calls to the Cloud site ``acme``
are held until the test opens the gate, calls to the Data Center ``corp`` pass
at once. The tests wait on arrivals at the gate and on the calls themselves,
never on time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

import httpx
import pytest

from jiragw.gateway.inflight import InFlight
from jiragw.gateway.proxy import Proxy
from jiragw.sandbox import create_app as create_sandbox_app
from tests.gateway.conftest import Env


class Gate(httpx.AsyncBaseTransport):
    """Holds every request to the ``acme`` site until :meth:`open`; counts arrivals."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.held = 0
        self._arrived = asyncio.Condition()
        self._open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/sites/acme/" in request.url.path:
            async with self._arrived:
                self.held += 1
                self._arrived.notify_all()
            await self._open.wait()
        return await self.inner.handle_async_request(request)

    async def until_held(self, count: int) -> None:
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.held >= count)

    def open(self) -> None:
        self._open.set()


async def _gated(env: Env, per_connection: int, per_key: int) -> Gate:
    await env.connect_cloud()
    await env.connect_dc()
    gate = Gate(httpx.ASGITransport(app=create_sandbox_app(env.sandbox)))
    env.gw.http = httpx.AsyncClient(transport=gate)
    env.app.proxy.in_flight = InFlight(per_connection=per_connection, per_key=per_key)  # type: ignore[attr-defined]
    return gate


def _get(env: Env, secret: str, path: str) -> Coroutine[Any, Any, httpx.Response]:
    return env.client.get(path, headers={"Authorization": f"Bearer {secret}"})


async def _first(task: asyncio.Task[httpx.Response], gate: Gate, held: int) -> httpx.Response | None:
    """The call's answer if it comes before the gate holds ``held`` calls; None if the call went upstream."""
    reached = asyncio.create_task(gate.until_held(held))
    done, _ = await asyncio.wait({task, reached}, return_when=asyncio.FIRST_COMPLETED)
    reached.cancel()
    return task.result() if task in done else None


async def test_a_saturated_connection_does_not_stall_another_and_its_excess_is_503(env: Env) -> None:
    gate = await _gated(env, per_connection=3, per_key=100)
    secret, _ = env.key()
    slow = [asyncio.create_task(_get(env, secret, "/jira/acme/rest/api/3/myself")) for _ in range(3)]
    await gate.until_held(3)

    excess = await _first(asyncio.create_task(_get(env, secret, "/jira/acme/rest/api/3/myself")), gate, 4)
    assert excess is not None, "the call over the connection's cap went upstream"
    assert excess.status_code == 503
    assert excess.json()["jiragw"]["code"] == "connection_busy"
    assert excess.headers["retry-after"] == "1"

    other = await _get(env, secret, "/jira/corp/rest/api/2/myself")  # acme's three are still held
    assert other.status_code == 200
    assert not any(task.done() for task in slow)
    assert env.app.proxy.in_flight.in_flight() == 3  # type: ignore[attr-defined]

    gate.open()
    assert [r.status_code for r in await asyncio.gather(*slow)] == [200, 200, 200]
    assert env.app.proxy.in_flight.in_flight() == 0  # type: ignore[attr-defined]
    after = await _get(env, secret, "/jira/acme/rest/api/3/myself")
    assert after.status_code == 200


async def test_a_key_past_its_cap_is_429_while_other_keys_go_through(env: Env) -> None:
    gate = await _gated(env, per_connection=100, per_key=2)
    busy, busy_record = env.key(name="busy")
    calm, _ = env.key(name="calm")
    slow = [asyncio.create_task(_get(env, busy, "/jira/acme/rest/api/3/myself")) for _ in range(2)]
    await gate.until_held(2)

    # The key's cap holds across connections: corp answers at once, but not to this key.
    refused = await _get(env, busy, "/jira/corp/rest/api/2/myself")
    assert refused.status_code == 429
    assert refused.json()["jiragw"]["code"] == "key_busy"
    assert refused.headers["retry-after"] == "1"

    other = asyncio.create_task(_get(env, calm, "/jira/acme/rest/api/3/myself"))
    assert await _first(other, gate, 3) is None  # another key's call reached the (slow) upstream

    gate.open()
    assert [r.status_code for r in await asyncio.gather(*slow, other)] == [200, 200, 200]
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        rows = [e for e in tx.audit.tail(1000) if e.action == "proxy" and e.error_code == "key_busy"]
    assert [(r.outcome, r.status_code, r.key_id) for r in rows] == [("denied", 429, busy_record.id)]


async def test_a_refused_call_holds_no_slot(env: Env) -> None:
    """Refusals before the upstream (scope, body, busy) give back or never take their slots."""
    await _gated(env, per_connection=1, per_key=1)
    secret, _ = env.key(preset="read-only")
    for _ in range(3):
        denied = await env.client.post(
            "/jira/corp/rest/api/2/issue", headers={"Authorization": f"Bearer {secret}"}, json={}
        )
        assert denied.status_code == 403
        ok = await _get(env, secret, "/jira/corp/rest/api/2/myself")
        assert ok.status_code == 200
    assert env.app.proxy.in_flight.in_flight() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(("per_connection", "per_key"), [(64, 32), (5, 2)])
def test_the_proxy_takes_its_caps_from_the_settings(env: Env, per_connection: int, per_key: int) -> None:
    env.gw.settings = replace(
        env.gw.settings, max_inflight_per_connection=per_connection, max_inflight_per_key=per_key
    )
    caps = Proxy(env.gw).in_flight
    assert (caps.per_connection, caps.per_key) == (per_connection, per_key)
