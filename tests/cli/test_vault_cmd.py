"""``jiragw vault new-key|rotate|rewrap|retire`` on a keyring file and a SQLite store."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from jiragw.secrets import Secret
from jiragw.store import GrantMethod, Store
from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw


def test_new_key_is_32_bytes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jiragw(["vault", "new-key"], monkeypatch) == 0
    key = capsys.readouterr().out.strip()
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) == 32


def test_rotate_rewrap_retire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = tmp_path / "keyring.json", f"sqlite:///{tmp_path / 'db.sqlite3'}"
    ring = Keyring.create_file(path)
    monkeypatch.setenv("JIRAGW_MASTER_KEY_FILE", str(path))
    monkeypatch.delenv("JIRAGW_MASTER_KEY", raising=False)
    monkeypatch.setenv("JIRAGW_DATABASE_URL", db)
    store = Store.open(db, ring)
    with store.transaction() as tx:
        grant = tx.grants.create(GrantMethod.PAT, secrets={"static_secret": Secret("canary-pat-vault")})
    store.dispose()
    old = ring.primary_kid
    assert jiragw(["vault", "rotate", "--json"], monkeypatch) == 0
    new = json.loads(capsys.readouterr().out)["primary"]
    assert new != old
    assert jiragw(["vault", "retire", old], monkeypatch) == 2  # Conflict: values still under it
    assert "rewrap" in capsys.readouterr().err
    assert jiragw(["vault", "rewrap", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["by_kid"] == {new: 1}
    assert jiragw(["vault", "retire", old], monkeypatch) == 0
    reopened = Store.open(db, Keyring.load(path))
    with reopened.transaction() as tx:
        assert tx.grants.get(grant.id).static_secret == Secret("canary-pat-vault")
    reopened.dispose()


def test_rotate_needs_a_keyring_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    assert jiragw(["vault", "rotate"], monkeypatch) == 3
    assert "JIRAGW_MASTER_KEY_FILE" in capsys.readouterr().err
