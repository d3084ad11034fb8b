"""``jiragw devops build|deployment`` against the sandbox served on a real port, over a 2LO connection.

The connection is made with ``jiragw connect client-credentials`` (the secret
on stdin), as a CI job would; ``--from-git`` reads a temporary git
repository made here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiragw.cli import devops_cmd
from jiragw.jira.resources.devops import Build
from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox.oauth import oauth_state
from tests.broker.conftest import Demo
from tests.cli._cli_env import jiragw, live_sandbox

pytestmark = pytest.mark.live


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=11)


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    with live_sandbox(sandbox, tmp_path, monkeypatch) as demo:
        cc_id, cc_secret = demo.app("2lo")
        args = ["connect", "client-credentials", "--name", "ci", "--site", demo.site, "--client-id", cc_id]
        assert jiragw(args, monkeypatch, stdin=cc_secret) == 0
        yield demo


@pytest.fixture
def known(sandbox: Sandbox) -> list[str]:
    return sorted(i.key for i in sandbox.sites["acme"].issues.values())


def stored(sandbox: Sandbox, kind: str, key: str) -> dict[str, Any]:
    entity: dict[str, Any] = oauth_state(sandbox).devops[(sandbox.sites["acme"].cloud_id, kind, key)]
    return entity


BUILD = ["devops", "build", "-c", "ci", "--pipeline-id", "ci-main", "--url", "https://ci.example/run/12"]


def test_build_with_issue_flags_reports_unknown_keys(
    env: Demo,
    sandbox: Sandbox,
    known: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    args = [
        *BUILD,
        "--build-number",
        "12",
        "--state",
        "successful",
        "-i",
        known[0],
        "-i",
        "NOPE-404",
        "--json",
    ]
    assert jiragw(args, monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "accepted": [{"pipelineId": "ci-main", "buildNumber": 12}],
        "rejected": [],
        "unknown_issue_keys": ["NOPE-404"],
        "issue_keys": [known[0], "NOPE-404"],
    }
    build = stored(sandbox, "builds", "ci-main/12")
    assert build["displayName"] == "ci-main #12"
    assert build["issueKeys"] == [known[0], "NOPE-404"]
    assert build["state"] == "successful"
    # The human report names the accepted build and warns about unknown keys on stderr.
    args = [*BUILD, "--build-number", "13", "--state", "failed", "-i", known[1], "-i", "NOPE-1"]
    assert jiragw(args, monkeypatch) == 0
    human = capsys.readouterr()
    assert "accepted build pipelineId=ci-main buildNumber=13" in human.out
    assert f"issue keys: {known[1]}" in human.out
    assert "unknown issue keys (not in Jira): NOPE-1" in human.err


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_deployment_from_git(
    env: Demo,
    sandbox: Sandbox,
    known: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "OLD-1 is on main already")
    git(repo, "checkout", "-q", "-b", f"feature/{known[0]}-login")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"Fix the form\n\nRefs {known[1]}")
    monkeypatch.chdir(repo)
    capsys.readouterr()
    args = [
        "devops",
        "deployment",
        "--connection",
        "ci",
        "--pipeline-id",
        "deploy",
        "--deployment-number",
        "5",
        "--environment",
        "prod-eu",
        "--environment-type",
        "production",
        "--state",
        "successful",
        "--url",
        "https://ci.example/deploy/5",
        "--from-git",
        "--base",
        "main",
        "-i",
        known[2],
        "--json",
    ]
    assert jiragw(args, monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["issue_keys"] == [known[2], known[0], known[1]]  # flags first, then branch, then commits
    assert out["accepted"] == [
        {"pipelineId": "deploy", "environmentId": "prod-eu", "deploymentSequenceNumber": 5}
    ]
    assert out["unknown_issue_keys"] == []
    deployment = stored(sandbox, "deployments", "deploy/prod-eu/5")
    assert deployment["associations"][0]["values"] == [known[2], known[0], known[1]]
    assert deployment["environment"]["type"] == "production"


def test_a_rejected_build_exits_non_zero(
    env: Demo, known: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Sloppy(Build):
        """A build whose payload lost a required field: only Jira can notice."""

        def to_json(self) -> dict[str, Any]:
            body = super().to_json()
            del body["displayName"]
            return body

    monkeypatch.setattr(devops_cmd, "Build", Sloppy)
    capsys.readouterr()
    args = [*BUILD, "--build-number", "14", "--state", "successful", "-i", known[0]]
    assert jiragw(args, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "rejected build pipelineId=ci-main buildNumber=14" in err
    assert "displayName" in err


def test_client_side_errors_and_exit_codes(
    env: Demo, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.counters.clear()
    capsys.readouterr()
    no_keys = [*BUILD, "--build-number", "1", "--state", "successful"]
    assert jiragw(no_keys, monkeypatch) == 2
    assert "no issue keys given" in capsys.readouterr().err
    bad_state = [*BUILD, "--build-number", "1", "--state", "green", "-i", "ABC-1"]
    assert jiragw(bad_state, monkeypatch) == 2
    assert "--state must be one of" in capsys.readouterr().err
    too_many = [*BUILD, "--build-number", "1", "--state", "successful"]
    for n in range(1, 102):
        too_many += ["-i", f"ABC-{n}"]
    assert jiragw(too_many, monkeypatch) == 2
    assert "at most 100" in capsys.readouterr().err
    assert not [k for k in sandbox.counters if "builds" in k.operation.lower() or "Build" in k.operation]
    unknown = [*BUILD[:3], "nope", *BUILD[4:], "--build-number", "1", "--state", "successful", "-i", "ABC-1"]
    assert jiragw(unknown, monkeypatch) == 4
    assert "not_found" in capsys.readouterr().err
