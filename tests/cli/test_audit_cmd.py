"""``jiragw audit tail`` over a local SQLite store: recent events, filters, ``--follow`` until Ctrl+C."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiragw.cli import audit_cmd
from jiragw.config import Settings
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw
from tests.cli.test_keys_cmd import connect_acme


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)


def append(action: str, **fields: Any) -> None:
    store = Store.from_settings(Settings.from_env())
    try:
        with store.transaction() as tx:
            tx.audit.append(action, actor="test", outcome="ok", **fields)
    finally:
        store.dispose()


def tail(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    code = jiragw(["audit", "tail", *args, "--json"], monkeypatch)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return [json.loads(line) for line in captured.out.splitlines()]


def make_keys(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    secrets = []
    for name in ("k1", "k2", "k3"):
        assert jiragw(["keys", "create", "--name", name, "-c", "*", "--json"], monkeypatch) == 0
        secrets.append(json.loads(capsys.readouterr().out.splitlines()[0])["key"])
    assert jiragw(["keys", "revoke", "k2"], monkeypatch) == 0
    capsys.readouterr()
    return secrets


def test_tail_prints_the_newest_events_oldest_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = make_keys(monkeypatch, capsys)
    events = tail(["-n", "2"], monkeypatch, capsys)
    assert [(e["action"], e["target"]) for e in events] == [("key.create", "k3"), ("key.revoke", "k2")]
    assert events[0]["id"] < events[1]["id"]
    everything = tail(["-n", "100"], monkeypatch, capsys)
    assert [e["action"] for e in everything] == ["key.create"] * 3 + ["key.revoke"]

    assert jiragw(["audit", "tail"], monkeypatch) == 0
    human = capsys.readouterr().out
    assert len(human.splitlines()) == 4
    assert "key.revoke  ok  cli" in human
    for secret in secrets:
        assert secret not in human
        assert secret not in json.dumps(everything)


def test_tail_filters(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    connect_acme()
    make_keys(monkeypatch, capsys)
    revokes = tail(["--action", "key.revoke"], monkeypatch, capsys)
    assert [e["target"] for e in revokes] == ["k2"]
    by_key = tail(["--key", "k2"], monkeypatch, capsys)
    assert [e["action"] for e in by_key] == ["key.create", "key.revoke"]
    by_connection = tail(["--connection", "acme"], monkeypatch, capsys)
    assert by_connection
    assert len({e["connection_id"] for e in by_connection}) == 1
    assert tail(["--connection", "gone"], monkeypatch, capsys) == []
    assert jiragw(["audit", "tail", "--key", "nope"], monkeypatch) == 4
    assert "error[not_found]" in capsys.readouterr().err


def test_tail_of_an_empty_trail(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert tail([], monkeypatch, capsys) == []


def test_follow_prints_new_events_and_stops_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    append("seed.one")
    polls: list[float] = []

    def fake_sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:
            append("later.one")
            append("later.two")
        elif len(polls) == 2:
            append("later.three")
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(audit_cmd, "sleep", fake_sleep)
    events = tail(["-n", "1", "--follow", "--interval", "0.5"], monkeypatch, capsys)
    assert [e["action"] for e in events] == ["seed.one", "later.one", "later.two", "later.three"]
    assert polls == [0.5, 0.5, 0.5]


def test_follow_with_a_filter_starts_after_the_newest_event(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    append("other")
    calls = 0

    def fake_sleep(seconds: float) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            append("other")
            append("wanted")
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(audit_cmd, "sleep", fake_sleep)
    events = tail(["--follow", "--action", "wanted"], monkeypatch, capsys)
    assert [e["action"] for e in events] == ["wanted"]


def _aged(*days: int) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    for age in days:
        append("proxy", target=f"{age}d", at=now - timedelta(days=age))


def _targets() -> list[str]:
    store = Store.from_settings(Settings.from_env())
    try:
        with store.transaction() as tx:
            return sorted(e.target or "" for e in tx.audit.tail())
    finally:
        store.dispose()


def test_prune_deletes_what_is_older_than_the_given_days(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _aged(400, 40, 1)
    assert jiragw(["audit", "prune", "--older-than", "30", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": 2, "older_than_days": 30}
    assert _targets() == ["1d"]


def test_prune_defaults_to_the_retention_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _aged(400, 40, 1)
    assert jiragw(["audit", "prune"], monkeypatch) == 0
    assert "Deleted 1 audit event older than 365 days" in capsys.readouterr().out
    monkeypatch.setenv("JIRAGW_AUDIT_RETENTION_DAYS", "7")
    assert jiragw(["audit", "prune", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": 1, "older_than_days": 7}
    assert _targets() == ["1d"]


def test_prune_with_retention_off_needs_an_explicit_age(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _aged(400)
    monkeypatch.setenv("JIRAGW_AUDIT_RETENTION_DAYS", "0")
    assert jiragw(["audit", "prune"], monkeypatch) != 0
    assert "--older-than" in capsys.readouterr().err
    assert _targets() == ["400d"]
