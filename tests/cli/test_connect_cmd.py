"""``jiragw connect ...`` against the sandbox served on a real port: secrets from stdin, never argv.

The OAuth flows run the CLI's one-shot loopback listener; a scripted browser
(another thread) opens the printed authorize URL on the sandbox, answers its
consent page and follows the redirect to the listener, as a person would.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jiragw.auth import oauth1
from jiragw.cli import connect_cmd
from jiragw.sandbox import Sandbox, build_sandbox
from tests.broker.browser import consent_redirect
from tests.broker.conftest import Demo, token_calls
from tests.cli._cli_env import jiragw, live_sandbox

pytestmark = pytest.mark.live


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=11)


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    with live_sandbox(sandbox, tmp_path, monkeypatch) as demo:
        yield demo


def _admin(demo: Demo, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(
        f"{demo.base}/_sandbox{path}",
        json=body,
        headers={"Authorization": f"Bearer {demo.raw['admin_token']}"},
    )
    assert r.status_code == 200, r.text
    reply: dict[str, Any] = r.json()
    return reply


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _callback_app(demo: Demo, kind: str, scopes: list[str]) -> tuple[str, str, int]:
    """An OAuth client registered for a loopback listener on a free port: (id, secret, port)."""
    port = _free_port()
    body: dict[str, Any] = {
        "name": f"jiragw cli {kind}",
        "kind": kind,
        "callback_urls": [f"http://127.0.0.1:{port}/v1/outbound/oauth/callback"],
        "scopes": scopes,
    }
    if kind == "dc":
        body["dc"] = "corp"
    app = _admin(demo, "/oauth/apps", body)
    return app["client_id"], app["client_secret"], port


class Visits(list[threading.Thread]):
    """The scripted browser's threads and the statuses the listener answered it."""

    statuses: list[int]

    def done(self) -> list[int]:
        for thread in self:
            thread.join(timeout=30)
        return self.statuses


def _browser(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Visits:
    """Stand in for ``webbrowser.open``: consent as alice and follow the redirect to the listener."""
    seen = Visits()
    seen.statuses = []

    def visit(url: str) -> None:
        async def go() -> None:
            async with httpx.AsyncClient() as client:
                location = await consent_redirect(client, url, account_id=demo.user()["account_id"])
                seen.statuses.append((await client.get(location)).status_code)

        seen.append(threading.Thread(target=lambda: asyncio.run(go())))
        seen[-1].start()

    monkeypatch.setattr(connect_cmd, "open_url", visit)
    return seen


def test_refuses_without_master_key(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRAGW_MASTER_KEY")
    alice = env.user()
    args = ["connect", "api-token", "--name", "a", "--site", env.site, "--email", alice["email"]]
    assert jiragw(args, monkeypatch, stdin=alice["api_token"]) == 3
    assert "master_key_missing" in capsys.readouterr().err


def test_static_methods_and_connections(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = env.user()
    cc_id, cc_secret = env.app("2lo")
    runs = [
        (["api-token", "--name", "a", "--site", env.site, "--email", alice["email"]], alice["api_token"]),
        (["basic", "--name", "b", "--url", env.dc, "--username", alice["name"]], alice["password"]),
        (["pat", "--name", "c", "--url", env.dc], alice["pat"] + "\n"),
        (["client-credentials", "--name", "d", "--site", env.site, "--client-id", cc_id], cc_secret),
    ]
    for args, secret in runs:
        assert jiragw(["connect", *args], monkeypatch, stdin=secret) == 0
    assert "discouraged" in capsys.readouterr().err
    for name in "abcd":
        assert jiragw(["connections", "test", name, "--json"], monkeypatch) == 0
        assert json.loads(capsys.readouterr().out)["ok"] is True
    assert jiragw(["connections", "list", "--json"], monkeypatch) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["status"]) for c in listed] == [(n, "active") for n in "abcd"]
    assert jiragw(["connections", "remove", "a", "--yes"], monkeypatch) == 0
    assert jiragw(["connections", "show", "a", "--json"], monkeypatch) == 4  # NotFound
    out = capsys.readouterr()
    assert "not_found" in out.err
    for _, secret in runs:
        assert secret.strip() not in out.out + out.err


def test_wrong_secret_exit_code(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["connect", "api-token", "--name", "a", "--site", env.site, "--email", env.user()["email"]]
    assert jiragw(args, monkeypatch, stdin="canary-wrong-token") == 5
    err = capsys.readouterr().err
    assert "unauthenticated" in err
    assert "canary-wrong-token" not in err


def test_oauth_3lo_with_the_loopback_listener(
    env: Demo, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client_id, secret, port = _callback_app(
        env, "3lo", ["read:jira-user", "read:jira-work", "offline_access"]
    )
    seen = _browser(env, monkeypatch)
    args = ["connect", "oauth", "--name", "cloud", "--client-id", client_id, "--scope", "read:jira-user"]
    args += ["--scope", "read:jira-work", "--callback-port", str(port), "--open", "--json"]
    assert jiragw(args, monkeypatch, stdin=secret) == 0
    out = capsys.readouterr()
    assert [c["name"] for c in json.loads(out.out)["connections"]] == ["cloud"]
    assert "state=" in out.err  # the authorize URL was printed
    assert secret not in out.out + out.err
    assert seen.done() == [200]  # the listener answered the browser
    assert token_calls(sandbox, "authorization_code") == 1
    assert jiragw(["connections", "test", "cloud", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_dc_oauth(env: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id, secret, port = _callback_app(env, "dc", ["READ"])
    seen = _browser(env, monkeypatch)
    args = ["connect", "dc-oauth", "--name", "corp", "--url", env.dc, "--client-id", client_id]
    args += ["--scope", "READ", "--callback-port", str(port), "--open"]
    assert jiragw(args, monkeypatch, stdin=secret) == 0
    assert seen.done() == [200]
    assert jiragw(["connections", "test", "corp"], monkeypatch) == 0


def test_oauth1_generates_a_key_pair(
    env: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate = oauth1.generate_key_pair

    def and_paste(bits: int = 2048) -> oauth1.RsaKeyPair:
        """The Jira admin pastes the printed public key into the application link straight away."""
        pair = generate(bits)
        _admin(
            env,
            "/oauth/consumers",
            {"dc": "corp", "consumer_key": "jiragw-cli", "public_key": pair.public_key_pem},
        )
        return pair

    monkeypatch.setattr(oauth1, "generate_key_pair", and_paste)
    seen = _browser(env, monkeypatch)
    args = ["connect", "oauth1", "--name", "corp", "--url", env.dc, "--consumer-key", "jiragw-cli"]
    args += ["--callback-port", str(_free_port()), "--open"]
    assert jiragw(args, monkeypatch) == 0
    assert seen.done() == [200]
    err = capsys.readouterr().err
    assert "BEGIN PUBLIC KEY" in err
    assert "PRIVATE KEY" not in err
    assert jiragw(["connections", "test", "corp"], monkeypatch) == 0
