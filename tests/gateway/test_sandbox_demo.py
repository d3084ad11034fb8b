"""``jiragw.gateway.sandbox_demo``: the demo connections and key of ``serve --sandbox``, idempotently."""

from __future__ import annotations

import pytest

from jiragw.gateway.sandbox_demo import DEMO_KEY_NAME, prepare_demo
from jiragw.keys import revoke_key
from jiragw.sandbox.server import describe
from tests.gateway.conftest import Env

MOVED = "http://127.0.0.2"  # another loopback host; the in-process transport answers for any host


async def _myself(env: Env, key: str, connection: str = "acme") -> int:
    version = "3" if connection == "acme" else "2"
    answer = await env.client.get(
        f"/jira/{connection}/rest/api/{version}/myself", headers={"Authorization": f"Bearer {key}"}
    )
    return answer.status_code


async def test_first_start_connects_both_and_mints_a_read_write_key(env: Env) -> None:
    setup = await prepare_demo(env.broker, env.store, env.demo)
    assert setup.connections == ("acme", "corp")
    assert setup.key is not None
    key = setup.key.reveal()
    assert key.startswith(setup.key_prefix or "?")
    assert await _myself(env, key, "acme") == 200
    assert await _myself(env, key, "corp") == 200
    (record,) = await env.broker.db(lambda tx: tx.keys.list())
    assert record.name == DEMO_KEY_NAME
    assert not record.read_only
    assert "write:jira-work" in record.scopes
    methods = await env.broker.db(
        lambda tx: {c.name: tx.grants.get(c.grant_id).method.value for c in tx.connections.list()}
    )
    assert methods == {"acme": "api_token", "corp": "pat"}


async def test_a_second_start_adds_nothing_and_keeps_the_key(env: Env) -> None:
    first = await prepare_demo(env.broker, env.store, env.demo)
    before = await env.broker.db(lambda tx: [(c.id, c.site_url) for c in tx.connections.list()])
    again = await prepare_demo(env.broker, env.store, env.demo)
    assert again.connections == ("acme", "corp")
    assert again.key is None
    assert again.key_prefix == first.key_prefix
    assert await env.broker.db(lambda tx: [(c.id, c.site_url) for c in tx.connections.list()]) == before
    assert len(await env.broker.db(lambda tx: tx.keys.list())) == 1


async def test_a_sandbox_on_a_new_port_is_followed_in_place(env: Env) -> None:
    first = await prepare_demo(env.broker, env.store, env.demo)
    assert first.key is not None
    ids = await env.broker.db(lambda tx: {c.name: c.id for c in tx.connections.list()})
    moved = await prepare_demo(env.broker, env.store, describe(env.sandbox, MOVED))
    assert moved.key is None
    after = await env.broker.db(lambda tx: {c.name: (c.id, c.site_url) for c in tx.connections.list()})
    assert after == {"acme": (ids["acme"], MOVED + "/sites/acme"), "corp": (ids["corp"], MOVED + "/dc/corp")}
    assert await _myself(env, first.key.reveal(), "acme") == 200  # the key stays bound


async def test_a_revoked_demo_key_is_replaced_at_the_next_start(env: Env) -> None:
    first = await prepare_demo(env.broker, env.store, env.demo)
    revoke_key(env.store, DEMO_KEY_NAME, actor="test")
    second = await prepare_demo(env.broker, env.store, env.demo)
    assert first.key is not None
    assert second.key is not None
    assert second.key.reveal() != first.key.reveal()
    assert await _myself(env, first.key.reveal()) == 401
    assert await _myself(env, second.key.reveal()) == 200


async def test_a_name_taken_by_another_kind_of_connection_is_left_alone(env: Env) -> None:
    taken = await env.connect_dc("acme")  # a PAT connection under the Cloud demo's name
    setup = await prepare_demo(env.broker, env.store, env.demo)
    assert setup.connections == ("corp",)
    assert setup.skipped == ("acme",)
    assert (await env.broker.connection("acme")).id == taken.id
    (record,) = await env.broker.db(lambda tx: tx.keys.list())
    corp = await env.broker.connection("corp")
    assert record.connection_ids == frozenset({corp.id})


@pytest.mark.parametrize("missing", ["users", "sites"])
async def test_a_sandbox_without_the_demo_pieces(env: Env, missing: str) -> None:
    info = dict(env.demo)
    info[missing] = [] if missing == "users" else {}
    setup = await prepare_demo(env.broker, env.store, info)
    expected = () if missing == "users" else ("corp",)
    assert setup.connections == expected
