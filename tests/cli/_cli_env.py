"""Shared helpers for the CLI tests: run ``main`` and capture its exit; a live sandbox and a fresh store."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from jiragw.cli.app import main
from jiragw.sandbox import Sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.vault import Keyring
from tests.broker.conftest import Demo


def jiragw(args: list[str], monkeypatch: pytest.MonkeyPatch, *, stdin: str = "") -> int:
    """Run the CLI in-process with ``stdin`` piped (not a terminal); the exit code."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@contextmanager
def live_sandbox(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """``sandbox`` served on a loopback port, with a new SQLite store and master key in the environment.

    The Atlassian auth server and API gateway settings point at the sandbox too.
    """
    with BackgroundServer(sandbox).running() as url:
        monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
        monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
        monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
        monkeypatch.setenv("JIRAGW_ATLASSIAN_AUTH_URL", url)
        monkeypatch.setenv("JIRAGW_ATLASSIAN_API_URL", url)
        yield Demo(url, describe(sandbox, url))
