from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from jiragw.errors import InvalidInput, KeyExpired, KeyInvalid, KeyRevoked, NotFound
from jiragw.keys import create_key, hash_key, list_keys, looks_like_key, revoke_key

from .conftest import Env


async def test_a_key_is_shown_once_and_stored_only_as_its_hash(env: Env) -> None:
    await env.connect_cloud()
    secret, record = env.key(connections=["acme"], preset="read-only")
    assert looks_like_key(secret)
    assert record.read_only
    assert "read:jira-work" in record.scopes
    with env.store.engine.connect() as conn:
        dump = " ".join(str(row) for row in conn.execute(text("SELECT * FROM gateway_keys")))
        audit = " ".join(str(row) for row in conn.execute(text("SELECT * FROM audit_events")))
    assert secret not in dump
    assert secret not in audit
    assert hash_key(secret) in dump
    # the display prefix reveals 8 of the 43 random characters: 208 bits stay secret
    assert secret.startswith(record.prefix)
    assert len(record.prefix) == len("jgw_") + 8
    assert (await env.gw.authenticate(f"Bearer {secret}")).id == record.id


async def test_bad_revoked_and_expired_keys_are_refused(env: Env) -> None:
    secret, record = env.key()
    for header in (None, "", "Bearer nope", f"Token {secret}", "Basic !!!", f"Bearer {secret}x"):
        with pytest.raises(KeyInvalid):
            await env.gw.authenticate(header)
    revoke_key(env.store, record.id, actor="test")
    env.gw.forget_key(record.id)
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {secret}")
    short, _ = env.key(expires_at=env.store.clock() + timedelta(minutes=5), name="short")
    await env.gw.authenticate(f"Bearer {short}")
    env.store.clock.advance(minutes=6)  # type: ignore[attr-defined]
    env.gw._keys.clear()
    with pytest.raises(KeyExpired):
        await env.gw.authenticate(f"Bearer {short}")


async def test_basic_password_carries_the_key(env: Env) -> None:
    import base64

    secret, record = env.key()
    basic = base64.b64encode(f"anyone:{secret}".encode()).decode()
    assert (await env.gw.authenticate(f"Basic {basic}")).id == record.id


async def test_key_creation_validates_its_input(env: Env) -> None:
    await env.connect_cloud()
    with pytest.raises(InvalidInput):
        create_key(env.store, name="x", connections=["acme"], created_by="t", preset="nope")
    with pytest.raises(InvalidInput):
        create_key(env.store, name="x", connections=["acme"], created_by="t", preset=None, scopes=["root:x"])
    with pytest.raises(InvalidInput):
        create_key(env.store, name="x", connections=[], created_by="t", preset="full")
    with pytest.raises(NotFound):
        create_key(env.store, name="x", connections=["ghost"], created_by="t", preset="full")
    with pytest.raises(InvalidInput):
        create_key(env.store, name="  ", connections=["acme"], created_by="t", preset="full")
    assert list_keys(env.store) == []


async def test_proxied_calls_stamp_the_key_and_the_connection_as_used(env: Env) -> None:
    conn = await env.connect_cloud()
    secret, record = env.key(connections=["acme"], preset="read-only")
    with env.store.transaction() as tx:
        assert tx.connections.get(conn.id).last_used_at is None
    before = env.store.clock()
    env.store.clock.advance(minutes=1)  # type: ignore[attr-defined]
    r = await env.client.get("/jira/acme/rest/api/3/myself", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200, r.text
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        used = tx.connections.get(conn.id).last_used_at
        key_used = tx.keys.get(record.id).last_used_at
    assert used is not None
    assert used > before
    assert key_used is not None
    assert key_used > before
