"""Alembic environment for jiragw's packaged migrations.

Used programmatically by :func:`jiragw.store.engine.migrate`, which hands over
an open connection in ``config.attributes["connection"]``. Without one (plain
``alembic`` against this directory) the URL comes from ``JIRAGW_DATABASE_URL``.
``render_as_batch`` keeps ALTERs portable to SQLite.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from jiragw.config import Settings
from jiragw.store.engine import make_engine
from jiragw.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(Settings.from_env().database_url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
