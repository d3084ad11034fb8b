"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at ``JIRAGW_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/``, trust auth). One throwaway
database with a random name is created per test session (migrated once, its
tables emptied before each test) and dropped at the end; migration tests get a
database of their own. When the server is unreachable the PostgreSQL variants
skip with the reason, unless ``JIRAGW_STRICT=1``, which makes them fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from jiragw.store import KeyRecord, Store, make_engine, migrate
from jiragw.vault import Keyring

PG_URL = make_url(os.environ.get("JIRAGW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/"))
TABLES = (
    "audit_events",
    "oauth_states",
    "connections",
    "grants",
    "gateway_keys",
    "admin_tokens",
    "vault_canary",
)
_probe: dict[str, str | None] = {}


def need_postgres() -> URL:
    """The admin URL of the test server, or skip (fail under JIRAGW_STRICT=1) when unreachable."""
    if "error" not in _probe:
        engine = create_engine(PG_URL.set(database="postgres"), connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            _probe["error"] = None
        except OperationalError as exc:
            _probe["error"] = type(exc.orig).__name__
        finally:
            engine.dispose()
    if _probe["error"] is None:
        return PG_URL.set(database="postgres")
    message = f"PostgreSQL at {PG_URL.render_as_string()} is unreachable ({_probe['error']})"
    if os.environ.get("JIRAGW_STRICT") == "1":
        pytest.fail(message + "; JIRAGW_STRICT=1 forbids skipping")
    pytest.skip(message)


def _create_database(admin: URL) -> URL:
    name = f"jiragw_test_{secrets.token_hex(6)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin.set(database=name)


def _drop_database(admin: URL, url: URL) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_session_database() -> Iterator[URL]:
    """The session's throwaway PostgreSQL database, migrated to head."""
    admin = need_postgres()
    url = _create_database(admin)
    try:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
    finally:
        _drop_database(admin, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin = need_postgres()
    url = _create_database(admin)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _drop_database(admin, url)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A migrated database with empty tables."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'jiragw.sqlite3'}"
    url: URL = request.getfixturevalue("pg_session_database")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "keyring.json"


@pytest.fixture
def keyring(keyring_path: Path) -> Keyring:
    return Keyring.create_file(keyring_path)


class FakeClock:
    """A controllable clock for the store (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, keyring: Keyring, clock: FakeClock) -> Iterator[Store]:
    opened = Store.open(db_url, keyring, clock=clock)
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture
def open_store(db_url: str, clock: FakeClock) -> Iterator[Callable[[Keyring], Store]]:
    """Open more stores on the same database (another keyring, another 'process')."""
    opened: list[Store] = []

    def make(ring: Keyring) -> Store:
        opened.append(Store.open(db_url, ring, clock=clock))
        return opened[-1]

    yield make
    for item in opened:
        item.dispose()


def key_record(scopes: Iterable[str], *, read_only: bool = False) -> KeyRecord:
    """An in-memory gateway key (never stored) with this ceiling, for every connection."""
    return KeyRecord(
        id="k1",
        name="k",
        prefix="jgw_abcdefgh",
        scopes=frozenset(scopes),
        read_only=read_only,
        connection_ids=frozenset({"*"}),
        created_by="test",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        expires_at=None,
        revoked_at=None,
        last_used_at=None,
    )
