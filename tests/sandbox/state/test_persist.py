"""Sandbox persistence: round trips, atomic replacement, the generic codec, write-behind."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from jiragw.errors import SandboxError
from jiragw.sandbox.seeding import build_sandbox
from jiragw.sandbox.state import RequestKey, Sandbox, persist
from jiragw.sandbox.state.model import (
    Comment,
    Dashboard,
    Filter,
    Instance,
    Issue,
    RichText,
    User,
    Version,
    Workflow,
)

ENTITY_ATTRS = (
    "users",
    "projects",
    "issues",
    "components",
    "versions",
    "links",
    "filters",
    "dashboards",
    "boards",
    "sprints",
    "board_seq",
    "sprint_seq",
    "statuses",
    "priorities",
    "issue_types",
    "resolutions",
    "workflows",
    "fields",
    "link_types",
    "project_by_key",
    "issue_by_key",
    "user_by_email",
    "user_by_username",
    "old_issue_keys",
    "next_id",
    "default_priority_id",
    "cloud_id",
    "title",
    "kind",
)


def assert_same(a: Sandbox, b: Sandbox) -> None:
    assert (a.seed, a.admin_token, a.clock.offset) == (b.seed, b.admin_token, b.clock.offset)
    assert a.faults.settings() == b.faults.settings()
    assert a.faults.seed == b.faults.seed
    assert list(a.sites) == list(b.sites)
    assert list(a.dcs) == list(b.dcs)
    for x, y in zip(a.all_instances(), b.all_instances(), strict=True):
        for attr in ENTITY_ATTRS:
            assert getattr(x, attr) == getattr(y, attr), attr
        # Order matters too: listings iterate these dicts.
        assert list(x.issues) == list(y.issues)
        assert list(x.projects) == list(y.projects)


def mutate(sandbox: Sandbox) -> Issue:
    """What a running sandbox sees: a new issue, a comment, moved keys, a filter, clock and faults."""
    inst = sandbox.sites["acme"]
    project = inst.find_project("PRJ")
    assert project is not None
    alice = inst.find_user("alice")
    assert alice is not None
    now = sandbox.clock.now()
    project.issue_counter += 1
    issue = Issue(
        id=inst.new_id(),
        key=f"PRJ-{project.issue_counter}",
        project_id=project.id,
        issue_type_id="10002",
        summary="Printer on fire ✓",
        status_id="10000",
        reporter=alice.account_id,
        creator=alice.account_id,
        created=now,
        updated=now,
        description=RichText.from_wiki("It *really* is on fire."),
        labels=["hot"],
        due_date=date(2030, 1, 2),
        custom={
            "customfield_10020": RichText.from_adf({"type": "doc", "version": 1, "content": []}),
            "customfield_10018": {"value": "High", "id": "10303"},
            "customfield_10016": 2.5,
        },
        properties={"x": {"nested": [1, {"y": None}]}},
        watchers={alice.account_id, "other"},
    )
    inst.add_issue(issue)
    issue.comments.append(
        Comment(
            inst.new_id(),
            issue.id,
            alice.account_id,
            RichText.from_wiki("Fire brigade called."),
            now,
            now,
            alice.account_id,
            visibility={"type": "role", "value": "Developers"},
        )
    )
    inst.old_issue_keys["OLD-1"] = issue.id
    inst.filters[inst.new_id()] = Filter(
        1, "Mine", "assignee = currentUser()", alice.account_id, favourited_by={"a"}
    )
    inst.dashboards[inst.new_id()] = Dashboard(
        2, "Board", alice.account_id, share_permissions=[{"type": "global"}]
    )
    sandbox.clock.advance(3600)
    sandbox.faults.update({"latency_ms": 25, "rate_limit": 7, "error_rate": 0.1})
    return issue


def test_round_trip(tmp_path: Path) -> None:
    sandbox = build_sandbox(projects=3, issues=120, seed=5)
    issue = mutate(sandbox)
    issue.text_cache = "printer on fire"  # a cache: not saved
    path = tmp_path / "state.db"
    persist.save(sandbox, path)
    loaded = persist.load(path)
    assert loaded is not None
    issue.text_cache = None
    assert_same(sandbox, loaded)
    again = loaded.sites["acme"].find_issue("old-1")
    assert again is not None
    assert again.comments[0].body.wiki == "Fire brigade called."
    assert again.custom["customfield_10020"].adf == issue.custom["customfield_10020"].adf
    assert isinstance(again.watchers, set)
    user = loaded.dcs["corp"].find_user("bob")
    assert user is not None
    assert isinstance(user.permissions, frozenset)


def test_resave_replaces_content(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    sandbox = build_sandbox(projects=2, issues=40, seed=1)
    persist.save(sandbox, path)
    inst = sandbox.sites["acme"]
    gone = next(iter(inst.issues.values()))
    inst.remove_issue(gone)
    persist.save(sandbox, path)
    loaded = persist.load(path)
    assert loaded is not None
    assert loaded.sites["acme"].find_issue(gone.key) is None
    assert_same(sandbox, loaded)


def test_failed_save_keeps_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    sandbox = build_sandbox(projects=2, issues=30, seed=2)
    persist.save(sandbox, path)
    broken = build_sandbox(projects=2, issues=10, seed=3)
    snap = persist.snapshot(broken)
    snap.rows["issues"].append(snap.rows["issues"][0])  # duplicate row seq: the insert fails mid-way
    with pytest.raises(SandboxError):
        persist.write(snap, path)
    loaded = persist.load(path)
    assert loaded is not None
    assert_same(sandbox, loaded)


def test_boards_sprints_and_sprint_values_survive(tmp_path: Path) -> None:
    sandbox = build_sandbox(projects=2, issues=80, seed=5)
    path = tmp_path / "state.db"
    persist.save(sandbox, path)
    loaded = persist.load(path)
    assert loaded is not None
    before, after = sandbox.sites["acme"], loaded.sites["acme"]
    assert after.boards == before.boards
    assert after.sprints == before.sprints
    assert after.sprints
    in_sprints = {
        i.key: i.custom["customfield_10021"]
        for i in before.issues.values()
        if "customfield_10021" in i.custom
    }
    assert in_sprints
    assert {
        k: after.issues[after.issue_by_key[k.upper()]].custom["customfield_10021"] for k in in_sprints
    } == in_sprints


def test_a_file_saved_before_boards_existed_loads_without_them(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    persist.save(build_sandbox(projects=1, issues=5), path)
    con = sqlite3.connect(path)
    with con:
        con.execute("DROP TABLE sandbox_boards")
        con.execute("DROP TABLE sandbox_sprints")
    con.close()
    loaded = persist.load(path)
    assert loaded is not None
    assert loaded.sites["acme"].boards == {}
    assert loaded.sites["acme"].issues


def test_the_credential_seed_survives_so_the_demo_oauth_secrets_stay(tmp_path: Path) -> None:
    from jiragw.sandbox.server import describe

    path = tmp_path / "state.db"
    sandbox = build_sandbox(projects=1, issues=2, credential_seed="c0ffee" * 5)
    persist.save(sandbox, path)
    loaded = persist.load(path)
    assert loaded is not None
    assert loaded.credential_seed == "c0ffee" * 5
    # The OAuth clients are not saved: they are registered again from the credential seed.
    assert describe(loaded, "http://x")["oauth_apps"] == describe(sandbox, "http://x")["oauth_apps"]


def test_a_file_saved_before_credential_seeds_derives_them_from_the_seed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    persist.save(build_sandbox(projects=1, issues=2, seed=4), path)
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM sandbox_meta WHERE key = 'credential_seed'")
    con.close()
    loaded = persist.load(path)
    assert loaded is not None
    assert loaded.credential_seed == "4"


def test_load_without_state(tmp_path: Path) -> None:
    assert persist.load(tmp_path / "absent.db") is None
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE issues (id INTEGER)")
    con.close()
    assert persist.load(other) is None


def test_other_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    persist.save(build_sandbox(projects=1, issues=5), path)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE sandbox_meta SET value = '99' WHERE key = 'format'")
    con.close()
    with pytest.raises(SandboxError, match="format 99"):
        persist.load(path)


def test_tables_are_prefixed_and_live_beside_others(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE issues (id INTEGER)")
        con.execute("INSERT INTO issues VALUES (1)")
    con.close()
    persist.save(build_sandbox(projects=1, issues=5), path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT id FROM issues").fetchall() == [(1,)]
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert {"sandbox_meta", "sandbox_issues", "sandbox_comments", "sandbox_changelog"} <= tables


@pytest.mark.parametrize(
    ("cls", "obj"),
    [
        (User, User("a1", "a@x", "A", "a", "t", "p", "pat", frozenset({"B", "A"}), time_zone="UTC")),
        (Version, Version(1, 2, "1.0", released=True, release_date=date(2024, 5, 6))),
        (Workflow, next(iter(build_sandbox(projects=0, issues=0).sites["acme"].workflows.values()))),
        (
            Comment,
            Comment(
                3,
                4,
                "a1",
                RichText(adf=b'{"type":"doc"}', wiki="x"),
                datetime(2024, 1, 1, tzinfo=UTC),
                datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
                "a1",
            ),
        ),
    ],
)
def test_codec_round_trips(cls: type, obj: Any) -> None:
    data = persist.encoder(cls)(obj)
    back = persist.decoder(cls)(data)
    assert back == obj
    assert type(back) is type(obj)
    for f in dataclasses.fields(cls):
        assert type(getattr(back, f.name)) is type(getattr(obj, f.name)), f.name


def test_codec_leaves_out_defaults_and_sorts_sets() -> None:
    issue = Issue(
        1,
        "K-1",
        2,
        "10001",
        "s",
        "10000",
        None,
        None,
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, tzinfo=UTC),
        watchers={"b", "a"},
    )
    data = persist.encoder(Issue)(issue)
    assert data["watchers"] == ["a", "b"]
    assert "labels" not in data
    assert "description" not in data
    assert data["created"] == "2024-01-01T00:00:00+00:00"
    assert persist.decoder(Issue)(data) == issue


def test_codec_refuses_unknown_types() -> None:
    @dataclasses.dataclass
    class Odd:
        value: complex

    with pytest.raises(TypeError, match="no JSON form"):
        persist.encoder(Odd)


def test_instance_kinds_survive(tmp_path: Path) -> None:
    sandbox = build_sandbox(sites=("acme", "beta"), dcs=("corp",), projects=1, issues=5)
    persist.save(sandbox, tmp_path / "s.db")
    loaded = persist.load(tmp_path / "s.db")
    assert loaded is not None
    assert list(loaded.sites) == ["acme", "beta"]
    assert [i.kind for i in loaded.all_instances()] == ["cloud", "cloud", "dc"]
    assert isinstance(loaded.sites["beta"], Instance)


async def test_write_behind(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    sandbox = build_sandbox(projects=1, issues=10, seed=9)
    saver = persist.WriteBehind(sandbox, path, interval=3600)
    assert await saver.flush() is True
    assert await saver.flush() is False  # nothing changed
    sandbox.counters[RequestKey("sites/acme", "getIssue", "GET", "alice", 200)] += 1
    assert await saver.flush() is False  # reads change nothing
    sandbox.counters[RequestKey("sites/acme", "createIssue", "POST", "alice", 201)] += 1
    assert await saver.flush() is True
    saver.start()
    sandbox.clock.advance(60)
    await saver.stop()  # the last save happens on stop
    loaded = persist.load(path)
    assert loaded is not None
    assert loaded.clock.offset == sandbox.clock.offset
    assert await saver.flush() is False
