"""Every secret column: round trip, nothing readable in a raw dump, and bound to its cell."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, select, text, update
from sqlalchemy.engine import make_url

from jiragw.errors import DecryptionFailed
from jiragw.secrets import Secret
from jiragw.store import SECRET_COLUMNS, GrantMethod, Store
from jiragw.store.secret_columns import column_for

TAG = secrets.token_hex(4)


def canary(field: str) -> Secret:
    return Secret(f"canary-{field}-{TAG}")


STATE = Secret(f"state-canary-{TAG}-" + "s" * 24)
INITIATOR = Secret(f"initiator-canary-{TAG}")


def _fill(store: Store) -> tuple[str, str]:
    with store.transaction() as tx:
        grant = tx.grants.create(
            GrantMethod.OAUTH1,
            client_id="jiragw-consumer",
            secrets={f: canary(f) for f in SECRET_COLUMNS["grants"]},  # type: ignore[misc]
        )
        state = tx.states.create(
            state=STATE,
            kind=GrantMethod.OAUTH1,
            initiator=INITIATOR,
            grant_id=grant.id,
            **{f: canary(f) for f in SECRET_COLUMNS["oauth_states"]},  # type: ignore[arg-type]
        )
    return grant.id, state.id


def _canaries() -> list[str]:
    fields = [f for group in SECRET_COLUMNS.values() for f in group]
    return [canary(f).reveal() for f in fields] + [STATE.reveal(), INITIATOR.reveal()]


def test_every_secret_column_round_trips(store: Store) -> None:
    grant_id, _ = _fill(store)
    with store.transaction() as tx:
        grant = tx.grants.get(grant_id)
        record = tx.states.consume(STATE, initiator=INITIATOR)
    for field in SECRET_COLUMNS["grants"]:
        assert getattr(grant, field) == canary(field), field
    for field in SECRET_COLUMNS["oauth_states"]:
        assert getattr(record, field) == canary(field), field
    # Nothing decrypted leaks through a record's repr.
    for text_form in (repr(grant), repr(record)):
        assert not [c for c in _canaries() if c in text_form]


def _dump(store: Store) -> bytes:
    """Every byte the database holds (SQLite) or every column of every row as text (PostgreSQL)."""
    if store.dialect == "sqlite":
        database = make_url(str(store.engine.url)).database
        assert database
        store.dispose()
        path = Path(database)
        files = [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks: list[str] = []
    metadata = MetaData()
    metadata.reflect(store.engine)
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            assert isinstance(table, Table)
            columns = ", ".join(f'CAST("{c.name}" AS TEXT)' for c in table.columns)
            # Names come from reflecting our own throwaway database, not from input.
            query = text(f'SELECT {columns} FROM "{table.name}"')  # noqa: S608
            for row in conn.execute(query):
                chunks.extend(value for value in row if value is not None)
    return "\n".join(chunks).encode()


def test_raw_dump_holds_no_plaintext(store: Store) -> None:
    _fill(store)
    dump = _dump(store)
    assert b"v1." in dump  # the ciphertexts are there (the dump is not just empty)
    assert b"jiragw-consumer" in dump
    leaked = [c for c in _canaries() if c.encode() in dump]
    assert leaked == []


@pytest.mark.parametrize(
    ("source", "target", "same_row"),
    [
        ("access_token", "access_token", False),  # moved to another grant
        ("access_token", "refresh_token", True),  # moved to another column
        ("refresh_token", "refresh_token", False),
        ("oauth1_private_key", "static_secret", True),
    ],
)
def test_moved_ciphertext_does_not_decrypt(store: Store, source: str, target: str, same_row: bool) -> None:
    donor, _ = _fill(store)
    receiver, _ = (donor, None) if same_row else _fill_other(store)
    grants = Table("grants", MetaData(), autoload_with=store.engine)
    with store.engine.begin() as conn:
        stolen = conn.execute(select(grants.c[column_for(source)]).where(grants.c.id == donor)).scalar_one()
        conn.execute(update(grants).where(grants.c.id == receiver).values({column_for(target): stolen}))
    with (
        pytest.raises(DecryptionFailed, match="failed authentication") as info,
        store.transaction() as tx,
    ):
        tx.grants.get(receiver)
    assert canary(source).reveal() not in str(info.value)
    # No internal ids in the message (it may reach a REST, MCP or CLI caller): no row id, no AAD, no key id.
    assert receiver not in str(info.value)
    assert "grants:" not in str(info.value)
    assert store.keyring.primary_kid not in str(info.value)


def _fill_other(store: Store) -> tuple[str, None]:
    with store.transaction() as tx:
        other = tx.grants.create(
            GrantMethod.OAUTH2_3LO, secrets={"access_token": Secret("x"), "refresh_token": Secret("y")}
        )
    return other.id, None


def test_state_secret_moved_to_another_table_does_not_decrypt(store: Store) -> None:
    grant_id, state_id = _fill(store)
    metadata = MetaData()
    grants = Table("grants", metadata, autoload_with=store.engine)
    states = Table("oauth_states", metadata, autoload_with=store.engine)
    with store.engine.begin() as conn:
        verifier = conn.execute(
            select(states.c.pkce_verifier_enc).where(states.c.id == state_id)
        ).scalar_one()
        # Even with the same row id, the table name in the AAD differs.
        conn.execute(update(grants).where(grants.c.id == grant_id).values(client_secret_enc=verifier))
    with pytest.raises(DecryptionFailed), store.transaction() as tx:
        tx.grants.get(grant_id)
