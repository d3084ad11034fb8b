"""A gateway killed with SIGKILL under load keeps the audit record of every write and denial it answered.

A real ``jiragw serve --sandbox`` process takes a bounded concurrent load of
proxied writes, denials (with the demo key, so they are the key's own events)
and reads; the test sends SIGKILL as soon as a randomly chosen number of
responses has arrived. After a restart, the audit table holds a record of
every write and every denial whose response the client received. A read may
be lost only within the read window: every read whose response arrived before
a later write or denial was sent (and answered) is recorded, since that
commit carried every read queued before it.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.live

REQUESTS = 200
CONCURRENCY = 12


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRAGW_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), NO_COLOR="1")
    return env


@dataclass
class Served:
    proc: subprocess.Popen[str]
    info: dict[str, Any]


def _serve(home: Path) -> Served:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jiragw.cli.app import main; main()",
            "serve",
            "--sandbox",
            "--json",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_clean_env(home),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        pytest.fail("serve exited before its first line")
    return Served(proc, json.loads(line))


@dataclass
class Answered:
    kind: str  # "write", "denial" or "read"
    status: int
    sent: float  # when the request was sent (monotonic)
    received: float  # when its response had fully arrived


async def _load(served: Served, kill_after: int) -> list[Answered]:
    url = served.info["url"]
    key = served.info["demo_key"]
    headers = {"Authorization": f"Bearer {key}"}
    answered: list[Answered] = []
    killed = asyncio.Event()
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        projects = (await client.get("/jira/acme/rest/api/3/project")).json()
        issue = f"{projects[0]['key']}-1"
        comment = {
            "body": {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "crash test"}]}],
            }
        }

        async def one(n: int) -> None:
            kind = ("write", "write", "denial", "read")[n % 4]
            async with gate:
                if killed.is_set():
                    return
                sent = time.monotonic()
                try:
                    if kind == "write":
                        response = await client.post(
                            f"/jira/acme/rest/api/3/issue/{issue}/comment", json=comment
                        )
                    elif kind == "denial":
                        response = await client.get("/jira/no-such-connection/rest/api/3/myself")
                    else:
                        response = await client.get("/jira/acme/rest/api/3/myself")
                except httpx.HTTPError:
                    assert killed.is_set(), "a request failed before the gateway was killed"
                    return
                if killed.is_set():
                    return  # arrived as the process died: not counted either way
                answered.append(Answered(kind, response.status_code, sent, time.monotonic()))
                if len(answered) == kill_after:
                    served.proc.send_signal(signal.SIGKILL)
                    killed.set()

        await asyncio.gather(*(one(n) for n in range(REQUESTS)))
    return answered


def _rows(database: str) -> list[tuple[Any, ...]]:
    path = database.split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT method, status_code, outcome, error_code FROM audit_events WHERE action = 'proxy'"
        ).fetchall()


async def test_sigkill_under_load_loses_no_answered_write_or_denial(tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    kill_after = random.Random(seed).randrange(40, 160)
    served = _serve(tmp_path)
    try:
        answered = await _load(served, kill_after)
        served.proc.communicate(timeout=30)
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.communicate(timeout=30)
    assert served.proc.returncode == -signal.SIGKILL
    assert len(answered) == kill_after, f"seed {seed}"

    again = _serve(tmp_path)  # the gateway starts again on the crashed database
    try:
        rows = _rows(again.info["database"])
    finally:
        again.proc.send_signal(signal.SIGTERM)
        again.proc.communicate(timeout=30)

    writes = [a for a in answered if a.kind == "write"]
    denials = [a for a in answered if a.kind == "denial"]
    assert writes, f"seed {seed}"
    assert denials, f"seed {seed}"
    assert all(a.status == 201 for a in writes), f"seed {seed}"
    assert all(a.status == 403 for a in denials), f"seed {seed}"
    recorded_writes = [r for r in rows if r[0] == "POST" and r[1] == 201]
    recorded_denials = [r for r in rows if r[2] == "denied" and r[3] == "connection_denied"]
    assert len(recorded_writes) >= len(writes), f"seed {seed}: lost writes"
    assert len(recorded_denials) >= len(denials), f"seed {seed}: lost denials"

    # A read is covered once a later durable call (sent after the read was answered) was answered.
    durable_sent = sorted(a.sent for a in answered if a.kind != "read")
    reads = [a for a in answered if a.kind == "read"]
    covered = [r for r in reads if durable_sent and durable_sent[-1] > r.received]
    recorded_reads = [r for r in rows if r[0] == "GET" and r[1] == 200]
    assert len(recorded_reads) >= len(covered), f"seed {seed}: lost reads outside the read window"
