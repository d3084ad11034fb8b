"""The gateway's shared state: key authentication, its cache, last-used times (gateway/state.py).

Runs on a real Gateway over SQLite and PostgreSQL (the ``env`` fixture); the
key cache's clock is replaced by a fake one, the store's clock is the fixture's.
"""

from __future__ import annotations

import base64
import gc
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from jiragw.errors import AuthError, KeyExpired, KeyInvalid, KeyRevoked
from jiragw.gateway.state import KEY_CACHE_SIZE, KEY_CACHE_TTL, UNKNOWN_KEY_CACHE_SIZE
from jiragw.keys import mint_key, revoke_key
from jiragw.store import Tx

from .conftest import Env

CANARY = "jgw_canary" + "Q" * 37


class Mono:
    """A fake monotonic clock for the key cache."""

    def __init__(self) -> None:
        self.t = 500.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def mono(env: Env) -> Mono:
    clock = Mono()
    env.gw.monotonic = clock
    return clock


@pytest.fixture
def db_reads(env: Env, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the gateway's trips to the database through the broker."""
    calls: list[int] = []
    real = env.broker.db

    async def counting(fn: Callable[[Tx], Any], *, write: bool = False) -> Any:
        calls.append(1)
        return await real(fn, write=write)

    monkeypatch.setattr(env.broker, "db", counting)
    return calls


def advance(env: Env, **delta: float) -> None:
    env.store.clock.advance(**delta)  # type: ignore[attr-defined]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def read(env: Env, fn: Callable[[Tx], Any]) -> Any:
    with env.store.transaction() as tx:
        return fn(tx)


# -- accepted forms --------------------------------------------------------------------------------


async def test_a_bearer_key_authenticates_as_its_record(env: Env) -> None:
    secret, record = env.key(name="bearer")
    env.key(name="another")
    for header in (f"Bearer {secret}", f"bearer {secret}", f"  Bearer  {secret} "):
        got = await env.gw.authenticate(header)
        assert got.id == record.id
        assert got.name == "bearer"


async def test_the_basic_password_carries_the_key_whatever_the_user(env: Env) -> None:
    secret, record = env.key()
    for user in ("alice@example.com", "", "x"):
        assert (await env.gw.authenticate(basic(user, secret))).id == record.id


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer " + CANARY[:-1],
        f"Token {CANARY}",
        f"Bearer {CANARY}{CANARY}",
        basic(CANARY, ""),
        "Basic " + base64.b64encode(CANARY.encode()).decode(),
        "Basic not-base64-" + CANARY,
        f"Bearer {CANARY}=",
    ],
)
async def test_a_missing_or_malformed_header_is_key_invalid_without_a_database_read(
    env: Env, db_reads: list[int], header: str | None
) -> None:
    with pytest.raises(KeyInvalid) as refused:
        await env.gw.authenticate(header)
    assert refused.value.code == "key_invalid"
    assert refused.value.status == 401
    assert isinstance(refused.value, AuthError)
    shown = f"{refused.value} {refused.value!r} {refused.value.to_dict()}"
    assert "canary" not in shown
    assert db_reads == []


async def test_an_unknown_key_is_key_invalid_and_the_answer_is_cached(
    env: Env, db_reads: list[int], mono: Mono
) -> None:
    unknown = mint_key().secret.reveal()
    for _ in range(3):
        with pytest.raises(KeyInvalid) as refused:
            await env.gw.authenticate(f"Bearer {unknown}")
        assert refused.value.code == "key_invalid"
        assert unknown not in f"{refused.value} {refused.value.to_dict()}"
    assert len(db_reads) == 1  # a flood of one made-up key costs one read per TTL
    mono.t += KEY_CACHE_TTL
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(f"Bearer {unknown}")
    assert len(db_reads) == 2


async def test_a_revoked_key_is_key_revoked(env: Env) -> None:
    secret, record = env.key()
    revoke_key(env.store, record.id, actor="test")
    with pytest.raises(KeyRevoked) as refused:
        await env.gw.authenticate(f"Bearer {secret}")
    assert refused.value.code == "key_revoked"
    assert refused.value.status == 401
    assert secret not in f"{refused.value} {refused.value.to_dict()}"


async def test_an_expired_key_is_key_expired(env: Env) -> None:
    secret, _ = env.key(expires_at=env.gw.now() + timedelta(minutes=5))
    await env.gw.authenticate(f"Bearer {secret}")
    advance(env, minutes=5)  # expires_at <= now: expired
    with pytest.raises(KeyExpired) as refused:
        await env.gw.authenticate(f"Bearer {secret}")
    assert refused.value.code == "key_expired"
    assert refused.value.status == 401


