"""ORDER BY: numeric key order, configured orders, empties, mixed directions, stability."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jiragw.sandbox.jql import compile_jql
from jiragw.sandbox.state.model import Instance

Run = Callable[[str], list[str]]


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = PRJ ORDER BY key", ["PRJ-1", "PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11"]),
        ("project = PRJ ORDER BY key DESC", ["PRJ-11", "PRJ-10", "PRJ-3", "PRJ-2", "PRJ-1"]),
        ("ORDER BY issuekey ASC", ["OPS-1", "PRJ-1", "PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11"]),
        ("ORDER BY created ASC", ["PRJ-11", "PRJ-1", "PRJ-2", "OPS-1", "PRJ-3", "PRJ-10"]),
        # no ORDER BY: created DESC, as Jira
        ("", ["PRJ-10", "PRJ-3", "OPS-1", "PRJ-2", "PRJ-1", "PRJ-11"]),
        ("project = PRJ", ["PRJ-10", "PRJ-3", "PRJ-2", "PRJ-1", "PRJ-11"]),
        # dates sort descending by default
        ("ORDER BY created", ["PRJ-10", "PRJ-3", "OPS-1", "PRJ-2", "PRJ-1", "PRJ-11"]),
        # priority: DESC (the default) puts Highest first
        ("ORDER BY priority", ["PRJ-10", "PRJ-1", "PRJ-2", "PRJ-11", "PRJ-3", "OPS-1"]),
        ("ORDER BY priority ASC, key ASC", ["OPS-1", "PRJ-3", "PRJ-2", "PRJ-11", "PRJ-1", "PRJ-10"]),
        # status in workflow order, ties broken by the next key
        ("ORDER BY status, key", ["OPS-1", "PRJ-1", "PRJ-2", "PRJ-10", "PRJ-11", "PRJ-3"]),
        ("ORDER BY status DESC, key DESC", ["PRJ-3", "PRJ-11", "PRJ-10", "PRJ-2", "PRJ-1", "OPS-1"]),
        # empty values last ascending, first descending
        ("ORDER BY due ASC, key", ["PRJ-1", "OPS-1", "PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11"]),
        ("ORDER BY due DESC, key", ["PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11", "OPS-1", "PRJ-1"]),
        ('ORDER BY "Story Points" DESC, key', ["OPS-1", "PRJ-1", "PRJ-3", "PRJ-11", "PRJ-10", "PRJ-2"]),
        ("ORDER BY cf[10016] ASC, key", ["PRJ-2", "PRJ-10", "OPS-1", "PRJ-1", "PRJ-3", "PRJ-11"]),
        # users by display name (Alice, Bob, Carol), unassigned last
        ("ORDER BY assignee, key", ["OPS-1", "PRJ-1", "PRJ-10", "PRJ-2", "PRJ-11", "PRJ-3"]),
        ("ORDER BY summary", ["PRJ-2", "OPS-1", "PRJ-1", "PRJ-10", "PRJ-11", "PRJ-3"]),
    ],
)
def test_order(run: Run, jql: str, expected: list[str]) -> None:
    assert run(jql) == expected


def test_order_by_reports_fields_and_directions(inst: Instance, now: object) -> None:
    q = compile_jql(inst, "ORDER BY priority, key ASC, created", user=None, now=now)  # type: ignore[arg-type]
    assert q.order_by == [("priority", True), ("issuekey", False), ("created", True)]
    assert compile_jql(inst, "", user=None, now=now).order_by == [("created", True)]  # type: ignore[arg-type]


def test_search_is_stable_for_equal_keys(inst: Instance, now: object) -> None:
    q = compile_jql(inst, "ORDER BY project", user=None, now=now)  # type: ignore[arg-type]
    issues = list(inst.issues.values())
    result = q.search(reversed(issues))
    prj = [i.key for i in result if i.key.startswith("PRJ")]
    assert result[0].key == "OPS-1"
    assert prj == [i.key for i in reversed(issues) if i.key.startswith("PRJ")]
