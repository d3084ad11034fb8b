"""Shared helpers for the connect/connections/vault command tests: run ``main`` and capture its exit."""

from __future__ import annotations

import io

import pytest

from jiragw.cli.app import main


def jiragw(args: list[str], monkeypatch: pytest.MonkeyPatch, *, stdin: str = "") -> int:
    """Run the CLI in-process with ``stdin`` piped (not a terminal); the exit code."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
