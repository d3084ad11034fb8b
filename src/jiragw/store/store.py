"""The store façade: one engine, one keyring, transactions that hand out the repositories.

This is the boundary where SQLAlchemy meets the rest of jiragw: database
errors leave it as :class:`~jiragw.errors.StoreBusy` (a lock not granted in
time — safe to retry) or :class:`~jiragw.errors.StoreError`, with ``from exc``
and a message that carries no SQL parameters.

Synchronous by design (see :mod:`jiragw.store.engine`), with one async face
for the event loop: :meth:`Store.run` runs one transaction in a worker thread,
and :meth:`Store.call` runs a function of the store (one that opens its own
transactions) there. Async code reaches the database only through these two.

:meth:`Store.lock_grant` is the cross-process half of the broker's
single-flight refresh: ``BEGIN IMMEDIATE`` on SQLite (the database write
lock), ``SELECT ... FOR UPDATE`` on the grant row on PostgreSQL, held until
the transaction that stores the new tokens commits.

The keyring is live (:class:`~jiragw.vault.LiveKeyring`): a value under a key
this process has not loaded makes it re-read the keyring file once, so
``jiragw vault rotate && jiragw vault rewrap`` in another process needs no
restart; :meth:`Store.reload_keyring` does it on demand (SIGHUP).
:meth:`Store.open` migrates with the keyring at hand (a migration may seal
existing rows) and writes the vault canary that :meth:`Store.check_canary`
opens for ``/readyz``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from jiragw.config import Settings
from jiragw.errors import StoreBusy, StoreError
from jiragw.store.admin_tokens import AdminTokenRepo
from jiragw.store.audit import AuditRepo
from jiragw.store.connections import ConnectionRepo
from jiragw.store.destinations import check_canary, ensure_canary, has_canary
from jiragw.store.engine import SQLITE_BEGIN, SQLITE_BUSY_TIMEOUT, make_engine
from jiragw.store.grants import GrantRecord, GrantRepo
from jiragw.store.keys import KeyRepo
from jiragw.store.migration import migrate_if_behind
from jiragw.store.oauth_states import OAuthStateRepo
from jiragw.store.rewrap import RewrapResult, binding_count_by_kid, count_by_kid, rewrap_all
from jiragw.store.secret_columns import SecretCodec
from jiragw.store.types import utcnow
from jiragw.vault import Keyring, LiveKeyring

__all__ = ["Store", "Tx"]

T = TypeVar("T")
P = ParamSpec("P")


def _is_busy(exc: DBAPIError) -> bool:
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    if not type(orig).__module__.startswith("psycopg"):
        return False
    # Only a PostgreSQL store raises psycopg's errors, and it has loaded them already: a
    # SQLite store never imports psycopg.
    from psycopg import errors

    busy = (errors.LockNotAvailable, errors.QueryCanceled, errors.DeadlockDetected)
    return isinstance(orig, (*busy, errors.SerializationFailure))


@dataclass(frozen=True, slots=True)
class Tx:
    """One open transaction and the repositories bound to it."""

    session: Session
    grants: GrantRepo
    connections: ConnectionRepo
    states: OAuthStateRepo
    audit: AuditRepo
    keys: KeyRepo
    admin: AdminTokenRepo


class Store:
    """Engine + keyring + clock; open transactions with :meth:`transaction` or :meth:`lock_grant`."""

    def __init__(self, engine: Engine, keyring: Keyring, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.live_keyring = LiveKeyring(keyring)
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def open(
        cls,
        url: str,
        keyring: Keyring,
        *,
        run_migrations: bool = True,
        clock: Callable[[], datetime] = utcnow,
        **engine_kwargs: Any,
    ) -> Store:
        """Engine for ``url``, migrated to the newest schema unless told otherwise."""
        engine = make_engine(url, **engine_kwargs)
        store = cls(engine, keyring, clock=clock)
        if run_migrations:
            with _translated():
                migrate_if_behind(engine, keyring=keyring)
            store.ensure_canary()
        return store

    @classmethod
    def from_settings(cls, settings: Settings, *, run_migrations: bool = True) -> Store:
        """The store the settings describe (database URL, master key or keyring file)."""
        return cls.open(settings.database_url, Keyring.from_settings(settings), run_migrations=run_migrations)

    @property
    def keyring(self) -> Keyring:
        """The keyring in use now (replaced when the keyring file is re-read)."""
        return self.live_keyring.current

    def reload_keyring(self) -> bool:
        """Re-read the keyring file now (SIGHUP); whether the keys changed."""
        return self.live_keyring.reload()

    def ensure_canary(self) -> None:
        """Write the vault canary unless this database has one (a read, then a write only the first time)."""
        with self.transaction() as tx:
            if has_canary(tx.session):
                return
        with self.transaction(immediate=True) as tx:
            ensure_canary(tx.session, self.live_keyring)

    def check_canary(self) -> None:
        """Open the vault canary (written first if this database has none); raises unless the keyring can."""
        self.ensure_canary()
        with self.transaction() as tx:
            check_canary(tx.session, self.live_keyring)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def with_keyring(self, keyring: Keyring) -> Store:
        """The same database seen through another keyring (after a rotation)."""
        return Store(self.engine, keyring, clock=self.clock)

    def _tx(self, session: Session) -> Tx:
        codec = SecretCodec(self.live_keyring)
        return Tx(
            session=session,
            grants=GrantRepo(session, codec, self.clock),
            connections=ConnectionRepo(session, self.live_keyring, self.clock),
            states=OAuthStateRepo(session, codec, self.clock),
            audit=AuditRepo(session, self.clock),
            keys=KeyRepo(session, self.clock),
            admin=AdminTokenRepo(session, self.clock),
        )

    @contextmanager
    def transaction(self, *, immediate: bool = False, lock_timeout: float | None = None) -> Iterator[Tx]:
        """A transaction, committed when the block ends and rolled back if it raises.

        ``immediate`` takes SQLite's write lock up front (``BEGIN IMMEDIATE``);
        ``lock_timeout`` (seconds) bounds every lock wait inside the transaction.
        """
        with _translated(), self._sessions() as session:
            options: dict[str, Any] = {}
            if self.dialect == "sqlite":
                if immediate:
                    options[SQLITE_BEGIN] = "IMMEDIATE"
                if lock_timeout is not None:
                    options[SQLITE_BUSY_TIMEOUT] = lock_timeout
            connection = session.connection(execution_options=options or None)
            if self.dialect == "postgresql" and lock_timeout is not None:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(lock_timeout * 1000))}")
            try:
                yield self._tx(session)
            except BaseException:
                session.rollback()
                raise
            session.commit()

    async def run(self, fn: Callable[[Tx], T], *, write: bool = False) -> T:
        """Run ``fn`` in one transaction, in a worker thread; the async door to the database.

        ``write`` takes SQLite's write lock up front: a transaction that reads and
        then writes would otherwise fail at once with "database is locked" when
        another connection committed in between (WAL snapshot upgrade), instead
        of waiting its turn.
        """
        return await asyncio.to_thread(self._run, fn, write)

    async def call(self, fn: Callable[Concatenate[Store, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(store, *args, **kwargs)`` in a worker thread; ``fn`` opens its own transactions."""
        return await asyncio.to_thread(fn, self, *args, **kwargs)

    def _run(self, fn: Callable[[Tx], T], write: bool) -> T:
        with self.transaction(immediate=write) as tx:
            return fn(tx)

    @contextmanager
    def lock_grant(
        self, grant_id: str, *, lock_timeout: float | None = None
    ) -> Iterator[tuple[Tx, GrantRecord]]:
        """Lock one grant against every other thread and process; yields it freshly re-read.

        Store the refreshed tokens through the yielded :class:`Tx` before the
        block ends: the lock is released by that commit. :class:`StoreBusy` if
        the lock is not granted within ``lock_timeout`` seconds.
        """
        with self.transaction(immediate=True, lock_timeout=lock_timeout) as tx:
            yield tx, tx.grants.get(grant_id, lock=True)

    def rewrap_all(self, keyring: Keyring | None = None) -> RewrapResult:
        """Re-encrypt every secret under the primary key of ``keyring`` (default: this store's), in one go."""
        with self.transaction(immediate=True) as tx:
            return rewrap_all(tx.session, keyring or self.keyring)

    def count_by_kid(self) -> dict[str, int]:
        """Stored secret values per key id."""
        with self.transaction() as tx:
            return count_by_kid(tx.session)

    def key_usage(self) -> dict[str, int]:
        """Every sealed value per key id (secrets, address seals, the canary), for :meth:`Keyring.retire`."""
        with self.transaction() as tx:
            usage = count_by_kid(tx.session)
            for kid, n in binding_count_by_kid(tx.session).items():
                usage[kid] = usage.get(kid, 0) + n
            return usage

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        if _is_busy(exc):
            raise StoreBusy(f"the database is busy: a lock was not granted in time ({kind})") from exc
        raise StoreError(f"database error ({kind})") from exc
