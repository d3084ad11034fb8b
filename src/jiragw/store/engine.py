"""Engines: SQLite (WAL, foreign keys, ``BEGIN IMMEDIATE``) or PostgreSQL (psycopg 3).

The store is synchronous SQLAlchemy 2 on purpose: async code runs database
work in threads (:meth:`jiragw.store.Store.run`), which keeps one code path
for both backends and lets a transaction hold a row lock across an awaited
token call without an async driver.

SQLite: the stdlib driver's own transaction handling is switched off and this
module emits ``BEGIN`` itself, so a session can start with ``BEGIN IMMEDIATE``
(take the write lock up front — the broker's cross-process refresh lock) by
passing the execution option :data:`SQLITE_BEGIN` = ``"IMMEDIATE"``. Every
connection gets ``journal_mode=WAL`` (file databases), ``foreign_keys=ON`` and
a busy timeout; a new database file is created with mode 0600.

The schema's migrations are :mod:`jiragw.store.migration`'s.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["SQLITE_BEGIN", "SQLITE_BUSY_TIMEOUT", "make_engine"]

SQLITE_BEGIN: Final = "jiragw_sqlite_begin"
SQLITE_BUSY_TIMEOUT: Final = "jiragw_sqlite_busy_timeout"
_DEFAULT_BUSY_TIMEOUT_S: Final = 30.0


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:") or url.query.get("mode"):
        return None
    return Path(database).expanduser()


def _prepare_sqlite_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # Create it ourselves so it is private from the first byte; SQLite gives
        # the -wal and -shm files the same mode.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _install_sqlite_events(engine: Engine, *, wal: bool, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # A per-transaction timeout (SQLITE_BUSY_TIMEOUT) must not leak to the next user.
        dbapi_connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        timeout = options.get(SQLITE_BUSY_TIMEOUT)
        if timeout is not None:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(float(timeout) * 1000)}")
        mode = options.get(SQLITE_BEGIN)
        if mode is None:
            conn.exec_driver_sql("BEGIN")
        elif mode in {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}:
            conn.exec_driver_sql(f"BEGIN {mode}")
        else:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")


def make_engine(
    url: str | URL,
    *,
    sqlite_busy_timeout: float = _DEFAULT_BUSY_TIMEOUT_S,
    **kwargs: Any,
) -> Engine:
    """An engine for a SQLite or PostgreSQL (``postgresql+psycopg``) URL, configured as described above.

    ``sqlite_busy_timeout`` is how long a SQLite transaction waits for another
    writer before failing; extra ``kwargs`` go to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            _prepare_sqlite_file(path)
        engine = create_engine(parsed, **kwargs)
        _install_sqlite_events(engine, wal=path is not None, busy_timeout_ms=int(sqlite_busy_timeout * 1000))
        return engine
    if backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise ValueError(f"unsupported database backend {backend!r}")
