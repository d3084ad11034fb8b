"""schemathesis against the management API's own OpenAPI document: no 5xx, answers match the schema.

Runs on SQLite and PostgreSQL (PostgreSQL refuses NUL in text, a classic
source of 500s). The app under test is the API route group alone (``/api/v1``
and ``/docs``), over a real store with one sandbox connection, called with an
admin key; examples are bounded so the whole module stays well under a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.config import Settings
from jiragw.gateway import Gateway, api
from jiragw.keys import create_key
from jiragw.sandbox import build_sandbox
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
schema = schemathesis.openapi.from_dict(api.build_api().openapi())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


async def _connect(sandbox_app: Any, target: Store, demo: dict[str, Any]) -> None:
    alice = next(u for u in demo["users"] if u["name"] == "alice")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app)) as client:
        await connect_api_token(
            Broker(target, client),
            name="acme",
            site_url=demo["sites"]["acme"]["url"],
            email=alice["email"],
            token=Secret(alice["api_token"]),
        )


@pytest.fixture
def api_app(store: Store) -> Iterator[tuple[Starlette, dict[str, str]]]:  # noqa: F811 - the store fixture
    """The API route group over a store holding one connection, and an admin key's header."""
    sandbox = build_sandbox(projects=1, issues=5, seed=3)
    sandbox_app = create_sandbox_app(sandbox)
    asyncio.run(_connect(sandbox_app, store, describe(sandbox, SANDBOX)))
    settings = Settings(
        database_url=store.engine.url.render_as_string(hide_password=False),
        public_url="http://gw.test",
        atlassian_auth_url=SANDBOX,
        atlassian_api_url=SANDBOX,
    )
    upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app))
    gw = Gateway(
        settings=settings,
        store=store,
        broker=Broker(store, upstream, actor="gateway"),
        http=upstream,
        public_url="http://gw.test",
    )
    minted, _ = create_key(store, name="admin", connections=["*"], created_by="test", preset="admin")
    yield Starlette(routes=api.routes(gw)), {"Authorization": f"Bearer {minted.secret.reveal()}"}
    asyncio.run(upstream.aclose())


@pytest.mark.usefixtures("backend")
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_management_api_conforms_to_its_schema(case: Any, api_app: tuple[Starlette, dict[str, str]]) -> None:
    app, headers = api_app
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
