"""``jiragw keys {create,list,revoke}`` over a local SQLite store: the key is printed once, never again."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.config import Settings
from jiragw.keys import looks_like_key
from jiragw.sandbox import build_sandbox, create_app
from jiragw.sandbox.server import describe
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)


def connect_acme() -> None:
    """A sandbox connection named ``acme`` in the environment's store (the sandbox in-process)."""
    sandbox = build_sandbox(projects=1, issues=2, seed=5)
    demo = describe(sandbox, "http://localhost")
    alice = demo["users"][0]

    async def go() -> None:
        store = Store.from_settings(Settings.from_env())
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
                await connect_api_token(
                    Broker(store, client),
                    name="acme",
                    site_url=demo["sites"]["acme"]["url"],
                    email=alice["email"],
                    token=Secret(alice["api_token"]),
                )
        finally:
            store.dispose()

    asyncio.run(go())


def dump_database() -> str:
    store = Store.from_settings(Settings.from_env())
    try:
        with store.engine.connect() as conn:
            return " ".join(
                str(row)
                for table in ("gateway_keys", "audit_events")
                for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            )
    finally:
        store.dispose()


def run_json(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> object:
    code = jiragw([*args, "--json"], monkeypatch)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out.splitlines()[0])


def test_create_json_prints_the_key_once_then_list_and_revoke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    connect_acme()
    created = run_json(["keys", "create", "--name", "ci", "--connection", "acme"], monkeypatch, capsys)
    assert isinstance(created, dict)
    secret = created["key"]
    assert looks_like_key(secret)
    assert secret.startswith(created["prefix"])
    assert created["connections"] == ["acme"]
    assert created["read_only"] is True  # the default ceiling is the read-only preset
    assert created["status"] == "active"

    listed = run_json(["keys", "list"], monkeypatch, capsys)
    assert isinstance(listed, list)
    assert [k["name"] for k in listed] == ["ci"]
    assert "key" not in listed[0]

    revoked = run_json(["keys", "revoke", "ci"], monkeypatch, capsys)
    assert isinstance(revoked, dict)
    assert revoked["status"] == "revoked"
    listed = run_json(["keys", "list"], monkeypatch, capsys)
    assert isinstance(listed, list)
    assert listed[0]["status"] == "revoked"

    assert jiragw(["keys", "list"], monkeypatch) == 0  # the table
    table = capsys.readouterr().out
    assert "ci" in table
    assert "revoked" in table
    for output in (json.dumps(listed), json.dumps(revoked), table, dump_database()):
        assert secret not in output


def test_create_prints_the_key_on_its_own_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = jiragw(["keys", "create", "--name", "bot", "-c", "*", "--preset", "full"], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    found = [line for line in out.splitlines() if looks_like_key(line)]
    assert len(found) == 1
    assert out.count(found[0]) == 1
    assert found[0] not in err
    assert "shown only now" in out
    assert "Bearer" in err


def test_ceilings_and_expiry(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    admin = run_json(["keys", "create", "--name", "ops", "-c", "*", "--preset", "admin"], monkeypatch, capsys)
    assert isinstance(admin, dict)
    assert admin["scopes"] == ["jiragw:admin"]
    custom = run_json(
        ["keys", "create", "--name", "c", "-c", "*", "--scope", "read:jira-work",
         "--scope", "write:jira-work", "--read-only", "--expires-in", "30d"],
        monkeypatch,
        capsys,
    )  # fmt: skip
    assert isinstance(custom, dict)
    assert custom["scopes"] == ["read:jira-work", "write:jira-work"]
    assert custom["read_only"] is True
    lifetime = datetime.fromisoformat(custom["expires_at"]) - datetime.fromisoformat(custom["created_at"])
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)  # expiry taken just before creation
    dated = run_json(
        [
            "keys",
            "create",
            "--name",
            "d",
            "-c",
            "*",
            "--preset",
            "full",
            "--expires-at",
            "2999-06-01T12:00:00",
        ],
        monkeypatch,
        capsys,
    )
    assert isinstance(dated, dict)
    assert dated["expires_at"].startswith("2999-06-01T12:00:00")


@pytest.mark.parametrize(
    ("args", "exit_code", "code"),
    [
        (["--name", "x", "-c", "ghost"], 4, "not_found"),
        (["--name", "x", "-c", "*", "--preset", "root"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--scope", "root:all"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--preset", "full", "--scope", "read:jira-work"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--expires-in", "soon"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--expires-in", "0d"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--expires-at", "tomorrow"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--expires-at", "2001-01-01T00:00:00Z"], 2, "invalid_input"),
        (["--name", "x", "-c", "*", "--expires-in", "1d", "--expires-at", "2999-01-01"], 2, "invalid_input"),
        (["--name", " ", "-c", "*"], 2, "invalid_input"),
    ],
)
def test_create_rejects_bad_input(
    args: list[str],
    exit_code: int,
    code: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert jiragw(["keys", "create", *args], monkeypatch) == exit_code
    captured = capsys.readouterr()
    assert f"error[{code}]" in captured.err
    assert "jgw_" not in captured.out + captured.err
    assert jiragw(["keys", "list", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_revoke_unknown_key_is_not_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jiragw(["keys", "revoke", "nope"], monkeypatch) == 4
    assert "error[not_found]" in capsys.readouterr().err


def test_without_a_master_key_nothing_is_created(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRAGW_MASTER_KEY")
    assert jiragw(["keys", "create", "--name", "x", "-c", "*"], monkeypatch) == 3
    captured = capsys.readouterr()
    assert "error[master_key_missing]" in captured.err
    assert "jgw_" not in captured.out
