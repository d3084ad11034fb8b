"""``reconnect_static``: a static-credential connection moved to a new address or secret, id kept."""

from __future__ import annotations

import pytest

from jiragw.broker import Broker, connect_api_token, connect_pat, reconnect_static, show_connection
from jiragw.errors import JiragwError
from jiragw.secrets import Secret
from jiragw.store import GrantStatus
from tests.broker.conftest import Demo, connect_3lo

pytestmark = pytest.mark.usefixtures("backend")
MOVED = (
    "http://127.0.0.2"  # another loopback host; the in-process transport answers for any: the same sandbox
)


async def test_a_moved_site_keeps_its_connection_id(broker: Broker, demo: Demo) -> None:
    alice = demo.user()
    first = await connect_api_token(
        broker, name="acme", site_url=demo.site, email=alice["email"], token=Secret(alice["api_token"])
    )
    moved = await reconnect_static(
        broker, name="acme", url=MOVED + "/sites/acme/", secret=Secret(alice["api_token"])
    )
    (conn,) = moved.connections
    assert conn.id == first.connections[0].id
    assert conn.site_url == conn.api_base_url == MOVED + "/sites/acme"
    assert (await show_connection(broker, "acme")).site_url == MOVED + "/sites/acme"
    grant = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
    assert grant.api_url == MOVED + "/sites/acme"
    assert (await broker.test("acme")).email == alice["email"]
    actions = [e.action for e in await broker.db(lambda tx: tx.audit.tail(10))]
    assert "connection.update" in actions


async def test_a_new_secret_is_checked_before_it_is_stored(broker: Broker, demo: Demo) -> None:
    alice, bob = demo.user(), demo.user("bob")
    await connect_pat(broker, name="corp", dc_url=demo.dc, pat=Secret(alice["pat"]))
    with pytest.raises(JiragwError) as info:
        await reconnect_static(broker, name="corp", url=MOVED + "/dc/corp", secret=Secret("nope"))
    assert info.value.code == "unauthenticated"
    assert (await show_connection(broker, "corp")).site_url == demo.dc
    assert (await broker.test("corp")).name == alice["name"]
    # A valid one replaces it, and revives a grant a failure had marked.
    conn = await broker.connection("corp")
    await broker.db(lambda tx: tx.grants.set_status(conn.grant_id, GrantStatus.REAUTH_REQUIRED, reason="x"))
    await reconnect_static(broker, name="corp", url=demo.dc, secret=Secret(bob["pat"]))
    assert (await broker.test("corp")).name == bob["name"]
    assert (await show_connection(broker, "corp")).status == "active"


async def test_only_static_connections(broker: Broker, demo: Demo) -> None:
    name = (await connect_3lo(broker, demo)).name
    with pytest.raises(JiragwError) as info:
        await reconnect_static(broker, name=name, url=demo.site, secret=Secret("x"))
    assert info.value.code == "invalid_input"
