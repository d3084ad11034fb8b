"""The one rule for a command's connection: the flag, ``JIRAGW_CONNECTION``, else the only one."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiragw.cli.connection_choice import choose_connection
from jiragw.errors import ConnectionRequired
from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw


@pytest.mark.parametrize(
    ("given", "default", "names", "chosen"),
    [
        ("corp", None, ["acme", "corp"], "corp"),
        ("corp", "acme", ["acme"], "corp"),
        (None, "acme", ["acme", "corp"], "acme"),
        (None, "other", [], "other"),
        (None, None, ["acme"], "acme"),
    ],
)
def test_the_flag_then_the_environment_then_the_only_one(
    given: str | None, default: str | None, names: list[str], chosen: str
) -> None:
    assert choose_connection(given, default, names) == chosen


def test_several_connections_and_no_choice_name_them() -> None:
    with pytest.raises(ConnectionRequired) as raised:
        choose_connection(None, None, ["acme", "corp"])
    assert raised.value.code == "connection_required"
    assert "acme, corp" in raised.value.message
    assert "--connection" in raised.value.message
    assert raised.value.details == {"connections": ["acme", "corp"]}


def test_no_connection_at_all_says_how_to_add_one() -> None:
    with pytest.raises(ConnectionRequired) as raised:
        choose_connection(None, None, [])
    assert "jiragw connect" in raised.value.message
    assert raised.value.details == {"connections": []}


@pytest.mark.parametrize(
    "args",
    [
        ["export", "project = PRJ"],
        ["mcp"],
        [
            "devops",
            "build",
            "--pipeline-id",
            "p",
            "--build-number",
            "1",
            "--state",
            "successful",
            "--url",
            "https://ci.example/1",
            "-i",
            "PRJ-1",
        ],
    ],
    ids=["export", "mcp", "devops build"],
)
def test_commands_on_an_empty_store_ask_for_a_connection(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
    monkeypatch.delenv("JIRAGW_CONNECTION", raising=False)
    assert jiragw(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "error[connection_required]" in err
    assert "no connection yet" in err
