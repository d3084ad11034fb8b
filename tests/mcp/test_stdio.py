"""``jiragw mcp --connection NAME`` as a subprocess, driven by the SDK's stdio client.

The sandbox runs on a real port (the subprocess must reach it); the
connection is made with ``jiragw connect api-token`` into a SQLite store the
subprocess opens from the same environment, as a desktop agent's config would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from jiragw.config import Settings
from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.cli._cli_env import jiragw
from tests.mcp.scenario import ALL_TOOLS, WRITE_TOOLS, error_code, exercise, tools_list_bytes

pytestmark = pytest.mark.live


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=12, seed=5)


@pytest.fixture
def environment(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    with BackgroundServer(sandbox).running() as url:
        env = {
            "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "JIRAGW_MASTER_KEY": Keyring.new_key(),
            "JIRAGW_ATLASSIAN_AUTH_URL": url,
            "JIRAGW_ATLASSIAN_API_URL": url,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
        demo = describe(sandbox, url)
        alice = next(u for u in demo["users"] if u["name"] == "alice")
        args = ["connect", "api-token", "--name", "acme", "--site", demo["sites"]["acme"]["url"]]
        assert jiragw([*args, "--email", alice["email"]], monkeypatch, stdin=alice["api_token"]) == 0
        yield {**os.environ, **env}


def server(environment: dict[str, str], *flags: str) -> StdioServerParameters:
    args = ["-m", "jiragw.cli", "mcp", "--connection", "acme", *flags]
    return StdioServerParameters(command=sys.executable, args=args, env=environment)


async def test_the_only_connection_is_served_without_naming_it(environment: dict[str, str]) -> None:
    environment = {k: v for k, v in environment.items() if k != "JIRAGW_CONNECTION"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "jiragw.cli", "mcp"], env=environment)
    async with Client(params) as client:
        conns = await client.call_tool("connections", {})
        assert conns.structured_content is not None
        assert [c["name"] for c in conns.structured_content["connections"]] == ["acme"]


async def test_stdio_session_calls_every_tool(environment: dict[str, str]) -> None:
    async with Client(server(environment)) as client:
        listed = await client.list_tools()
        assert {t.name for t in listed.tools} == ALL_TOOLS
        assert tools_list_bytes(listed) <= 20 * 1024
        called = await exercise(client, user="Bob Brown")
        conns = await client.call_tool("connections", {})
        assert conns.structured_content is not None
        assert [c["name"] for c in conns.structured_content["connections"]] == ["acme"]
        devops = await client.call_tool("devops_info", {"kind": "build", "pipeline_id": "p", "number": 1})
        assert error_code(devops) == "invalid_input"  # an API-token connection has no DevOps access
        elsewhere = await client.call_tool("get_issue", {"key": "PLAT-1", "connection": "other"})
        assert error_code(elsewhere) == "connection_denied"
    store = Store.from_settings(Settings.from_env())
    try:
        with store.transaction() as tx:
            events = [e for e in tx.audit.tail(500) if e.action == "mcp"]
    finally:
        store.dispose()
    assert {e.target for e in events} == called | {"connections", "devops_info", "get_issue"}
    assert all(e.actor == "cli:mcp" for e in events)


async def test_stdio_read_only_lists_no_write_tool(environment: dict[str, str]) -> None:
    async with Client(server(environment, "--read-only")) as client:
        assert {t.name for t in (await client.list_tools()).tools} == ALL_TOOLS - WRITE_TOOLS
        refused = await client.call_tool("comment", {"key": "PLAT-1", "body": "hi"})
        assert error_code(refused) == "read_only"
