"""A credential goes only where its sealed address says: a URL changed in the database sends nothing.

Whoever can write the database but holds no key points a connection's API
base, or its grant's token endpoint, at their own host: the broker must fail
closed before any request, and the recorder below must see none. Both backends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy import MetaData, Table, update

from jiragw.broker import Broker
from jiragw.errors import DestinationChanged
from jiragw.sandbox import Sandbox, create_app
from jiragw.store import Store
from tests.broker.conftest import Demo, SandboxClock, connect_3lo, token_calls

pytestmark = pytest.mark.usefixtures("backend")
EVIL = "http://evil.test"


class Recorder(httpx.AsyncBaseTransport):
    """Every request's URL, then the in-process sandbox answers (whatever the host)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sandbox))
        self.urls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return await self.inner.handle_async_request(request)


@pytest.fixture
def recorder(sandbox: Sandbox) -> Recorder:
    return Recorder(sandbox)


@pytest.fixture
async def recorded(
    store: Store, recorder: Recorder, make_broker: Callable[..., Broker]
) -> AsyncIterator[Broker]:
    async with httpx.AsyncClient(transport=recorder) as client:
        broker = make_broker(store)
        broker.client = client
        yield broker


def _tamper(store: Store, table: str, row_id: str, **values: str) -> None:
    t = Table(table, MetaData(), autoload_with=store.engine)
    with store.engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == row_id).values(**values))


async def test_a_changed_token_endpoint_gets_no_refresh_token(
    recorded: Broker, recorder: Recorder, demo: Demo, sandbox: Sandbox, clock: SandboxClock, store: Store
) -> None:
    conn = await connect_3lo(recorded, demo)
    clock.advance(hours=2)  # the access token expired: the next use refreshes
    _tamper(store, "grants", conn.grant_id, auth_url=EVIL)
    recorder.urls.clear()
    with pytest.raises(DestinationChanged):
        await recorded.credentials_for(conn.name)
    assert recorder.urls == []
    assert token_calls(sandbox, "refresh_token") == 0


async def test_a_changed_api_base_gets_no_credential(
    recorded: Broker, recorder: Recorder, demo: Demo, store: Store
) -> None:
    conn = await connect_3lo(recorded, demo)
    assert (await recorded.request(conn.name, "GET", "/rest/api/3/myself")).status_code == 200
    _tamper(store, "connections", conn.id, api_base_url=EVIL + "/ex/jira/" + demo.cloud_id)
    recorded.session.forget()
    recorder.urls.clear()
    with pytest.raises(DestinationChanged):
        await recorded.request(conn.name, "GET", "/rest/api/3/myself")
    assert recorder.urls == []


async def test_an_untouched_connection_still_works(recorded: Broker, recorder: Recorder, demo: Demo) -> None:
    conn = await connect_3lo(recorded, demo)
    recorder.urls.clear()
    assert (await recorded.request(conn.name, "GET", "/rest/api/3/myself")).status_code == 200
    assert [u for u in recorder.urls if u.startswith(EVIL)] == []
    assert len(recorder.urls) == 1
