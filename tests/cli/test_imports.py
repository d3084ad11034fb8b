"""What starting the CLI imports, checked through ``sys.modules`` in a fresh interpreter.

``jiragw --help`` and a group's ``--help`` must not load the web stack, the
MCP SDK, the database layer, the HTTP client, the Jira SDK, pydantic or the
sandbox (``devops``, whose help names the SDK's values, is the one group that loads
the SDK for its own help); ``jiragw mcp`` loads the MCP SDK
and the store, but not the gateway or the sandbox, and answers ``initialize``
having loaded the MCP SDK alone: no store, no Alembic, no Jira SDK. Start time
itself is measured by ``benchmarks/cli_start.py``, not here.
"""

from __future__ import annotations

import json
import os
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
    # No input: ``jiragw mcp`` reads its client's requests before it reports a bad configuration.
    done = subprocess.run(
        [sys.executable, "-c", probe], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True
    )
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


# What ``jiragw mcp`` loads when the client first asks for tools, not before.
LOADED_BY_THE_SESSION = ("jiragw.store", "jiragw.broker", "jiragw.jira", "jiragw.mcp.access", "markdown_it")


def test_mcp_answers_initialize_before_loading_the_store(tmp_path: Path) -> None:
    # The probe's stdout is not a file descriptor, so the SDK writes its answers to it in place:
    # the first write is the initialize answer, and sys.modules is read at that moment.
    probe = f"""
import io, json, os, sys
heavy = {(*HEAVY, *LOADED_BY_THE_SESSION)!r}
seen = []

class Spy(io.RawIOBase):
    def writable(self):
        return True

    def write(self, data):
        if not seen:
            seen.append(sorted(m for m in heavy if m in sys.modules))
            os.write(2, (json.dumps(seen[0]) + "\\n").encode())
        return len(data)

sys.stdout = io.TextIOWrapper(io.BufferedWriter(Spy()), encoding="utf-8", write_through=True)
from jiragw.cli.app import main
try:
    main(["mcp", "--connection", "nowhere"])
except SystemExit as exc:
    assert exc.code == 4, exc.code  # not_found, reported once the client has gone
"""
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}) + "\n"
    env = {
        **os.environ,
        "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
    }
    env.pop("JIRAGW_MASTER_KEY_FILE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], input=request, env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stderr.splitlines()[0]))
    assert "mcp" in loaded
    assert not loaded & {"fastapi", "sqlalchemy", "alembic", "jiragw.gateway", "jiragw.sandbox"}
    assert not loaded & set(LOADED_BY_THE_SESSION)
