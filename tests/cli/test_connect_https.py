"""``jiragw connect ... --site http://remote``: refused before any request, unless ``--allow-insecure-http``.

Every request the CLI's HTTP client makes is recorded at httpx's transport; one
to ``jira.example.com`` is delivered to the sandbox on its loopback port, so
an allowed plain-HTTP connection really connects (and is listed with its warning).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.secure_urls import INSECURE_WARNING
from tests.broker.conftest import Demo
from tests.cli._cli_env import jiragw, live_sandbox

pytestmark = pytest.mark.live
CANARY = "CANARY-cli-https-2d8e61b0f4"
REMOTE = "http://jira.example.com"


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=11)


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    with live_sandbox(sandbox, tmp_path, monkeypatch) as demo:
        yield demo


@pytest.fixture
def wire(env: Demo, monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every request sent; those for ``jira.example.com`` go to the sandbox's port instead."""
    seen: list[httpx.Request] = []
    original = httpx.AsyncHTTPTransport.handle_async_request
    sandbox = httpx.URL(env.base)

    async def recorded(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "jira.example.com":
            request.url = request.url.copy_with(host=sandbox.host, port=sandbox.port)
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", recorded)
    return seen


REFUSED = {
    "api-token": ["--site", f"{REMOTE}/sites/acme", "--email", "a@example.com"],
    "basic": ["--url", f"{REMOTE}/dc/corp", "--username", "alice"],
    "pat": ["--url", f"{REMOTE}/dc/corp"],
    "client-credentials": ["--site", f"{REMOTE}/sites/acme", "--client-id", "c"],
    "dc-oauth": ["--url", f"{REMOTE}/dc/corp", "--client-id", "c", "--scope", "READ", "--callback-port", "0"],
    "oauth1": ["--url", f"{REMOTE}/dc/corp", "--oob"],
}


@pytest.mark.parametrize("method", list(REFUSED), ids=list(REFUSED))
def test_plain_http_to_a_remote_host_is_refused_before_any_request(
    wire: list[httpx.Request],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    method: str,
) -> None:
    args = ["connect", method, "--name", "x", *REFUSED[method]]
    assert jiragw(args, monkeypatch, stdin=CANARY + "\n") == 2
    out = capsys.readouterr()
    assert "insecure_url" in out.err
    assert "--allow-insecure-http" in out.err
    assert CANARY not in out.out + out.err
    assert wire == []
    assert jiragw(["connections", "list", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_allowed_plain_http_connects_and_is_listed_with_a_warning(
    env: Demo, wire: list[httpx.Request], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = env.user()
    args = ["connect", "api-token", "--name", "plain", "--site", f"{REMOTE}/sites/acme"]
    args += ["--email", alice["email"], "--allow-insecure-http", "--json"]
    assert jiragw(args, monkeypatch, stdin=alice["api_token"]) == 0
    out = capsys.readouterr()
    assert f"warning: {INSECURE_WARNING}" in out.err
    assert json.loads(out.out)["connections"][0]["allow_insecure_http"] is True
    assert [r.url.path for r in wire] == ["/sites/acme/rest/api/3/myself"]

    assert jiragw(["connections", "list", "--json"], monkeypatch) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["allow_insecure_http"], listed["insecure_warning"]) == (True, INSECURE_WARNING)
    assert jiragw(["connections", "show", "plain"], monkeypatch) == 0
    assert f"insecure_warning: {INSECURE_WARNING}" in capsys.readouterr().out
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line
    assert jiragw(["connections", "list"], monkeypatch) == 0
    assert f"warning: {INSECURE_WARNING}" in capsys.readouterr().out
    assert alice["api_token"] not in out.out + out.err


def test_loopback_needs_no_permission(
    env: Demo, wire: list[httpx.Request], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = env.user()
    args = ["connect", "api-token", "--name", "local", "--site", env.site, "--email", alice["email"]]
    assert jiragw(args, monkeypatch, stdin=alice["api_token"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert jiragw(["connections", "show", "local", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["insecure_warning"] is None
