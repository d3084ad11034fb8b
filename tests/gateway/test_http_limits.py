"""``jiragw.gateway.http_limits`` against a real ``jiragw serve`` process, with raw sockets.

Huge and unfinished request heads are cut off with the process's memory
bounded, a head that does not arrive in time closes its connection, open
connections are capped, and ordinary requests (keep-alive included) still work.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from jiragw.vault import Keyring

from .servers import free_port

pytestmark = pytest.mark.live

MiB = 1024 * 1024


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int

    def connect(self, timeout: float = 15.0) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def memory_kib(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak) of the server process, in KiB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


def _serve(tmp_path: Path, **env: str) -> Iterator[Served]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JIRAGW_")}
    environ.update(
        HOME=str(tmp_path),
        NO_COLOR="1",
        JIRAGW_MASTER_KEY=Keyring.new_key(),
        JIRAGW_PUBLIC_URL="https://gw.example.com",
        JIRAGW_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jiragw.cli.app import main; main()",
            "serve",
            "--port",
            str(port),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environ,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"serve exited before its first line: {err}")
    assert json.loads(line)["url"] == "https://gw.example.com"
    try:
        yield Served(proc, port)
    finally:
        proc.kill()
        proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _serve(tmp_path_factory.mktemp("limits"), JIRAGW_HEADER_TIMEOUT="1")


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _response(sock: socket.socket) -> bytes:
    """One response with a ``content-length`` body, read from a connection that stays open."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        assert chunk, raw
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, raw
        body += chunk
    return head + b"\r\n\r\n" + body


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


def test_a_normal_request_works_and_keeps_its_connection(served: Served) -> None:
    with served.connect() as sock:
        for _ in range(2):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gw\r\nUser-Agent: test\r\n\r\n")
            answer = _response(sock)
            assert answer.startswith(b"HTTP/1.1 200 "), answer
            assert answer.endswith(b'{"status":"ok"}')


def test_pipelined_requests_and_a_body_still_work(served: Served) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"
    post = b"POST /healthz HTTP/1.1\r\nHost: gw\r\nContent-Length: 100000\r\n\r\n" + b"b" * 100_000
    last = b"GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
    with served.connect() as sock:
        sock.sendall(request * 3 + post + last)
        answers = _answer(sock)
    assert re.findall(rb"HTTP/1.1 (\d{3}) ", answers) == [b"200", b"200", b"200", b"405", b"200"]


HOSTILE_HEADS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "hostile_heads.json").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", HOSTILE_HEADS, ids=[c["name"] for c in HOSTILE_HEADS])
def test_hostile_head(served: Served, case: dict[str, Any]) -> None:
    raw = b"".join(text.encode("latin-1") * times for text, times in case["parts"])
    with served.connect() as sock:
        sock.sendall(raw)
        answer = _answer(sock)
    assert _status(answer) == case["status"], answer[:200]
    assert b"connection: close" in answer.lower()
    assert answer.endswith(HTTPStatus(case["status"]).phrase.encode())


def _stream_head(served: Served, total: int, sent: list[int]) -> None:
    """Send a request head that never ends, ``total`` bytes long, until the server cuts it off."""
    chunk = b"a" * MiB
    count = 0
    try:
        with served.connect() as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Big: ")
            while count < total:
                sock.sendall(chunk)
                count += len(chunk)
    except OSError:  # reset or broken pipe: the server closed the connection
        pass
    sent.append(count)


def test_unfinished_100_mb_heads_are_cut_off_with_memory_bounded(served: Served) -> None:
    before = served.memory_kib()
    sent: list[int] = []
    streams = [threading.Thread(target=_stream_head, args=(served, 100 * MiB, sent)) for _ in range(4)]
    for stream in streams:
        stream.start()
    for stream in streams:
        stream.join()
    after = served.memory_kib()
    assert len(sent) == 4
    assert max(sent) < 16 * MiB, sent  # cut off early: socket buffers, not the whole head
    assert after["VmHWM"] - before["VmHWM"] < 16 * 1024, (before, after)
    assert after["VmRSS"] - before["VmRSS"] < 16 * 1024, (before, after)
    test_a_normal_request_works_and_keeps_its_connection(served)


def test_a_slowloris_head_is_closed_after_the_header_timeout(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Slow: ")
        # JIRAGW_HEADER_TIMEOUT=1: answered 408 and closed well within the socket's 15 s timeout.
        assert _status(_answer(sock)) == 408


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(served: Served) -> None:
    with served.connect() as sock:
        assert _answer(sock) == b""


def test_a_slow_head_after_a_kept_alive_request_is_closed_too(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
        assert _response(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        assert _status(_answer(sock)) == 408


def test_connections_beyond_the_cap_get_503(tmp_path: Path) -> None:
    for served in _serve(tmp_path, JIRAGW_MAX_CONNECTIONS="3"):
        held = [served.connect() for _ in range(3)]
        try:
            for sock in held:  # each answered: each is registered with the server
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
                assert _response(sock).startswith(b"HTTP/1.1 200 ")
            with served.connect() as extra:
                assert _status(_answer(extra)) == 503
        finally:
            for sock in held:
                sock.close()
