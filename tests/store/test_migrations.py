from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from jiragw.store import alembic_config, current_revision, make_engine, migrate
from jiragw.store.engine import MIGRATIONS_DIR
from jiragw.store.models import Base

TABLES = {"grants", "connections", "oauth_states", "audit_events", "gateway_keys", "admin_tokens"}
HEAD = "0003_vault_binding"


def test_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS_DIR.is_dir()
    assert (MIGRATIONS_DIR / "env.py").is_file()
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]


def test_upgrade_from_empty_check_and_downgrade(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    try:
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())

        migrate(engine)
        assert current_revision(engine) == HEAD
        assert set(inspect(engine).get_table_names()) >= TABLES
        migrate(engine)  # idempotent
        assert current_revision(engine) == HEAD

        # Models and migrations agree: autogenerate finds nothing to do.
        with engine.begin() as conn:
            command.check(alembic_config(conn))

        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
