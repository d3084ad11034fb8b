"""What starting the CLI imports, checked through ``sys.modules`` in a fresh interpreter.

``jiragw --help`` and a group's ``--help`` must not load the web stack, the
MCP SDK, the database layer, the HTTP client, the Jira SDK, pydantic or the
sandbox (``devops``, whose help names the SDK's values, is the one group that loads
the SDK for its own help); ``jiragw mcp`` loads the MCP SDK
and the store, but not the gateway or the sandbox. Start time itself is
measured by ``benchmarks/cli_start.py``, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jiragw.vault import Keyring

HEAVY = (
    "fastapi",
    "mcp",
    "sqlalchemy",
    "uvicorn",
    "starlette",
    "alembic",
    "jiragw.sandbox",
    "jiragw.gateway",
)


def _loaded_after(code: str) -> set[str]:
    """The top names of ``HEAVY`` in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"""
import json, sys
{code}
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def _help(*path: str) -> str:
    return f"""
from jiragw.cli.app import main
try:
    main({[*path, "--help"]!r})
except SystemExit as exc:
    assert exc.code == 0, exc.code
"""


def test_importing_the_cli_loads_no_heavy_machinery() -> None:
    assert _loaded_after("import jiragw.cli.app") == set()


@pytest.mark.parametrize(
    "path",
    [(), ("keys",), ("keys", "create"), ("connect",), ("connections",), ("export",), ("mcp",), ("serve",)],
    ids=lambda p: " ".join(p) or "jiragw",
)
def test_help_loads_no_heavy_machinery(path: tuple[str, ...]) -> None:
    assert _loaded_after(_help(*path)) == set()


def test_the_light_modules_stay_light() -> None:
    assert _loaded_after("import jiragw, jiragw.errors, jiragw.config, jiragw.secrets") == set()


def test_mcp_over_stdio_loads_no_gateway_and_no_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", Keyring.new_key())
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
    monkeypatch.delenv("JIRAGW_CONNECTION", raising=False)
    # With no connection stored the command stops with connection_required, once it has
    # imported everything it serves with.
    run = """
from jiragw.cli.app import main
try:
    main(["mcp"])
except SystemExit as exc:
    assert exc.code == 2, exc.code
"""
    loaded = _loaded_after(run)
    assert {"mcp", "sqlalchemy"} <= loaded
    assert not loaded & {"fastapi", "jiragw.gateway", "jiragw.sandbox"}
