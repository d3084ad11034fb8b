"""A small hand-built instance whose every issue the JQL tests know by heart.

Projects PRJ ("Project Alpha") and OPS ("Operations"); NOW is Friday
2024-03-15 12:00 UTC. Issues (key: facts):

    PRJ-1   To Do, alice, High, labels [backend, urgent], created 2024-01-01, due 2024-03-10
    PRJ-2   In Progress, bob, Medium, labels [backend], Story Points 5, created 2024-02-01
    PRJ-3   Done/Done, unassigned, Low, component Web, fixVersion 1.0, created 2024-03-14 09:00
    PRJ-10  In Progress, alice, Highest, Story, comment "deploy the canary", created 2024-03-15 08:00
    PRJ-11  In Review, carol, parent PRJ-10 (Subtask), Customer Impact High, created 2023-12-31
    OPS-1   To Do, alice, Lowest, Bug, description ADF, Team "Platform", created 2024-03-01, due 2024-03-20
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from jiragw.sandbox.jql import CompiledJql, compile_jql
from jiragw.sandbox.seeding import demo_users
from jiragw.sandbox.state.defaults import install_defaults
from jiragw.sandbox.state.model import Comment, Component, Filter, Instance, Issue, Project, RichText, Version

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)


def _adf(text: str) -> RichText:
    return RichText.from_adf(
        {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }
    )


def build_instance() -> Instance:
    inst = Instance(kind="cloud", name="jqltest", cloud_id="c-1")
    install_defaults(inst, demo_users(0))
    for user in inst.users.values():
        user.time_zone = "UTC"
    acc = {u.username: u.account_id for u in inst.users.values()}
    prj = Project(
        id=100, key="PRJ", name="Project Alpha", lead=acc["admin"], issue_type_ids=list(inst.issue_types)
    )
    ops = Project(
        id=200, key="OPS", name="Operations", lead=acc["admin"], issue_type_ids=list(inst.issue_types)
    )
    inst.add_project(prj)
    inst.add_project(ops)
    inst.components[300] = Component(id=300, project_id=100, name="Web")
    inst.versions[400] = Version(id=400, project_id=100, name="1.0")

    def add(key: str, iid: int, pid: int, status: str, created: datetime, **kw: object) -> Issue:
        issue = Issue(
            id=iid,
            key=key,
            project_id=pid,
            issue_type_id=str(kw.pop("type", "10001")),
            summary=str(kw.pop("summary", f"Summary of {key}")),
            status_id=status,
            reporter=acc["admin"],
            creator=acc["admin"],
            created=created,
            updated=created,
            **kw,  # type: ignore[arg-type]
        )
        inst.add_issue(issue)
        return issue

    add(
        "PRJ-1",
        1001,
        100,
        "10000",
        datetime(2024, 1, 1, tzinfo=UTC),
        assignee=acc["alice"],
        priority_id="2",
        labels=["backend", "urgent"],
        due_date=date(2024, 3, 10),
        summary="Login page crashes on submit",
    )
    add(
        "PRJ-2",
        1002,
        100,
        "3",
        datetime(2024, 2, 1, tzinfo=UTC),
        assignee=acc["bob"],
        priority_id="3",
        labels=["backend"],
        custom={"customfield_10016": 5},
        summary="Add dark mode",
    )
    add(
        "PRJ-3",
        1003,
        100,
        "10002",
        datetime(2024, 3, 14, 9, tzinfo=UTC),
        priority_id="4",
        resolution_id="10000",
        resolution_date=datetime(2024, 3, 14, 10, tzinfo=UTC),
        component_ids=[300],
        fix_version_ids=[400],
        summary="Windows installer fails",
    )
    prj10 = add(
        "PRJ-10",
        1010,
        100,
        "3",
        datetime(2024, 3, 15, 8, tzinfo=UTC),
        assignee=acc["alice"],
        priority_id="1",
        type="10003",
        summary="Release train",
        custom={"customfield_10016": 13.0},
    )
    prj10.comments.append(
        Comment(
            id=5000,
            issue_id=1010,
            author=acc["bob"],
            body=RichText.from_wiki("Please *deploy* the canary"),
            created=NOW,
            updated=NOW,
            update_author=acc["bob"],
        )
    )
    add(
        "PRJ-11",
        1011,
        100,
        "10001",
        datetime(2023, 12, 31, tzinfo=UTC),
        assignee=acc["carol"],
        priority_id="3",
        type="10005",
        parent_id=1010,
        custom={"customfield_10018": {"value": "High", "id": "10102"}},
        summary="Subtask of the release",
    )
    add(
        "OPS-1",
        2001,
        200,
        "10000",
        datetime(2024, 3, 1, tzinfo=UTC),
        assignee=acc["alice"],
        priority_id="5",
        type="10002",
        description=_adf("The disk on db-7 is full"),
        due_date=date(2024, 3, 20),
        custom={"customfield_10017": "Platform", "customfield_10019": "2024-03-05"},
        summary="Disk alert",
    )
    inst.filters[700] = Filter(id=700, name="My backend", jql="labels = backend", owner=acc["alice"])
    inst.filters[701] = Filter(id=701, name="Loop A", jql="filter = 702", owner=acc["alice"])
    inst.filters[702] = Filter(id=702, name="Loop B", jql="filter = 701", owner=acc["alice"])
    return inst


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def inst() -> Instance:
    return build_instance()


@pytest.fixture
def run(inst: Instance) -> Callable[[str], list[str]]:
    """``run(jql)`` -> matching keys in result order, searching as alice at NOW."""

    def go(jql: str, user: str | None = "alice") -> list[str]:
        who = inst.find_user(user) if user else None
        compiled: CompiledJql = compile_jql(inst, jql, user=who, now=NOW)
        return [i.key for i in compiled.search(inst.issues.values())]

    return go


@pytest.fixture
def keys(run: Callable[[str], list[str]]) -> Callable[[str], set[str]]:
    """``keys(jql)`` -> the set of matching keys (order ignored)."""
    return lambda jql: set(run(jql))
