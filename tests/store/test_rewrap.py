"""Key rotation end to end: rotate -> rewrap -> retire, with the store on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, select, update

from jiragw.errors import Conflict, DecryptionFailed, StoreBusy
from jiragw.secrets import Secret
from jiragw.store import SECRET_COLUMNS, GrantMethod, GrantStatus, Store, count_by_kid, rewrap_all
from jiragw.store.rewrap import MALFORMED
from jiragw.vault import Keyring, peek_kid
from jiragw.vault.keyfile import read_keyfile


def _fill(store: Store) -> str:
    with store.transaction() as tx:
        grant = tx.grants.create(
            GrantMethod.OAUTH2_3LO,
            secrets={
                "client_secret": Secret("cs"),
                "access_token": Secret("at"),
                "refresh_token": Secret("rt"),
            },
        )
        tx.states.create(
            state=Secret("s" * 32), kind=GrantMethod.DC_OAUTH2, initiator="i", pkce_verifier=Secret("pv")
        )
    return grant.id


def test_rotate_rewrap_retire(
    store: Store, keyring: Keyring, keyring_path: Path, open_store: Callable[[Keyring], Store]
) -> None:
    grant_id = _fill(store)
    old = keyring.primary_kid
    assert store.count_by_kid() == {old: 4}

    rotated = Keyring.rotate(keyring_path)
    new = rotated.primary_kid
    # Before the rewrap the old key is still needed, so it cannot be retired.
    with pytest.raises(Conflict, match="still encrypts 4"):
        Keyring.retire(keyring_path, old, usage=store.count_by_kid())

    # New writes use the new key; old values still read.
    fresh = store.with_keyring(rotated)
    with fresh.transaction() as tx:
        tx.grants.store_tokens(
            grant_id, access_token=Secret("at2"), refresh_token=Secret("rt2"), expires_at=None
        )
    assert fresh.count_by_kid() == {old: 2, new: 2}

    result = fresh.rewrap_all()
    assert result.rewrapped == {"grants.client_secret": 1, "oauth_states.pkce_verifier": 1}
    assert result.current == 2
    assert result.skipped == 0
    assert fresh.count_by_kid() == {new: 4}
    assert fresh.rewrap_all().total_rewrapped == 0  # idempotent

    retired = Keyring.retire(keyring_path, old, usage=fresh.count_by_kid())
    assert old not in retired.kids
    # A process started now, with only the new key, reads everything.
    later = open_store(Keyring.load(keyring_path))
    with later.transaction() as tx:
        grant = tx.grants.get(grant_id)
        assert (grant.client_secret, grant.access_token, grant.refresh_token) == (
            Secret("cs"),
            Secret("at2"),
            Secret("rt2"),
        )
        assert tx.states.consume(Secret("s" * 32), initiator="i").pkce_verifier == Secret("pv")
    # The grant's version only moved for the token write, not for the rewrap.
    with later.transaction() as tx:
        assert tx.grants.get(grant_id).version == 2


def test_retired_key_leftover_fails_closed(store: Store, keyring_path: Path) -> None:
    grant_id = _fill(store)
    old = store.keyring.primary_kid
    Keyring.rotate(keyring_path)
    # Retire while lying about usage: the leftover values must fail, never decrypt to garbage.
    ring = Keyring.retire(keyring_path, old, usage={})
    with pytest.raises(DecryptionFailed, match="retired key"), store.with_keyring(ring).transaction() as tx:
        tx.grants.get(grant_id)


def test_count_by_kid_reports_malformed_values(store: Store) -> None:
    grant_id = _fill(store)
    grants = Table("grants", MetaData(), autoload_with=store.engine)
    with store.engine.begin() as conn:
        conn.execute(update(grants).where(grants.c.id == grant_id).values(refresh_token_enc="plaintext!"))
    counts = store.count_by_kid()
    assert counts[MALFORMED] == 1
    assert sum(counts.values()) == 4


def test_rewrap_does_not_overwrite_a_concurrent_token_write(
    store: Store, keyring_path: Path, open_store: Callable[[Keyring], Store]
) -> None:
    """A token rotated while the rewrap runs is kept, not replaced by its stale predecessor."""
    grant_id = _fill(store)
    rotated = Keyring.rotate(keyring_path)
    broker = open_store(rotated)
    grants = Table("grants", MetaData(), autoload_with=store.engine)
    done = threading.Event()
    outcome: list[BaseException | None] = []

    class Interleaving(Keyring):
        __slots__ = ()

        def decrypt_bytes(self, envelope: str, aad: str) -> bytes:
            # As the rewrap reaches the grant (before it writes any of its cells), the broker rotates
            # the tokens in another transaction.
            if aad.startswith("grants:") and not done.is_set():
                done.set()
                if store.dialect == "postgresql":
                    with broker.transaction() as tx:
                        tx.grants.store_tokens(
                            grant_id, access_token=Secret("at9"), refresh_token=Secret("rt9"), expires_at=None
                        )
                else:
                    # SQLite: the rewrap holds the write lock, so the broker must wait (here: give up).
                    try:
                        with broker.transaction(lock_timeout=0.05) as tx:
                            tx.grants.set_status(grant_id, GrantStatus.REFRESHING)
                        outcome.append(None)
                    except BaseException as exc:
                        outcome.append(exc)
            return super().decrypt_bytes(envelope, aad)

    data = read_keyfile(keyring_path)
    interleaving = Interleaving([e.key for e in data.keys.values()], primary=data.primary)
    assert interleaving.kids == rotated.kids

    with store.transaction(immediate=True) as tx:
        result = rewrap_all(tx.session, interleaving)
    assert done.is_set()
    with broker.transaction() as tx:
        grant = tx.grants.get(grant_id)
        counts = count_by_kid(tx.session)
    if store.dialect == "postgresql":
        assert result.skipped == 2  # access and refresh token changed under the rewrap's feet
        assert grant.refresh_token == Secret("rt9")
        assert grant.access_token == Secret("at9")
    else:
        assert len(outcome) == 1
        assert isinstance(outcome[0], StoreBusy)
        assert result.skipped == 0
        assert grant.refresh_token == Secret("rt")
    assert counts == {rotated.primary_kid: 4}
    with store.engine.connect() as conn:
        stored = conn.execute(select(grants.c.refresh_token_enc).where(grants.c.id == grant_id)).scalar_one()
    assert peek_kid(stored) == rotated.primary_kid
    assert set(SECRET_COLUMNS) == {"grants", "oauth_states"}
