from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from jiragw.store import Store, alembic_config, current_revision, make_engine, migrate
from jiragw.store.migration import HEAD_REVISION, MIGRATIONS_DIR
from jiragw.store.models import Base
from jiragw.vault import Keyring

TABLES = {"grants", "connections", "oauth_states", "audit_events", "gateway_keys", "admin_tokens"}
HEAD = "0003_vault_binding"


def test_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS_DIR.is_dir()
    assert (MIGRATIONS_DIR / "env.py").is_file()
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]


def test_the_head_constant_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


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


def test_opening_a_store_behind_head_upgrades_it(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    try:
        migrate(engine, "0001")
        assert current_revision(engine) == "0001"
        Store.open(fresh_db_url, Keyring.from_key(os.urandom(32))).dispose()
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def _modules_after_open(url: str) -> list[str]:
    """Which of alembic and psycopg a fresh interpreter has loaded after opening the store at ``url``."""
    probe = f"""
import json, os, sys
from jiragw.store import Store
from jiragw.vault import Keyring
Store.open({url!r}, Keyring.from_key(os.urandom(32))).dispose()
print(json.dumps(sorted(m for m in ("alembic", "psycopg") if m in sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_a_current_schema_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _modules_after_open(url) == ["alembic"]  # an empty database: migrated
    assert _modules_after_open(url) == []  # at head: neither alembic nor psycopg loads
