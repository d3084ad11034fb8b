"""A real forward proxy on loopback for the outbound-proxy tests: Debian's ``tinyproxy``.

:func:`tinyproxy` starts one on a free port with a config of its own in a
temporary directory and yields a :class:`Tinyproxy` whose :meth:`requests`
lists the requests it forwarded, read from its log (tinyproxy logs a request
line before it opens the upstream connection, so a request answered through
it is already in the log). ``.ci/run`` installs it; without it the tests skip,
or fail under ``JIRAGW_STRICT=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .servers import free_port

_REQUEST = re.compile(r"Request \(file descriptor \d+\): (\S+ \S+) HTTP/")


@dataclass
class Tinyproxy:
    url: str
    log: Path

    def requests(self) -> list[str]:
        """``"GET http://host:port/path"`` for every request the proxy took, oldest first."""
        if not self.log.exists():
            return []
        return _REQUEST.findall(self.log.read_text(errors="replace"))


def _need_tinyproxy() -> str:
    found = shutil.which("tinyproxy") or shutil.which("tinyproxy", path="/usr/bin:/usr/sbin")
    if found is None:
        message = "tinyproxy is not installed (apt-get install tinyproxy)"
        if os.environ.get("JIRAGW_STRICT") == "1":
            pytest.fail(message + "; JIRAGW_STRICT=1 forbids skipping")
        pytest.skip(message)
    return found


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tinyproxy exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)  # polling a port that is not open yet; nothing to wait on instead
    raise RuntimeError("tinyproxy did not start listening")


@contextmanager
def tinyproxy(
    directory: Path, *, basic_auth: tuple[str, str] | None = None, connect_port: int | None = None
) -> Iterator[Tinyproxy]:
    """A tinyproxy on a free loopback port, its config and log under ``directory``.

    ``connect_port`` limits ``CONNECT`` tunnels to that port (by default any port may be tunnelled to).
    """
    binary = _need_tinyproxy()
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory / "tinyproxy.log"
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        "Timeout 30",
        f'LogFile "{log}"',
        "LogLevel Connect",
        "MaxClients 64",
        "Allow 127.0.0.1",
        "DisableViaHeader Yes",
    ]
    if connect_port is not None:
        lines.append(f"ConnectPort {connect_port}")
    if basic_auth is not None:
        lines.append(f"BasicAuth {basic_auth[0]} {basic_auth[1]}")
    config = directory / "tinyproxy.conf"
    config.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen(
        [binary, "-d", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_port(port, proc)
        yield Tinyproxy(f"http://127.0.0.1:{port}", log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
