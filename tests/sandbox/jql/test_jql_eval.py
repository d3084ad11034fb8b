"""Clause semantics per field, against the hand-built instance in conftest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from jiragw.sandbox.jql import compile_jql
from jiragw.sandbox.state.model import Instance

Keys = Callable[[str], set[str]]

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
ALL = {"PRJ-1", "PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11", "OPS-1"}


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        # project by key, id, name, case-insensitively
        ("project = PRJ", ALL - {"OPS-1"}),
        ("project = prj", ALL - {"OPS-1"}),
        ("project = 200", {"OPS-1"}),
        ('project = "Operations"', {"OPS-1"}),
        ("project in (OPS, 100)", ALL),
        ("project != PRJ", {"OPS-1"}),
        ("project is EMPTY", set()),
        # keys and ids
        ("key = PRJ-2", {"PRJ-2"}),
        ("issuekey = prj-2", {"PRJ-2"}),
        ("issue in (PRJ-1, OPS-1)", {"PRJ-1", "OPS-1"}),
        ("id = 1003", {"PRJ-3"}),
        ("id = 99999", set()),
        ("key > PRJ-2", {"PRJ-3", "PRJ-10", "PRJ-11"}),
        ("key <= PRJ-2", {"PRJ-1", "PRJ-2"}),
        ("key != PRJ-1 AND project = PRJ", {"PRJ-2", "PRJ-3", "PRJ-10", "PRJ-11"}),
        # status, statusCategory, resolution
        ('status = "In Progress"', {"PRJ-2", "PRJ-10"}),
        ('status = "in progress"', {"PRJ-2", "PRJ-10"}),
        ("status = 3", {"PRJ-2", "PRJ-10"}),
        ('status not in ("To Do", Done)', {"PRJ-2", "PRJ-10", "PRJ-11"}),
        ('statusCategory = "In Progress"', {"PRJ-2", "PRJ-10", "PRJ-11"}),
        ("statusCategory = indeterminate", {"PRJ-2", "PRJ-10", "PRJ-11"}),
        ("statusCategory = 3", {"PRJ-3"}),
        ('statusCategory != "To Do"', ALL - {"PRJ-1", "OPS-1"}),
        ("resolution = Unresolved", ALL - {"PRJ-3"}),
        ("resolution is not empty", {"PRJ-3"}),
        ("resolution = Done", {"PRJ-3"}),
        # users: account id, username, email, display name, currentUser()
        ("assignee = currentUser()", {"PRJ-1", "PRJ-10", "OPS-1"}),
        ("assignee = bob", {"PRJ-2"}),
        ('assignee = "bob@example.com"', {"PRJ-2"}),
        ('assignee = "Carol Chen"', {"PRJ-11"}),
        ("assignee is EMPTY", {"PRJ-3"}),
        ("assignee in (EMPTY, bob)", {"PRJ-2", "PRJ-3"}),
        ("assignee != alice", {"PRJ-2", "PRJ-11"}),
        ("assignee not in (alice, bob)", {"PRJ-11"}),
        ("reporter = admin AND creator = admin", ALL),
        # types and priorities
        ("issuetype = Bug", {"OPS-1"}),
        ("type in (Story, Subtask)", {"PRJ-10", "PRJ-11"}),
        ("issuetype = 10003", {"PRJ-10"}),
        ("issuetype in subTaskIssueTypes()", {"PRJ-11"}),
        ("issuetype in standardIssueTypes()", ALL - {"PRJ-11"}),
        ("priority = High", {"PRJ-1"}),
        ("priority > Medium", {"PRJ-1", "PRJ-10"}),
        ("priority >= Medium", {"PRJ-1", "PRJ-2", "PRJ-10", "PRJ-11"}),
        ("priority < Low", {"OPS-1"}),
        # labels (exact), components, versions
        ("labels = backend", {"PRJ-1", "PRJ-2"}),
        ("labels = Backend", set()),
        ("labels in (urgent, nothing)", {"PRJ-1"}),
        ("labels != urgent", {"PRJ-2"}),
        ("labels is EMPTY", ALL - {"PRJ-1", "PRJ-2"}),
        ("component = Web", {"PRJ-3"}),
        ("component = 300", {"PRJ-3"}),
        ("component is empty", ALL - {"PRJ-3"}),
        ('fixVersion = "1.0"', {"PRJ-3"}),
        # parent
        ("parent = PRJ-10", {"PRJ-11"}),
        ("parent in (1010)", {"PRJ-11"}),
        # custom fields by cf[N] and by name
        ("cf[10016] = 5", {"PRJ-2"}),
        ('"Story Points" > 5', {"PRJ-10"}),
        ('"story points" >= 5', {"PRJ-2", "PRJ-10"}),
        ('"Story Points" is EMPTY', ALL - {"PRJ-2", "PRJ-10"}),
        ('"Customer Impact" = high', {"PRJ-11"}),
        ("cf[10018] in (Low, High)", {"PRJ-11"}),
        ("Team ~ platform", {"OPS-1"}),
        ('"Start date" < "2024-03-06"', {"OPS-1"}),
        ('"Start date" > "2024-03-06"', set()),
        # filters
        ("filter = 700", {"PRJ-1", "PRJ-2"}),
        ('filter = "my backend" AND assignee = bob', {"PRJ-2"}),
        ("filter != 700 AND project = PRJ", {"PRJ-3", "PRJ-10", "PRJ-11"}),
        # logical operators and precedence
        ("project = OPS OR project = PRJ AND assignee = bob", {"OPS-1", "PRJ-2"}),
        ("(project = OPS OR project = PRJ) AND assignee = bob", {"PRJ-2"}),
        ("NOT project = PRJ", {"OPS-1"}),
        ("NOT project = PRJ OR assignee = bob", {"OPS-1", "PRJ-2"}),
        ("not (project = PRJ or assignee = bob)", {"OPS-1"}),
        ("!(project = PRJ) || labels = urgent", {"OPS-1", "PRJ-1"}),
        ("project = PRJ && labels = backend && assignee = bob", {"PRJ-2"}),
        ("project = PRJ & assignee = bob | key = OPS-1", {"PRJ-2", "OPS-1"}),
        ("NOT NOT project = OPS", {"OPS-1"}),
        # strings, escapes, reserved words quoted
        ("summary ~ 'dark mode'", {"PRJ-2"}),
        ('summary ~ "dark\\u0020mode"', {"PRJ-2"}),
        ("summary ~ dark\\ mode", {"PRJ-2"}),
        ("project = 'Project Alpha' AND key = 'PRJ-1'", {"PRJ-1"}),
    ],
)
def test_clause(keys: Keys, jql: str, expected: set[str]) -> None:
    assert keys(jql) == expected


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("summary ~ login", {"PRJ-1"}),
        ("summary ~ LOGIN", {"PRJ-1"}),
        ('summary ~ "crashes login"', {"PRJ-1"}),
        ('summary ~ "\\"crashes login\\""', set()),
        ('summary ~ "\\"page crashes\\""', {"PRJ-1"}),
        ("summary ~ 'log*'", {"PRJ-1"}),
        ("summary ~ '*dows'", {"PRJ-3"}),
        ("summary ~ 'window'", {"PRJ-3"}),
        ("summary ~ 'crash'", {"PRJ-1"}),
        ("summary ~ 'cras'", set()),
        ("summary ~ 'page -login'", set()),
        ("summary ~ 'installer -login'", {"PRJ-3"}),
        ("summary !~ release", {"PRJ-1", "PRJ-2", "PRJ-3", "OPS-1"}),
        ("description ~ disk", {"OPS-1"}),
        ("description ~ 'db-7'", {"OPS-1"}),
        ("description is EMPTY AND project = OPS", set()),
        ("description !~ disk", set()),
        ("comment ~ canary", {"PRJ-10"}),
        ("comment ~ deploy", {"PRJ-10"}),
        ("text ~ canary", {"PRJ-10"}),
        ("text ~ 'disk full'", {"OPS-1"}),
        ("text ~ platform", {"OPS-1"}),
        ("text ~ 'release'", {"PRJ-10", "PRJ-11"}),
        ("text !~ 'release' AND project = PRJ", {"PRJ-1", "PRJ-2", "PRJ-3"}),
    ],
)
def test_text_search(keys: Keys, jql: str, expected: set[str]) -> None:
    assert keys(jql) == expected


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("created > '2024-03-01'", {"PRJ-3", "PRJ-10"}),
        ("created >= '2024-03-01'", {"OPS-1", "PRJ-3", "PRJ-10"}),
        ('created >= "2024/03/14 09:00"', {"PRJ-3", "PRJ-10"}),
        ('createdDate < "2024-01-01"', {"PRJ-11"}),
        ("created > -1d", {"PRJ-10"}),
        ("created > -2d", {"PRJ-3", "PRJ-10"}),
        ("created > -1w2d", {"PRJ-3", "PRJ-10"}),
        ('created > "-1h 30m"', set()),
        ('created > "-4h 30m"', {"PRJ-10"}),
        ("created >= startOfDay()", {"PRJ-10"}),
        ("created >= startOfDay(-1)", {"PRJ-3", "PRJ-10"}),
        ('created >= startOfDay("-1d")', {"PRJ-3", "PRJ-10"}),
        ("created >= startOfWeek()", {"PRJ-3", "PRJ-10"}),
        ("created >= startOfMonth()", {"OPS-1", "PRJ-3", "PRJ-10"}),
        ("created >= startOfMonth(-1) AND created < startOfMonth()", {"PRJ-2"}),
        ("created >= startOfYear()", ALL - {"PRJ-11"}),
        ("created < startOfYear()", {"PRJ-11"}),
        ("created <= endOfDay(-1) AND created > startOfDay(-1)", {"PRJ-3"}),
        ("created < now()", ALL),
        ("updated > '2024-03-14'", {"PRJ-3", "PRJ-10"}),
        ("resolved >= '2024-03-14'", {"PRJ-3"}),
        ("resolutiondate is empty", ALL - {"PRJ-3"}),
        ("due < now()", {"PRJ-1"}),
        ("duedate = '2024-03-20'", {"OPS-1"}),
        ("due is EMPTY", ALL - {"PRJ-1", "OPS-1"}),
        ("due <= endOfWeek(1)", {"PRJ-1", "OPS-1"}),
        ("created = 1709251200000", {"OPS-1"}),
    ],
)
def test_dates(keys: Keys, jql: str, expected: set[str]) -> None:
    assert keys(jql) == expected


def test_current_user_anonymous_matches_nothing(run: Callable[..., list[str]]) -> None:
    assert run("assignee = currentUser()", user=None) == []
    assert set(run("assignee != currentUser()", user=None)) == ALL - {"PRJ-3"}


def test_compiled_properties(inst: Instance) -> None:
    q = compile_jql(inst, 'project = PRJ AND "Story Points" > 1 ORDER BY key', user=None, now=NOW)
    assert q.bounded
    assert q.fields_referenced == {"project", "customfield_10016", "issuekey"}
    assert q.order_by == [("issuekey", False)]
    assert q.matches(inst.issues[1002])
    assert not q.matches(inst.issues[1001])
    for jql in ("", "   ", "ORDER BY key", "order by created desc"):
        assert not compile_jql(inst, jql, user=None, now=NOW).bounded


def test_filter_fields_are_referenced(inst: Instance) -> None:
    q = compile_jql(inst, "filter = 700", user=None, now=NOW)
    assert q.fields_referenced == {"filter", "labels"}


def test_matches_sees_later_edits(inst: Instance) -> None:
    q = compile_jql(inst, "text ~ zebra AND status = Done", user=None, now=NOW)
    issue = inst.issues[1003]
    assert not q.matches(issue)
    issue.summary = "The zebra installer"
    issue.text_cache = None
    assert q.matches(issue)
