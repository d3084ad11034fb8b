"""JQL over the sprint field: ``sprint = N``, ``in``, names, ``openSprints()``, ``closedSprints()``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jiragw.sandbox.jql import JqlError, compile_jql
from jiragw.sandbox.seeding import new_instance
from jiragw.sandbox.seeding.generator import generate
from jiragw.sandbox.state.model import Instance, Issue

NOW = datetime(2025, 6, 1, 14, 30, tzinfo=UTC)
SPRINT = "customfield_10021"


@pytest.fixture(scope="module")
def inst() -> Instance:
    made = new_instance("cloud", "acme", 3)
    generate(made, projects=3, issues=600, seed=3, now=NOW)
    return made


def keys(inst: Instance, jql: str) -> set[str]:
    query = compile_jql(inst, jql, user=inst.find_user("alice"), now=NOW)
    return {i.key for i in inst.issues.values() if query.matches(i)}


def in_sprints(inst: Instance, wanted: set[int]) -> set[str]:
    return {i.key for i in inst.issues.values() if wanted & set(i.custom.get(SPRINT, ()))}


def _sprint_of(issue: Issue) -> list[int]:
    return list(issue.custom.get(SPRINT, ()))


def test_sprint_equals_id_and_name(inst: Instance) -> None:
    active = next(s for s in inst.sprints.values() if s.state == "active")
    expected = in_sprints(inst, {active.id})
    assert expected
    assert keys(inst, f"sprint = {active.id}") == expected
    assert keys(inst, f'sprint = "{active.name.lower()}"') == expected
    assert keys(inst, f"cf[10021] = {active.id}") == expected


def test_sprint_in_list_and_not_in(inst: Instance) -> None:
    a, b = 1, 2
    assert keys(inst, f"sprint in ({a}, {b})") == in_sprints(inst, {a, b})
    # Like every NOT IN, issues in no sprint are not found.
    expected = {i.key for i in inst.issues.values() if _sprint_of(i) and a not in _sprint_of(i)}
    assert keys(inst, f"sprint not in ({a})") == expected


def test_sprint_is_empty(inst: Instance) -> None:
    assert keys(inst, "sprint is EMPTY") == {i.key for i in inst.issues.values() if not _sprint_of(i)}
    assert keys(inst, "sprint is not EMPTY") == {i.key for i in inst.issues.values() if _sprint_of(i)}


def test_open_and_closed_sprint_functions(inst: Instance) -> None:
    open_ids = {s.id for s in inst.sprints.values() if s.state in ("active", "future")}
    closed_ids = {s.id for s in inst.sprints.values() if s.state == "closed"}
    assert keys(inst, "sprint in openSprints()") == in_sprints(inst, open_ids)
    assert keys(inst, "sprint in closedSprints()") == in_sprints(inst, closed_ids)
    assert keys(inst, "sprint in openSprints()")
    assert keys(inst, "sprint in closedSprints()")


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("sprint = 999", "A value with ID '999' does not exist for the field 'sprint'."),
        ("sprint = nope", "The value 'nope' does not exist for the field 'sprint'."),
        ("sprint ~ 1", "The operator '~' is not supported by the 'sprint' field."),
        ("sprint in currentUser()", "A value provided by the function 'currentUser' is invalid"),
        ("assignee in openSprints()", "A value provided by the function 'openSprints' is invalid"),
    ],
)
def test_invalid_sprint_clauses(inst: Instance, jql: str, message: str) -> None:
    with pytest.raises(JqlError) as caught:
        compile_jql(inst, jql, user=inst.find_user("alice"), now=NOW)
    assert any(message in m for m in caught.value.error_messages), caught.value.error_messages
