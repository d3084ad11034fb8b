"""The lenient compilation behind ``validateQuery=warn|none``: invalid values match nothing.

Against the hand-built instance in conftest. Every lenient query here is also
checked on the strict path, which must refuse it with exactly the messages the
lenient path returns as warnings.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jiragw.sandbox.jql import JqlError, compile_jql, compile_jql_lenient
from jiragw.sandbox.state.model import Filter, Instance

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
ALL = {"PRJ-1", "PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11", "OPS-1"}
PRJ = ALL - {"OPS-1"}
ALICE = {"PRJ-1", "PRJ-10", "OPS-1"}  # assigned to alice

NOPE = "The value 'NOPE' does not exist for the field 'project'."
NOBODY = "The value 'nobody' does not exist for the field 'assignee'."
BOGUS_STATUS = "The value 'Bogus' does not exist for the field 'status'."


def _lenient(inst: Instance, jql: str) -> tuple[set[str], list[str]]:
    compiled = compile_jql_lenient(inst, jql, user=inst.find_user("alice"), now=NOW)
    return {i.key for i in compiled.search(inst.issues.values())}, list(compiled.warnings)


@pytest.mark.parametrize(
    ("jql", "expected", "warnings"),
    [
        # a lone invalid value matches nothing; its negations match every (non-empty) value
        ("project = NOPE", set(), [NOPE]),
        ("project != NOPE", ALL, [NOPE]),
        ("NOT project = NOPE", ALL, [NOPE]),
        ("project is not EMPTY AND project = NOPE", set(), [NOPE]),
        # the rest of the query is still evaluated
        ("project = NOPE OR assignee = alice", ALICE, [NOPE]),
        ("project = NOPE AND assignee = alice", set(), [NOPE]),
        ("project != NOPE AND assignee = alice", ALICE, [NOPE]),
        # invalid values drop out of IN / NOT IN lists, valid ones still count
        ("project in (PRJ, NOPE)", PRJ, [NOPE]),
        ("project not in (PRJ, NOPE)", {"OPS-1"}, [NOPE]),
        ("project in (NOPE)", set(), [NOPE]),
        ("project not in (NOPE)", ALL, [NOPE]),
        ('status in ("To Do", Bogus)', {"PRJ-1", "OPS-1"}, [BOGUS_STATUS]),
        ('status not in ("To Do", Bogus)', {"PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11"}, [BOGUS_STATUS]),
        ("assignee in (alice, nobody)", ALICE, [NOBODY]),
        # != / NOT IN keep Jira's rule: an empty field never matches them
        ("assignee not in (bob, nobody)", {"PRJ-1", "PRJ-10", "PRJ-11", "OPS-1"}, [NOBODY]),
        ("assignee != nobody", ALL - {"PRJ-3"}, [NOBODY]),
        ("assignee in (EMPTY, nobody)", {"PRJ-3"}, [NOBODY]),
        # multi-valued fields
        (
            "component in (Web, Nope)",
            {"PRJ-3"},
            ["The value 'Nope' does not exist for the field 'component'."],
        ),
        # every problem is listed once, in query order
        (
            "assignee in (alice, nobody) AND status in (Bogus, Done) OR project = NOPE OR project = NOPE",
            set(),
            [NOBODY, BOGUS_STATUS, NOPE],
        ),
        # other validation problems fail only their own clause
        (
            "nosuch = x OR project = OPS",
            {"OPS-1"},
            ["Field 'nosuch' does not exist or you do not have permission to view it."],
        ),
        (
            'created > "not a date" OR key = PRJ-2',
            {"PRJ-2"},
            [
                "Date value 'not a date' for field 'created' is invalid. Valid formats include: "
                "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
                "or a period format e.g. '-5d', '4w 2d'."
            ],
        ),
        (
            "assignee = nosuchFunction() OR labels = urgent",
            {"PRJ-1"},
            ["Unable to find JQL function 'nosuchFunction()'."],
        ),
        (
            'filter = "No such filter" OR project = OPS',
            {"OPS-1"},
            ["The value 'No such filter' does not exist for the field 'filter'."],
        ),
    ],
)
def test_invalid_values_match_nothing(
    inst: Instance, jql: str, expected: set[str], warnings: list[str]
) -> None:
    found, got = _lenient(inst, jql)
    assert found == expected
    assert got == warnings
    with pytest.raises(JqlError) as info:
        compile_jql(inst, jql, user=inst.find_user("alice"), now=NOW)
    assert info.value.error_messages == warnings


@pytest.mark.parametrize("jql", ["project = PRJ", "assignee in (alice, bob) ORDER BY key", ""])
def test_valid_queries_compile_alike(inst: Instance, jql: str) -> None:
    alice = inst.find_user("alice")
    strict = compile_jql(inst, jql, user=alice, now=NOW)
    lenient = compile_jql_lenient(inst, jql, user=alice, now=NOW)
    assert lenient.warnings == () == strict.warnings
    assert lenient.bounded is strict.bounded
    issues = list(inst.issues.values())
    assert [i.key for i in lenient.search(issues)] == [i.key for i in strict.search(issues)]


@pytest.mark.parametrize("jql", ["project = = PRJ", "project in (PRJ, NOPE", "project = NOPE AND"])
def test_syntax_errors_still_raise(inst: Instance, jql: str) -> None:
    with pytest.raises(JqlError) as info:
        compile_jql_lenient(inst, jql, user=None, now=NOW)
    assert info.value.error_messages[0].startswith("Error in the JQL Query:")


def test_an_unsortable_field_is_skipped(inst: Instance) -> None:
    compiled = compile_jql_lenient(
        inst, "project = PRJ ORDER BY nosuch ASC, key DESC", user=inst.find_user("alice"), now=NOW
    )
    assert compiled.warnings == ("Not able to sort using field 'nosuch'.",)
    assert [i.key for i in compiled.search(inst.issues.values())] == [
        "PRJ-11",
        "PRJ-10",
        "PRJ-3",
        "PRJ-2",
        "PRJ-1",
    ]


def test_a_saved_filter_is_compiled_leniently_too(inst: Instance) -> None:
    alice = inst.find_user("alice")
    assert alice is not None
    inst.filters[703] = Filter(
        id=703, name="Half broken", jql="project in (OPS, NOPE)", owner=alice.account_id
    )
    found, warnings = _lenient(inst, "filter = 703 OR key = PRJ-1")
    assert found == {"OPS-1", "PRJ-1"}
    assert warnings == [NOPE]
    found, warnings = _lenient(inst, "filter != 703")
    assert found == PRJ
    with pytest.raises(JqlError) as info:
        compile_jql(inst, "filter = 703", user=alice, now=NOW)
    assert info.value.error_messages == [NOPE]
