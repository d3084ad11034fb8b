"""Jira issue keys from the current git branch and commit messages, for ``jiragw devops --from-git``.

Jira's development tools link a branch or commit to an issue when its name or
message contains the issue key: a project key (an uppercase letter, then
uppercase letters, digits or underscores: Jira's default project key
pattern ``([A-Z][A-Z0-9_]+)``), a hyphen and the issue number, not glued to
a preceding letter, digit or hyphen (so ``XABC-1`` does not yield ``ABC-1``).
:func:`issue_keys` is that parser, pure; :func:`keys_from_git` runs ``git``
(an injected runner, ``subprocess.run`` by default) for the branch name and
the messages of the commits since a base ref.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jiragw.errors import ConfigError, InvalidInput

__all__ = ["ISSUE_KEY", "GitKeys", "issue_keys", "keys_from_git", "merge_keys", "run_git"]

ISSUE_KEY = re.compile(r"(?<![A-Za-z0-9_-])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?![A-Za-z0-9_])")

Runner = Callable[[Sequence[str], Path | None], str]


def issue_keys(*texts: str) -> list[str]:
    """Every issue key in ``texts``, once each, in order of first appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for match in ISSUE_KEY.finditer(text):
            found.setdefault(match.group(1))
    return list(found)


@dataclass(frozen=True, slots=True)
class GitKeys:
    """What ``--from-git`` read: the branch (``None`` when detached), the messages and the keys."""

    branch: str | None
    messages: tuple[str, ...]
    keys: tuple[str, ...]


def run_git(args: Sequence[str], cwd: Path | None) -> str:
    """``git args`` in ``cwd``: its standard output, or a clear error."""
    git = shutil.which("git")
    if git is None:
        raise ConfigError("git is not installed (or not on PATH); pass --issue KEY instead")
    done = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [git, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise InvalidInput(
            f"git {' '.join(args)} failed: {done.stderr.strip() or f'exit status {done.returncode}'}",
            details={"returncode": done.returncode},
        )
    return done.stdout


def keys_from_git(
    base: str | None = None,
    *,
    branch: str | None = None,
    cwd: Path | None = None,
    run: Runner = run_git,
) -> GitKeys:
    """Issue keys from the branch name and the messages of ``base..HEAD`` (``HEAD`` alone without a base).

    ``branch`` overrides the checked-out branch's name, for CI jobs that build a
    detached ``HEAD`` but know the branch (``$GITHUB_HEAD_REF``, ``$CI_COMMIT_REF_NAME``).
    """
    if base is not None and (not base.strip() or base.startswith("-")):
        raise InvalidInput(f"{base!r} is not a git ref")  # never let a ref read as a git option
    if branch is None:
        branch = run(["rev-parse", "--abbrev-ref", "HEAD"], cwd).strip()
    revs = [f"{base}..HEAD"] if base else ["-1", "HEAD"]
    log = run(["log", "--format=%B%x00", *revs, "--"], cwd)
    messages = tuple(m.strip() for m in log.split("\x00") if m.strip())
    current = None if branch in ("", "HEAD") else branch
    return GitKeys(current, messages, tuple(issue_keys(current or "", *messages)))


def merge_keys(*groups: Iterable[str]) -> list[str]:
    """Keys from several sources, once each, in order."""
    return list(dict.fromkeys(k for group in groups for k in group))
