from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from jiragw.errors import StoreBusy, StoreError
from jiragw.store import GrantMethod, Store, make_engine
from jiragw.store.engine import SQLITE_BEGIN
from jiragw.vault import Keyring


def test_sqlite_file_is_private_wal_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "data" / "jiragw.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        engine.dispose()


def test_sqlite_begin_immediate_takes_the_write_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    holder = make_engine(url)
    other = make_engine(url, sqlite_busy_timeout=0.05)
    try:
        # Nothing written yet, but the lock is held: another writer is refused.
        with (
            holder.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn,
            conn.begin(),
            pytest.raises(OperationalError, match="locked"),
            other.begin() as second,
        ):
            second.execute(text("CREATE TABLE t (x INTEGER)"))
    finally:
        holder.dispose()
        other.dispose()


def test_postgres_urls_use_psycopg() -> None:
    engine = make_engine("postgresql://u@127.0.0.1:1/db")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_lock_grant_excludes_another_holder(
    store: Store, open_store: Callable[[Keyring], Store], keyring: Keyring
) -> None:
    other = open_store(keyring)
    with store.transaction() as tx:
        grant = tx.grants.create(GrantMethod.OAUTH2_3LO)
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with store.lock_grant(grant.id):
                held.set()
                release.wait(30)
        except BaseException as exc:
            errors.append(exc)
            held.set()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30)
        with (
            pytest.raises(StoreBusy, match="lock was not granted"),
            other.lock_grant(grant.id, lock_timeout=0.1),
        ):
            pytest.fail("the second lock must not be granted")
    finally:
        release.set()
        thread.join(30)
    assert not errors
    # Released: the lock is available again, and the row is intact.
    with other.lock_grant(grant.id, lock_timeout=5) as (_, fresh):
        assert fresh.id == grant.id


def test_database_errors_are_translated(tmp_path: Path, keyring: Keyring) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'y.sqlite3'}", keyring, run_migrations=False)
    try:
        with pytest.raises(StoreError, match="OperationalError"), store.transaction() as tx:
            tx.session.execute(text("SELECT * FROM no_such_table"))
    finally:
        store.dispose()
