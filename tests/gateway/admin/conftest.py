"""Admin UI fixtures: the gateway ``env`` in sandbox mode (two Cloud sites), and a signed-in admin."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from jiragw.sandbox import Sandbox, build_sandbox
from tests.gateway.admin.client import AdminClient, allow_gateway_callback
from tests.gateway.conftest import GATEWAY, Env


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(sites=("acme", "beta"), projects=1, issues=3, seed=7)


@pytest.fixture
def ui_env(env: Env) -> Env:
    """``env`` as ``jiragw serve --sandbox`` sets it up: sandbox info known, callback registered."""
    env.gw.sandbox_info = env.demo
    allow_gateway_callback(env.sandbox, env.gw.callback_url)
    return env


@pytest.fixture
async def admin(ui_env: Env) -> AsyncIterator[AdminClient]:
    """A signed-in admin (its own cookie jar)."""
    transport = httpx.ASGITransport(app=ui_env.app)
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as client:
        signed_in = AdminClient(client, ui_env.store, GATEWAY)
        await signed_in.login()
        yield signed_in


@pytest.fixture
async def stranger(ui_env: Env) -> AsyncIterator[AdminClient]:
    """A browser with no session."""
    transport = httpx.ASGITransport(app=ui_env.app)
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as client:
        yield AdminClient(client, ui_env.store, GATEWAY)