async def test_a_revoked_key_stays_revoked_after_its_expiry(env: Env) -> None:
    secret, record = env.key(expires_at=env.gw.now() + timedelta(minutes=5))
    revoke_key(env.store, record.id, actor="test")
    advance(env, minutes=10)
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {secret}")


# -- the key cache --------------------------------------------------------------------------------


async def test_a_key_is_read_from_the_database_once_per_ttl(
    env: Env, db_reads: list[int], mono: Mono
) -> None:
    secret, _ = env.key()
    await env.gw.authenticate(f"Bearer {secret}")
    mono.t += KEY_CACHE_TTL - 0.01
    await env.gw.authenticate(f"Bearer {secret}")
    await env.gw.authenticate(basic("u", secret))  # same key, other form: same cache entry
    assert len(db_reads) == 1
    mono.t += 0.01
    await env.gw.authenticate(f"Bearer {secret}")
    assert len(db_reads) == 2


async def test_a_revocation_elsewhere_is_seen_within_the_ttl(env: Env, mono: Mono) -> None:
    secret, record = env.key()
    await env.gw.authenticate(f"Bearer {secret}")
    revoke_key(env.store, record.id, actor="another process")  # this gateway is not told
    mono.t += KEY_CACHE_TTL - 0.01
    assert (await env.gw.authenticate(f"Bearer {secret}")).id == record.id
    mono.t += 0.01
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {secret}")


async def test_forget_key_makes_a_revocation_take_effect_at_once(
    env: Env, db_reads: list[int], mono: Mono
) -> None:
    secret, record = env.key(name="revoked")
    other, other_record = env.key(name="kept")
    await env.gw.authenticate(f"Bearer {secret}")
    await env.gw.authenticate(f"Bearer {other}")
    revoke_key(env.store, record.id, actor="test")
    env.gw.forget_key(record.id)
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {secret}")
    assert len(db_reads) == 3
    assert (await env.gw.authenticate(f"Bearer {other}")).id == other_record.id  # still cached
    assert len(db_reads) == 3
    env.gw.forget_key("no-such-key")  # not an error


async def test_forget_key_leaves_cached_unknown_keys_alone(env: Env, db_reads: list[int], mono: Mono) -> None:
    unknown = mint_key().secret.reveal()
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(f"Bearer {unknown}")
    env.gw.forget_key("anything")
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(f"Bearer {unknown}")
    assert len(db_reads) == 1


async def test_expiry_is_checked_on_every_call_even_from_the_cache(
    env: Env, db_reads: list[int], mono: Mono
) -> None:
    secret, _ = env.key(expires_at=env.gw.now() + timedelta(minutes=1))
    await env.gw.authenticate(f"Bearer {secret}")
    advance(env, minutes=2)  # the cache entry itself is still fresh
    with pytest.raises(KeyExpired):
        await env.gw.authenticate(f"Bearer {secret}")
    assert len(db_reads) == 1


