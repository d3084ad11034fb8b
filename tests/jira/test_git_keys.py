"""Issue keys from text (Jira's key pattern) and from a real temporary git repository."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from jiragw.errors import InvalidInput
from jiragw.jira.git_keys import issue_keys, keys_from_git, merge_keys

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("feature/ABC-123-fix-login", ["ABC-123"]),
        ("ABC-1 and DEF_2-34, then ABC-1 again", ["ABC-1", "DEF_2-34"]),
        ("Fix A1B2-7: crash", ["A1B2-7"]),
        ("[PLAT-42] (PRJ-9).", ["PLAT-42", "PRJ-9"]),
        ("abc-123 lower case is not a key", []),
        ("XABC-1 is a key of its own", ["XABC-1"]),
        ("ABC-0 and ABC-01 are not issue numbers", []),
        ("A-1 needs two characters", []),
        ("1ABC-2 starts with a digit", []),
        ("ABC-12x is glued to a letter", []),
        ("ABC-12-fix", ["ABC-12"]),
        ("pre-ABC-12 after a hyphen is part of a word", []),
        ("UTF-8 is a false friend", ["UTF-8"]),
        ("", []),
    ],
)
def test_issue_keys(text: str, keys: list[str]) -> None:
    assert issue_keys(text) == keys


def test_keys_are_unique_across_texts_in_order() -> None:
    assert issue_keys("B-1 A-2", "AB-3 AB-3", "CD-4 AB-3") == ["AB-3", "CD-4"]
    assert merge_keys(["AB-1"], ("CD-2", "AB-1")) == ["AB-1", "CD-2"]


def fake_git(outputs: dict[str, str]) -> tuple[list[list[str]], object]:
    calls: list[list[str]] = []

    def run(args: Sequence[str], cwd: Path | None) -> str:
        calls.append(list(args))
        return outputs[args[0]]

    return calls, run


def test_a_detached_head_has_no_branch_and_base_refs_cannot_be_options() -> None:
    calls, run = fake_git({"rev-parse": "HEAD\n", "log": "PRJ-1 fix\n\x00\n"})
    found = keys_from_git(run=run)  # type: ignore[arg-type]
    assert found.branch is None
    assert found.keys == ("PRJ-1",)
    assert calls[1] == ["log", "--format=%B%x00", "-1", "HEAD", "--"]
    with pytest.raises(InvalidInput):
        keys_from_git("--output=/tmp/x", run=run)  # type: ignore[arg-type]
    calls.clear()
    found = keys_from_git(branch="feature/OPS-5", run=run)  # type: ignore[arg-type]
    assert found.keys == ("OPS-5", "PRJ-1")
    assert [c[0] for c in calls] == ["log"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "OLD-1 before the branch")
    git(tmp_path, "checkout", "-q", "-b", "feature/PRJ-7-login")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "PRJ-8: first\n\nAlso touches PLAT-3.")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "Fix PRJ-7 again (PRJ-9)")
    return tmp_path


@needs_git
def test_branch_and_commits_since_the_base(repo: Path) -> None:
    found = keys_from_git("main", cwd=repo)
    assert found.branch == "feature/PRJ-7-login"
    assert found.messages == ("Fix PRJ-7 again (PRJ-9)", "PRJ-8: first\n\nAlso touches PLAT-3.")
    assert found.keys == ("PRJ-7", "PRJ-9", "PRJ-8", "PLAT-3")


@needs_git
def test_without_a_base_only_the_head_commit(repo: Path) -> None:
    assert keys_from_git(cwd=repo).keys == ("PRJ-7", "PRJ-9")


@needs_git
def test_git_errors_are_clear(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(InvalidInput, match="git log"):
        keys_from_git("no-such-ref", cwd=repo)
    with pytest.raises(InvalidInput, match="git rev-parse"):
        keys_from_git(cwd=tmp_path_factory.mktemp("not-a-repo"))
