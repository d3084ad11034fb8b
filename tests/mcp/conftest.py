"""MCP fixtures: a broker over a real store (SQLite and PostgreSQL) in front of the in-process sandbox.

``local`` has three connections: ``acme`` (Cloud, API token), ``corp`` (Data
Center, PAT) and ``ci`` (client credentials, for the DevOps APIs), and makes
in-process MCP servers over any of them (the SDK's ``Client(server)``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from mcp.server import Server

from jiragw.broker import Broker
from jiragw.broker.connect_client_credentials import connect_client_credentials
from jiragw.broker.connect_static import connect_api_token, connect_pat
from jiragw.mcp.access import Access, for_local
from jiragw.mcp.server import build_server
from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox import create_app as create_sandbox_app
from jiragw.sandbox.server import describe
from jiragw.secrets import Secret
from jiragw.store import Store
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


@dataclass
class Local:
    sandbox: Sandbox
    demo: dict[str, Any]
    broker: Broker
    audited: list[tuple[str, str | None, str, str | None]] = field(default_factory=list)
    durable: list[bool] = field(default_factory=list)  # per audited call: committed before its answer

    def access(self, *names: str, read_only: bool = False) -> Access:
        async def audit(
            tool: str, conn: str | None, outcome: str, code: str | None, latency: int, durable: bool
        ) -> None:
            self.audited.append((tool, conn, outcome, code))
            self.durable.append(durable)

        return for_local(names, broker=self.broker, read_only=read_only, audit=audit)

    def server(self, *names: str, read_only: bool = False) -> Server[Any]:
        access = self.access(*names, read_only=read_only)

        async def fixed(ctx: Any) -> Access:
            return access

        return build_server(fixed)

    def upstream_calls(self) -> int:
        return sum(self.sandbox.counters.values())


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=30, seed=7)


@pytest.fixture
async def local(sandbox: Sandbox, store: Store) -> AsyncIterator[Local]:  # noqa: F811 - the store fixture
    demo = describe(sandbox, SANDBOX)
    alice = next(u for u in demo["users"] if u["name"] == "alice")
    app = next(a for a in demo["oauth_apps"] if a["kind"] == "2lo")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(sandbox))) as upstream:
        broker = Broker(store, upstream, actor="test")
        site = demo["sites"]["acme"]["url"]
        await connect_api_token(
            broker, name="acme", site_url=site, email=alice["email"], token=Secret(alice["api_token"])
        )
        await connect_pat(broker, name="corp", dc_url=demo["dc"]["corp"]["url"], pat=Secret(alice["pat"]))
        await connect_client_credentials(
            broker,
            name="ci",
            site_url=site,
            api_url=SANDBOX,
            client_id=app["client_id"],
            client_secret=Secret(app["client_secret"]),
        )
        yield Local(sandbox, demo, broker)
