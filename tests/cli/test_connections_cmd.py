"""``jiragw connections ...`` on an empty and a populated store (the full tour is in test_connect_cmd)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)


def test_list_empty_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert jiragw(["connections", "list", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("verb", ["show", "test"])
def test_unknown_connection_is_not_found(
    verb: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jiragw(["connections", verb, "nope"], monkeypatch) == 4
    assert "error[not_found]" in capsys.readouterr().err


def test_with_json_an_error_is_the_rest_error_object(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert jiragw(["connections", "show", "nope", "--json"], monkeypatch) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    error = json.loads(captured.err.strip().splitlines()[-1])["error"]
    assert error["code"] == "not_found"
    assert error["message"]
