"""``jiragw serve`` as a user runs it: a real process, real ports, the scriptable path to a working key.

``serve --sandbox --empty --json`` -> ``connect api-token`` (token on stdin) ->
a key -> a Jira call through the gateway's proxy, each step a separate process
sharing only the database and the master-key file the first line announced;
and without ``--empty``, the demo connections and key a first run starts with.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gateway.forward_proxy import tinyproxy

pytestmark = pytest.mark.live


def _jiragw(*args: str) -> list[str]:
    return [sys.executable, "-c", "from jiragw.cli.app import main; main()", *args]


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without any JIRAGW_* setting, with an isolated HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRAGW_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), NO_COLOR="1", **extra)
    return env


class Running:
    def __init__(self, proc: subprocess.Popen[str], info: dict[str, Any]) -> None:
        self.proc = proc
        self.info = info

    def cli_env(self, home: Path) -> dict[str, str]:
        return _clean_env(
            home,
            JIRAGW_DATABASE_URL=self.info["database"],
            JIRAGW_MASTER_KEY_FILE=self.info["master_key_file"],
        )

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Running]:
    yield from _serve(tmp_path)


@pytest.fixture
def served_empty(tmp_path: Path) -> Iterator[Running]:
    yield from _serve(tmp_path, "--empty")


def _serve(tmp_path: Path, *extra: str) -> Iterator[Running]:
    proc = subprocess.Popen(
        _jiragw("serve", "--sandbox", "--json", "--port", "0", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_clean_env(tmp_path),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"serve exited before its first line: {err}")
    running = Running(proc, json.loads(line))
    try:
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def test_first_line_describes_a_gateway_that_accepts_connections(served: Running, tmp_path: Path) -> None:
    info = served.info
    assert set(info) == {
        "url",
        "admin_login_url",
        "sandbox",
        "database",
        "master_key_file",
        "demo_connections",
        "demo_key",
    }
    assert info["url"].startswith("http://127.0.0.1:")
    # Sandbox mode keeps the one-time login link in the first line, for scripts.
    assert info["admin_login_url"].startswith(info["url"] + "/login/")
    # The embedded store and the key file live under the isolated HOME's data dir.
    data = tmp_path / "data" / "jiragw" / "sandbox"
    assert info["database"] == f"sqlite+pysqlite:///{data / 'jiragw.sqlite3'}"
    key_file = Path(info["master_key_file"])
    assert key_file == data / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Printed only once both servers accept connections: these succeed at once.
    sandbox = info["sandbox"]
    alice = next(u for u in sandbox["users"] if u["name"] == "alice")
    me = httpx.get(
        sandbox["sites"]["acme"]["url"] + "/rest/api/3/myself", auth=(alice["email"], alice["api_token"])
    )
    assert me.status_code == 200
    assert httpx.get(info["url"] + "/").status_code < 500
    # The demo 3LO app accepts the gateway's exact callback URL.
    three_lo = next(a for a in sandbox["oauth_apps"] if a["kind"] == "3lo")
    assert info["url"] + "/v1/outbound/oauth/callback" in three_lo["callback_urls"]
    code, err = served.stop(signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in err


def test_scriptable_path_to_a_working_key(served_empty: Running, tmp_path: Path) -> None:
    served = served_empty
    info = served.info
    assert info["demo_connections"] == []
    assert info["demo_key"] is None
    sandbox = info["sandbox"]
    alice = next(u for u in sandbox["users"] if u["name"] == "alice")
    env = served.cli_env(tmp_path)
    connected = subprocess.run(
        _jiragw(
            "connect",
            "api-token",
            "--site",
            sandbox["sites"]["acme"]["url"],
            "--email",
            alice["email"],
            "--name",
            "acme",
            "--json",
        ),
        input=alice["api_token"] + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert connected.returncode == 0, connected.stderr
    assert json.loads(connected.stdout)["connections"][0]["name"] == "acme"
    key = _create_key(env)
    assert key.startswith("jgw_")
    me = httpx.get(info["url"] + "/jira/acme/rest/api/3/myself", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    assert me.json()["emailAddress"] == alice["email"]
    code, err = served.stop(signal.SIGTERM)
    assert code == 0, err
    # The banner shows the sandbox's demo credentials; nothing logged after it while serving
    # carries the Atlassian token or the gateway key.
    banner, _, after = err.partition("Press Ctrl+C to stop.")
    assert banner
    assert alice["api_token"] not in after
    assert key not in err


def test_a_first_run_starts_connected_with_a_demo_key(served: Running, tmp_path: Path) -> None:
    info = served.info
    assert info["demo_connections"] == ["acme", "corp"]
    key = info["demo_key"]
    assert key.startswith("jgw_")
    for path in ("/jira/acme/rest/api/3/myself", "/jira/corp/rest/api/2/myself"):
        me = httpx.get(info["url"] + path, headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200, me.text
    # The demo key has the read/write work preset: a newcomer's first write is not refused.
    listed = subprocess.run(
        _jiragw("keys", "list", "--json"),
        capture_output=True,
        text=True,
        env=served.cli_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout
    (demo,) = json.loads(listed.stdout)
    assert demo["name"] == "demo"
    assert demo["read_only"] is False
    assert "write:jira-work" in demo["scopes"]
    code, err = served.stop(signal.SIGTERM)
    assert code == 0, err
    banner, _, after = err.partition("Press Ctrl+C to stop.")
    assert banner.count(key) == 2  # the key, and the curl line that uses it
    assert key not in after


def _create_key(env: dict[str, str]) -> str:
    """A read/write-work key for ``acme`` from ``jiragw keys create --json`` (first line, shown once)."""
    made = subprocess.run(
        _jiragw(
            "keys",
            "create",
            "--name",
            "script",
            "--connection",
            "acme",
            "--preset",
            "read-write-work",
            "--json",
        ),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout.splitlines()[0])["key"]
    assert key not in made.stderr
    return str(key)


@pytest.mark.parametrize(
    ("extra", "code", "needle"),
    [
        ({"JIRAGW_PUBLIC_URL": "https://gw.example.com"}, "master_key_missing", "JIRAGW_MASTER_KEY"),
        ({"JIRAGW_MASTER_KEY": "A" * 43}, "config_error", "JIRAGW_PUBLIC_URL"),
    ],
)
def test_without_sandbox_refuses_to_start_without_settings(
    tmp_path: Path, extra: dict[str, str], code: str, needle: str
) -> None:
    done = subprocess.run(
        _jiragw("serve", "--port", "0"),
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path, **extra),
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    assert f"error[{code}]" in done.stderr
    assert needle in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def _production_env(home: Path) -> dict[str, str]:
    from jiragw.vault import Keyring

    return _clean_env(
        home,
        JIRAGW_MASTER_KEY=Keyring.new_key(),
        JIRAGW_PUBLIC_URL="https://gw.example.com",
        JIRAGW_DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
    )


@pytest.mark.parametrize("print_link", [False, True])
def test_production_prints_the_login_link_off_a_terminal_only_when_asked(
    tmp_path: Path, print_link: bool
) -> None:
    extra = ("--print-login-link",) if print_link else ()
    proc = subprocess.Popen(
        _jiragw("serve", "--port", "0", "--json", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_production_env(tmp_path),
    )
    running = Running(proc, json.loads(proc.stdout.readline() if proc.stdout else "{}"))
    code, err = running.stop()
    assert code == 0, err
    link = running.info["admin_login_url"]
    if print_link:
        assert link.startswith("https://gw.example.com/login/")
        assert link in err
    else:
        assert link is None
        assert "/login/" not in err  # stderr is a pipe here, likely a log file
        assert "--print-login-link" in err


def test_production_shows_the_login_link_on_a_terminal(tmp_path: Path) -> None:
    import pty

    main, terminal = pty.openpty()
    proc = subprocess.Popen(
        _jiragw("serve", "--port", "0"),
        stdout=terminal,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_production_env(tmp_path),
    )
    os.close(terminal)
    seen = b""
    try:
        while b"Press Ctrl+C" not in seen:
            chunk = os.read(main, 65536)
            assert chunk, seen
            seen += chunk
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        os.close(main)
    assert b"https://gw.example.com/login/" in seen


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--keyfile", "/nonexistent/key.pem"), "--keyfile needs --certfile"),
        (("--certfile", "/nonexistent/cert.pem"), "cannot load the TLS certificate"),
    ],
)
def test_tls_options_that_cannot_work_are_refused(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    done = subprocess.run(
        _jiragw("serve", "--port", "0", *args),
        capture_output=True,
        text=True,
        env=_production_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "error[config_error]" in done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.mark.parametrize("no_proxy", ["", "127.0.0.1"])
def test_upstream_calls_follow_the_environment_proxy(tmp_path: Path, no_proxy: str) -> None:
    """HTTP_PROXY carries the gateway's calls to the sandbox, unless NO_PROXY covers its address."""
    env = {k: v for k, v in _clean_env(tmp_path).items() if k.lower() not in _PROXY_VARIABLES}
    with tinyproxy(tmp_path / "proxy") as proxy:
        proc = subprocess.Popen(
            _jiragw("serve", "--sandbox", "--json", "--port", "0"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**env, "HTTP_PROXY": proxy.url, "NO_PROXY": no_proxy},
        )
        running = Running(proc, json.loads(proc.stdout.readline() or "null"))  # type: ignore[union-attr]
        try:
            info = running.info
            assert info is not None, proc.communicate(timeout=30)[1]
            assert info["demo_connections"] == ["acme", "corp"]
            myself = f"GET {info['sandbox']['base_url']}/sites/acme/rest/api/3/myself"
            before = proxy.requests().count(myself)
            with httpx.Client(trust_env=False) as client:  # the test's own call goes direct
                answer = client.get(
                    info["url"] + "/jira/acme/rest/api/3/myself",
                    headers={"Authorization": f"Bearer {info['demo_key']}"},
                )
            assert answer.status_code == 200
            after = proxy.requests().count(myself)
        finally:
            running.stop()
    if no_proxy:
        assert proxy.requests() == []
    else:
        assert before >= 1  # the demo connection's check at start-up went through the proxy too
        assert after == before + 1
