"""``jiragw export`` against the sandbox served on a real port, through broker-stored connections."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from rich.console import Console

from jiragw.cli import export_cmd
from jiragw.sandbox import Sandbox, build_sandbox
from tests.broker.conftest import Demo
from tests.cli._cli_env import jiragw, live_sandbox

pytestmark = pytest.mark.live

JQL = "project = PRJ ORDER BY priority DESC, key ASC"


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=260, seed=11)


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    with live_sandbox(sandbox, tmp_path, monkeypatch) as demo:
        alice = demo.user()
        args = ["connect", "api-token", "--name", "acme", "--site", demo.site, "--email", alice["email"]]
        assert jiragw(args, monkeypatch, stdin=alice["api_token"]) == 0
        assert (
            jiragw(["connect", "pat", "--name", "corp", "--url", demo.dc], monkeypatch, stdin=alice["pat"])
            == 0
        )
        yield demo
        _admin(demo, "PATCH", "/faults", {"rate_limit": None})


def _admin(demo: Demo, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    r = httpx.request(
        method,
        f"{demo.base}/_sandbox{path}",
        json=body,
        headers={"Authorization": f"Bearer {demo.raw['admin_token']}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _keys(demo: Demo, where: str) -> list[str]:
    """The query's order from one sequential classic-search call per page (DC) or token page (Cloud)."""
    alice = demo.user()
    if where == "corp":
        r = httpx.get(
            f"{demo.dc}/rest/api/2/search",
            params={"jql": JQL, "fields": "key", "maxResults": 1000},
            headers={"Authorization": f"Bearer {alice['pat']}"},
        )
        return [i["key"] for i in r.json()["issues"]]
    keys: list[str] = []
    token = None
    while True:
        body: dict[str, Any] = {"jql": JQL, "fields": ["key"], "maxResults": 100}
        if token:
            body["nextPageToken"] = token
        r = httpx.post(
            f"{demo.site}/rest/api/3/search/jql", json=body, auth=(alice["email"], alice["api_token"])
        )
        page = r.json()
        keys += [i["key"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if page.get("isLast") or not token:
            return keys


def _counted(demo: Demo, operation: str, status: int | None = None) -> int:
    rows = _admin(demo, "GET", "/counters")["counters"]
    return sum(r["count"] for r in rows if r["operation"] == operation and status in (None, r["status"]))


def test_jsonl_to_a_file_under_the_burst_limit(
    env: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _keys(env, "acme")
    assert len(want) == 260
    _admin(env, "DELETE", "/counters")
    _admin(env, "PATCH", "/faults", {"rate_limit": 20})
    out = tmp_path / "issues.jsonl"
    args = ["export", JQL, "--connection", "acme", "--fields", "summary,status", "--out", str(out)]
    assert jiragw(args, monkeypatch) == 0
    issues = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [i["key"] for i in issues] == want
    assert all(set(i["fields"]) == {"summary", "status"} for i in issues)
    assert _counted(env, "bulkFetchIssues", 200) == 3  # 260 issues, 100 per call
    assert capsys.readouterr().err == ""  # piped: no progress bar


def test_csv_on_stdout_flattens_fields_to_names(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _keys(env, "acme")
    args = ["export", JQL, "-c", "acme", "--format", "csv", "--fields", "summary,status,assignee,description"]
    assert jiragw(args, monkeypatch) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == ["key", "summary", "status", "assignee", "description"]
    assert [r[0] for r in rows[1:]] == want
    statuses = {r[2] for r in rows[1:]}
    assert statuses
    assert all(s and not s.startswith("{") for s in statuses)
    assert any(r[3] for r in rows[1:])  # some issues are assigned: a display name
    assert not any(r[4].startswith("{") for r in rows[1:])  # ADF became text
    assert captured.err == ""


def test_dc_connection_pages_the_classic_search(
    env: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = _keys(env, "corp")
    out = tmp_path / "dc.jsonl"
    assert jiragw(["export", JQL, "-c", "corp", "--fields", "summary", "-o", str(out)], monkeypatch) == 0
    assert [orjson.loads(line)["key"] for line in out.read_bytes().splitlines()] == want


def test_unknown_connection_is_not_found(env: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    assert jiragw(["export", JQL, "-c", "nope"], monkeypatch) == 4


def test_invalid_jql_exits_with_its_code(env: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    assert jiragw(["export", "project = = PRJ", "-c", "acme"], monkeypatch) == 2


def test_a_terminal_gets_a_progress_bar_with_rate_and_eta(
    env: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        export_cmd, "Console", lambda **_: Console(file=screen, force_terminal=True, width=150)
    )
    out = tmp_path / "issues.jsonl"
    assert jiragw(["export", JQL, "-c", "acme", "--fields", "summary", "-o", str(out)], monkeypatch) == 0
    drawn = screen.getvalue()
    assert "260/260" in drawn
    assert "issues/s" in drawn
    assert "eta" in drawn
    assert "260 issues exported" in drawn
    assert len(out.read_bytes().splitlines()) == 260


def test_without_connection_several_are_named(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRAGW_CONNECTION", raising=False)
    capsys.readouterr()
    assert jiragw(["export", JQL, "--fields", "summary"], monkeypatch) == 2
    captured = capsys.readouterr()
    assert "error[connection_required]" in captured.err
    assert "acme, corp" in captured.err
    assert captured.out == ""


def test_jiragw_connection_names_the_connection(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _keys(env, "corp")
    monkeypatch.setenv("JIRAGW_CONNECTION", "corp")
    capsys.readouterr()
    assert jiragw(["export", JQL, "--fields", "summary"], monkeypatch) == 0
    assert [orjson.loads(line)["key"] for line in capsys.readouterr().out.splitlines()] == want


def test_the_only_connection_needs_no_name(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRAGW_CONNECTION", raising=False)
    assert jiragw(["connections", "remove", "corp", "--yes"], monkeypatch) == 0
    want = _keys(env, "acme")
    capsys.readouterr()
    assert jiragw(["export", JQL, "--fields", "summary"], monkeypatch) == 0
    assert [orjson.loads(line)["key"] for line in capsys.readouterr().out.splitlines()] == want
