"""The stdio server's start: ``initialize`` first, the session opened once by the first request that needs it.

:class:`LazySession` is tested with a fake opening; the failure path runs
``jiragw mcp`` as a subprocess speaking raw JSON-RPC lines, so the exit
status and stderr can be read.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, cast

import pytest

from jiragw.errors import NotFound
from jiragw.mcp.access import Access
from jiragw.mcp.stdio import LazySession
from jiragw.vault import Keyring


class Opening:
    """A fake session opening: counts its runs, waits for ``release``, may fail; records its closing."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.runs = 0
        self.closed = 0
        self.release = asyncio.Event()
        self.access = cast(Access, object())

    async def __call__(self, stack: AsyncExitStack) -> Access:
        self.runs += 1
        await self.release.wait()
        if self.error is not None:
            raise self.error

        async def close() -> None:
            self.closed += 1

        stack.push_async_callback(close)
        return self.access


async def test_concurrent_requests_share_one_opening() -> None:
    opening = Opening()
    session = LazySession(opening)
    waiting = [asyncio.create_task(session.get()) for _ in range(3)]
    await asyncio.sleep(0)
    opening.release.set()
    assert await asyncio.gather(*waiting) == [opening.access] * 3
    assert await session.get() is opening.access
    assert opening.runs == 1
    await session.aclose()
    assert opening.closed == 1


async def test_a_failed_opening_is_kept_and_raised_to_every_request() -> None:
    opening = Opening(NotFound("no connection named 'nowhere'"))
    opening.release.set()
    session = LazySession(opening)
    for _ in range(2):
        with pytest.raises(NotFound):
            await session.get()
    assert opening.runs == 1
    await session.aclose()
    assert opening.closed == 0


async def test_a_cancelled_request_leaves_the_opening_to_the_others() -> None:
    opening = Opening()
    session = LazySession(opening)
    first = asyncio.create_task(session.get())
    await asyncio.sleep(0)
    first.cancel()
    second = asyncio.create_task(session.get())
    opening.release.set()
    assert await second is opening.access
    assert opening.runs == 1
    assert first.cancelled()
    await session.aclose()


async def test_closing_cancels_an_opening_under_way() -> None:
    opening = Opening()
    session = LazySession(opening)
    waiting = asyncio.create_task(session.get())
    await asyncio.sleep(0)
    await session.aclose()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert opening.closed == 0


def _line(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode()


def test_an_unknown_connection_answers_requests_with_its_error_then_fails_the_command(
    tmp_path: Path,
) -> None:
    env = {
        "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
        "PYTHONPATH": ":".join(sys.path),
    }
    client_info = {"name": "test", "version": "1"}
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": client_info}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "connections"}},
    ]
    argv = [sys.executable, "-m", "jiragw.cli", "mcp", "--connection", "nowhere"]
    with subprocess.Popen(
        argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdin.write(_line(messages[0]))
        proc.stdin.flush()
        assert "result" in json.loads(proc.stdout.readline())  # answered before the store is read
        for message in messages[1:]:
            proc.stdin.write(_line(message))
        proc.stdin.flush()
        answers = {a["id"]: a for a in (json.loads(proc.stdout.readline()) for _ in range(2))}
        proc.stdin.close()
        err = proc.stderr.read().decode()
        status = proc.wait(timeout=60)

    listed = answers[2]["error"]
    assert listed["message"].startswith("error[not_found]: no connection named 'nowhere'")
    assert listed["data"]["error"]["code"] == "not_found"
    called = answers[3]["result"]
    assert called["isError"] is True
    assert called["structuredContent"]["error"]["code"] == "not_found"
    assert status == NotFound.exit_code
    assert "error[not_found]" in err
    assert "no connection named 'nowhere'" in err