async def test_twenty_thousand_unknown_keys_grow_the_process_by_less_than_2_mb(
    env: Env, monkeypatch: pytest.MonkeyPatch, mono: Mono
) -> None:
    """A flood of made-up keys is bounded by the unknown-key LRU, and never evicts a real key."""
    secret, record = env.key()
    await env.gw.authenticate(f"Bearer {secret}")
    looked_up: list[int] = []

    async def nobody(fn: Callable[[Tx], Any], *, write: bool = False) -> None:
        looked_up.append(1)  # every made-up key is read once: the flood costs reads, not memory

    monkeypatch.setattr(env.broker, "db", nobody)
    flood = [f"Bearer {mint_key().secret.reveal()}" for _ in range(20_000)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for header in flood:
            with pytest.raises(KeyInvalid):
                await env.gw.authenticate(header)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 2 * 1024 * 1024, f"grew by {grown} bytes"
    assert len(looked_up) == 20_000
    assert (await env.gw.authenticate(f"Bearer {secret}")).id == record.id  # still cached: no read
    assert len(looked_up) == 20_000


async def test_the_key_caches_keep_the_most_recently_used_within_their_bounds(
    env: Env, db_reads: list[int], mono: Mono, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jiragw.gateway.state.UNKNOWN_KEY_CACHE_SIZE", 3)
    monkeypatch.setattr("jiragw.gateway.state.KEY_CACHE_SIZE", 2)
    unknown = [f"Bearer {mint_key().secret.reveal()}" for _ in range(4)]
    for header in unknown[:3]:
        with pytest.raises(KeyInvalid):
            await env.gw.authenticate(header)
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(unknown[0])  # a hit: now the most recently used
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(unknown[3])  # evicts unknown[1], the least recently used
    assert len(db_reads) == 4
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(unknown[0])
    assert len(db_reads) == 4
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(unknown[1])
    assert len(db_reads) == 5

    real = [env.key(name=f"k{n}")[0] for n in range(3)]
    for secret in real:
        await env.gw.authenticate(f"Bearer {secret}")
    assert len(db_reads) == 8
    await env.gw.authenticate(f"Bearer {real[2]}")  # cached
    await env.gw.authenticate(f"Bearer {real[0]}")  # evicted by real[2]: read again
    assert len(db_reads) == 9
    assert KEY_CACHE_SIZE >= 1024
    assert 0 < UNKNOWN_KEY_CACHE_SIZE <= 4096


# -- last-used times ------------------------------------------------------------------------------


async def test_a_successful_authentication_reports_the_key_as_used(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, datetime]] = []
    real = env.gw.audit.key_used

    def spy(key_id: str, at: datetime) -> None:
        seen.append((key_id, at))
        real(key_id, at)

    monkeypatch.setattr(env.gw.audit, "key_used", spy)
    secret, record = env.key()
    revoked, revoked_record = env.key(name="revoked")
    revoke_key(env.store, revoked_record.id, actor="test")
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {revoked}")
    with pytest.raises(KeyInvalid):
        await env.gw.authenticate(None)
    assert seen == []
    advance(env, minutes=3)
    await env.gw.authenticate(f"Bearer {secret}")
    assert seen == [(record.id, env.gw.now())]


async def test_last_used_reaches_the_store_when_the_audit_writer_flushes(env: Env) -> None:
    secret, record = env.key()
    revoked, revoked_record = env.key(name="revoked")
    revoke_key(env.store, revoked_record.id, actor="test")
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) is None
    advance(env, minutes=1)
    await env.gw.authenticate(f"Bearer {secret}")
    with pytest.raises(KeyRevoked):
        await env.gw.authenticate(f"Bearer {revoked}")
    used_at = env.gw.now()
    advance(env, minutes=1)
    await env.gw.audit.flush()
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) == used_at
    assert read(env, lambda tx: tx.keys.get(revoked_record.id).last_used_at) is None


async def test_touch_used_writes_key_and_connection_times(env: Env) -> None:
    conn = await env.connect_cloud()
    _, record = env.key(connections=["acme"])
    t0 = env.gw.now()
    env.gw._touch_used(
        {
            f"key:{record.id}": t0 + timedelta(minutes=1),
            f"conn:{conn.id}": t0 + timedelta(minutes=2),
            "key:no-such-key": t0,
            "conn:no-such-connection": t0,
            "other:ignored": t0,
        }
    )
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) == t0 + timedelta(minutes=1)
    assert read(env, lambda tx: tx.connections.get(conn.id).last_used_at) == t0 + timedelta(minutes=2)


async def test_touch_used_does_not_confuse_a_key_and_a_connection_with_the_same_id(env: Env) -> None:
    conn = await env.connect_cloud()
    _, record = env.key(connections=["acme"])
    t0 = env.gw.now()
    # each prefix goes to its own table only: a key's time must not land on a connection
    env.gw._touch_used({f"key:{conn.id}": t0, f"conn:{record.id}": t0})
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) is None
    assert read(env, lambda tx: tx.connections.get(conn.id).last_used_at) is None


async def test_touch_used_never_moves_a_time_backwards(env: Env) -> None:
    conn = await env.connect_cloud()
    _, record = env.key(connections=["acme"])
    t0 = env.gw.now()
    env.gw._touch_used({f"key:{record.id}": t0, f"conn:{conn.id}": t0})
    env.gw._touch_used(
        {f"key:{record.id}": t0 - timedelta(hours=1), f"conn:{conn.id}": t0 - timedelta(hours=1)}
    )
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) == t0
    assert read(env, lambda tx: tx.connections.get(conn.id).last_used_at) == t0


async def test_the_audit_writer_hands_its_batch_to_touch_used(env: Env) -> None:
    conn = await env.connect_cloud()
    _, record = env.key(connections=["acme"])
    at = env.gw.now() + timedelta(seconds=30)
    env.gw.audit.key_used(record.id, at)
    env.gw.audit.connection_used(conn.id, at)
    await env.gw.audit.flush()
    assert read(env, lambda tx: tx.keys.get(record.id).last_used_at) == at
    assert read(env, lambda tx: tx.connections.get(conn.id).last_used_at) == at
