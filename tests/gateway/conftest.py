"""Gateway fixtures: a Gateway over a real store (SQLite and PostgreSQL) in front of the in-process sandbox.

``env`` gives a ready gateway: the sandbox (site ``acme``, DC ``corp``)
reached through ``httpx.ASGITransport`` at ``http://localhost``, the broker
and store, the gateway app reached the same way at ``http://gw.test``, plus
helpers to connect the sandbox and mint keys. ``env.upstream_calls()`` reads
the sandbox's own request counters (the proof that a denial made no upstream call).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token, connect_pat
from jiragw.config import Settings
from jiragw.gateway import Gateway, create_app
from jiragw.keys import create_key
from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox import create_app as create_sandbox_app
from jiragw.sandbox.server import describe
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, KeyRecord, Store
from tests.store.conftest import (  # noqa: F401 - fixtures reused, not redefined
    backend,
    clock,
    db_url,
    keyring,
    keyring_path,
    pg_session_database,
    store,
)

SANDBOX = "http://localhost"
GATEWAY = "http://gw.test"


@dataclass
class Env:
    sandbox: Sandbox
    demo: dict[str, Any]
    store: Store
    broker: Broker
    gw: Gateway
    app: Starlette
    client: httpx.AsyncClient  # talks to the gateway app

    def user(self, name: str = "alice") -> dict[str, Any]:
        return next(u for u in self.demo["users"] if u["name"] == name)

    async def connect_cloud(self, name: str = "acme", user: str = "alice") -> ConnectionRecord:
        u = self.user(user)
        done = await connect_api_token(
            self.broker,
            name=name,
            site_url=self.demo["sites"]["acme"]["url"],
            email=u["email"],
            token=Secret(u["api_token"]),
        )
        return done.connections[0]

    async def connect_dc(self, name: str = "corp", user: str = "alice") -> ConnectionRecord:
        u = self.user(user)
        dc_url = self.demo["dc"]["corp"]["url"]
        done = await connect_pat(self.broker, name=name, dc_url=dc_url, pat=Secret(u["pat"]))
        return done.connections[0]

    def key(
        self,
        *,
        connections: Iterable[str] = ("*",),
        preset: str | None = "full",
        scopes: Iterable[str] | None = None,
        read_only: bool | None = None,
        expires_at: datetime | None = None,
        name: str = "test key",
    ) -> tuple[str, KeyRecord]:
        """A new key's plaintext and record."""
        minted, record = create_key(
            self.store,
            name=name,
            connections=connections,
            created_by="test",
            preset=None if scopes is not None else preset,
            scopes=scopes,
            read_only=read_only,
            expires_at=expires_at,
        )
        return minted.secret.reveal(), record

    def upstream_calls(self) -> int:
        """Requests the sandbox has served so far (all instances, all operations)."""
        return sum(self.sandbox.counters.values())


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=30, seed=7)


@pytest.fixture
async def env(sandbox: Sandbox, store: Store) -> AsyncIterator[Env]:  # noqa: F811 - the store fixture
    settings = Settings(
        database_url=store.engine.url.render_as_string(hide_password=False),
        public_url=GATEWAY,
        atlassian_auth_url=SANDBOX,
        atlassian_api_url=SANDBOX,
    )
    upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)))
    broker = Broker(store, upstream, actor="gateway")
    gw = Gateway(settings=settings, store=store, broker=broker, http=upstream, public_url=GATEWAY)
    app = create_app(gw)
    gw.audit.start()
    transport = httpx.ASGITransport(app=app)
    async with upstream, httpx.AsyncClient(transport=transport, base_url=GATEWAY) as client:
        try:
            yield Env(sandbox, describe(sandbox, SANDBOX), store, broker, gw, app, client)
        finally:
            await gw.audit.stop()
