"""``jiragw sandbox`` as a user runs it: a real process, a real port, JSON on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

pytestmark = pytest.mark.live


def _jiragw(*args: str) -> list[str]:
    return [sys.executable, "-c", "from jiragw.cli.app import main; main()", *args]


def test_json_line_then_serves() -> None:
    proc = subprocess.Popen(
        _jiragw("sandbox", "--port", "0", "--json", "--projects", "2", "--issues", "40", "--seed", "5"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert set(info) >= {"base_url", "auth_url", "api_url", "sites", "dc", "users", "admin_url"}
        site = info["sites"]["acme"]
        assert site["url"] == info["base_url"] + "/sites/acme"
        alice = next(u for u in info["users"] if u["name"] == "alice")
        # Printed only once the server accepts connections: this must succeed at once.
        me = httpx.get(site["url"] + "/rest/api/3/myself", auth=(alice["email"], alice["api_token"]))
        assert me.status_code == 200
        dc = httpx.get(
            info["dc"]["corp"]["url"] + "/rest/api/2/myself",
            headers={"Authorization": f"Bearer {alice['pat']}"},
        )
        assert dc.json()["name"] == "alice"
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


def test_same_seed_same_credentials() -> None:
    from jiragw.sandbox.seeding import demo_users

    assert [u.api_token for u in demo_users(5)] == [u.api_token for u in demo_users(5)]
    assert [u.api_token for u in demo_users(5)] != [u.api_token for u in demo_users(6)]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--issues", "-1"], "must be >= 0"),
        (["--projects", "0", "--issues", "5"], "needs at least one project"),
        (["--error-rate", "3"], "error_rate"),
    ],
)
def test_bad_options_exit_2_with_clear_error(args: list[str], needle: str) -> None:
    done = subprocess.run(
        _jiragw("sandbox", "--port", "0", *args), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "error[invalid_input]" in done.stderr
    assert needle in done.stderr


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen(
        _jiragw("sandbox", "--port", "0", "--json", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"the sandbox exited before its first line: {err}")
    return proc, json.loads(line)


def _stop(proc: subprocess.Popen[str]) -> str:
    """Stop a started sandbox; its stderr."""
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    return err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104 - the case under test
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("sandbox.example.com", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    from jiragw.cli.sandbox_cmd import is_loopback_host

    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("as_json", [True, False])
def test_a_non_loopback_host_is_refused_without_allow_remote(as_json: bool) -> None:
    done = subprocess.run(
        _jiragw("sandbox", "--host", "0.0.0.0", "--port", "0", *(["--json"] if as_json else [])),  # noqa: S104
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    if as_json:
        error = json.loads(done.stderr)["error"]
        assert error["code"] == "remote_not_allowed"
        assert "--allow-remote" in error["message"]
    else:
        assert "error[remote_not_allowed]" in done.stderr
        assert "--allow-remote" in done.stderr


def test_allow_remote_listens_everywhere_and_warns() -> None:
    proc, info = _start("--host", "0.0.0.0", "--allow-remote", "--projects", "1", "--issues", "2")  # noqa: S104
    try:
        sites = info["sites"]
        assert isinstance(sites, dict)
        assert httpx.get(sites["acme"]["url"] + "/rest/api/3/serverInfo").status_code in (200, 401)
    finally:
        err = _stop(proc)
    assert "WARNING: the sandbox listens on 0.0.0.0" in err


def _credentials(info: dict[str, object]) -> dict[str, object]:
    users = info["users"]
    apps = info["oauth_apps"]
    assert isinstance(users, list)
    assert isinstance(apps, list)
    return {
        "users": [(u["api_token"], u["password"], u["pat"]) for u in users],
        "oauth": [a["client_secret"] for a in apps],
    }


def test_credentials_are_random_unless_a_seed_is_given() -> None:
    runs = []
    for args in ([], [], ["--seed", "3"], ["--seed", "3"]):
        proc, info = _start("--projects", "1", "--issues", "2", *args)
        _stop(proc)
        runs.append(info)
    unseeded, seeded = runs[:2], runs[2:]
    first, second = (_credentials(info) for info in unseeded)
    assert all(a != b for a, b in zip(first["users"], second["users"], strict=True))  # type: ignore[call-overload]
    assert all(a != b for a, b in zip(first["oauth"], second["oauth"], strict=True))  # type: ignore[call-overload]
    # Only the credentials are random: the data keeps the default seed.
    assert unseeded[0]["seed"] == unseeded[1]["seed"] == 0
    accounts = [[u["account_id"] for u in info["users"]] for info in unseeded]  # type: ignore[attr-defined]
    assert accounts[0] == accounts[1]
    assert _credentials(seeded[0]) == _credentials(seeded[1])
    assert seeded[0]["seed"] == 3


def test_state_file_survives_a_restart(tmp_path: object) -> None:
    from pathlib import Path

    state = Path(str(tmp_path)) / "sandbox.sqlite3"
    proc, info = _start("--projects", "1", "--issues", "10", "--state", str(state))
    try:
        sites = info["sites"]
        users = info["users"]
        assert isinstance(sites, dict)
        assert isinstance(users, list)
        alice = next(u for u in users if u["name"] == "alice")
        created = httpx.post(
            sites["acme"]["url"] + "/rest/api/2/issue",
            auth=(alice["email"], alice["api_token"]),
            json={
                "fields": {
                    "project": {"key": "PRJ"},
                    "summary": "Survives restarts",
                    "issuetype": {"name": "Task"},
                }
            },
        )
        assert created.status_code == 201
        key = created.json()["key"]
    finally:
        proc.terminate()  # uvicorn shuts down gracefully on SIGTERM; the writer saves on the way out
        proc.communicate(timeout=30)
    assert state.exists()
    proc, info = _start("--state", str(state))
    try:
        sites = info["sites"]
        assert isinstance(sites, dict)
        got = httpx.get(
            sites["acme"]["url"] + f"/rest/api/2/issue/{key}", auth=(alice["email"], alice["api_token"])
        )
        assert got.status_code == 200
        assert got.json()["fields"]["summary"] == "Survives restarts"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
