"""The schema's version: read without Alembic, upgraded with it.

The migrations ship in ``jiragw/store/migrations`` and Alembic runs them
programmatically (:func:`migrate`: ``upgrade head`` in one transaction, under
a lock so two processes starting at once do not both migrate). Every store
open checks the schema first; reading the version row takes one query, while
importing Alembic costs a large share of a short command's start-up, so
:func:`migrate_if_behind` compares the database's ``alembic_version`` with
:data:`HEAD_REVISION` and loads Alembic only when there is something to
upgrade (or a version it does not know, which Alembic then reports).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, inspect, text

from jiragw.store.engine import SQLITE_BEGIN

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "migrate",
    "migrate_if_behind",
]

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
# The newest revision in MIGRATIONS_DIR; a new migration moves it (a test compares it with
# Alembic's own view of the scripts, so the two cannot drift apart).
HEAD_REVISION: Final = "0003_vault_binding"
VERSION_TABLE: Final = "alembic_version"
_READ_VERSION: Final = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant
# Arbitrary constant naming the "migrating" advisory lock on PostgreSQL.
_MIGRATE_LOCK_ID: Final = 0x6A6977


def alembic_config(connection: Connection | None = None, *, keyring: object | None = None) -> Config:
    """An Alembic config for the packaged migrations, optionally bound to ``connection``.

    ``keyring`` (a :class:`jiragw.vault.Keyring`) is for migrations that seal
    existing rows (``config.attributes["keyring"]``).
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    config.attributes["keyring"] = keyring
    return config


def migrate(engine: Engine, revision: str = "head", *, keyring: object | None = None) -> None:
    """Upgrade the database to ``revision`` (default: the newest), in one transaction.

    ``keyring`` lets a migration seal what is already stored (see ``rev_0003_vault_binding``);
    without it, such a migration stops on a database that holds rows to seal.
    """
    from alembic import command

    options = {SQLITE_BEGIN: "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATE_LOCK_ID})")
        command.upgrade(alembic_config(conn, keyring=keyring), revision)


def migrate_if_behind(engine: Engine, *, keyring: object | None = None) -> None:
    """:func:`migrate` to the newest schema unless the database already records :data:`HEAD_REVISION`."""
    if current_revision(engine) != HEAD_REVISION:
        migrate(engine, keyring=keyring)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        versions = conn.execute(_READ_VERSION).scalars().all()
    if len(versions) > 1:
        raise ValueError(f"the database records several schema versions: {', '.join(versions)}")
    return versions[0] if versions else None
