"""The seed generator: determinism, workflow-true histories, distributions, valid ADF."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
from jsonschema import Draft4Validator

from jiragw.sandbox.seeding import build_sandbox, new_instance
from jiragw.sandbox.seeding.content import LABELS
from jiragw.sandbox.seeding.generator import generate
from jiragw.sandbox.state import Sandbox, persist
from jiragw.sandbox.state.defaults import CUSTOM_FIELD_OPTIONS, WORKFLOWS
from jiragw.sandbox.state.model import Instance, Issue, RichText
from tests.conftest import SPEC_DIR, need_shared

NOW = datetime(2025, 6, 1, 14, 30, tzinfo=UTC)


def seeded(
    kind: str = "cloud", *, projects: int = 5, issues: int = 3000, seed: int = 3, now: datetime = NOW
) -> Instance:
    inst = new_instance(kind, "acme" if kind == "cloud" else "corp", seed)
    generate(inst, projects=projects, issues=issues, seed=seed, now=now)
    return inst


@pytest.fixture(scope="module")
def cloud() -> Instance:
    return seeded("cloud")


@pytest.fixture(scope="module")
def dc() -> Instance:
    return seeded("dc")


def encoded(inst: Instance) -> Any:
    sandbox = Sandbox(seed=0, admin_token="x")
    sandbox.sites[inst.name] = inst
    snap = persist.snapshot(sandbox)
    return snap.instances, snap.rows


def test_same_arguments_same_bytes() -> None:
    a, b = seeded(issues=400), seeded(issues=400)
    assert encoded(a) == encoded(b)
    # Later the same UTC day: still identical (timestamps count back from the day's start).
    assert encoded(seeded(issues=400, now=NOW + timedelta(hours=5))) == encoded(a)


def test_other_seed_other_data() -> None:
    a, b = seeded(issues=200), seeded(issues=200, seed=4)
    assert [i.summary for i in a.issues.values()] != [i.summary for i in b.issues.values()]


def test_projects(cloud: Instance) -> None:
    projects = list(cloud.projects.values())
    assert [p.key for p in projects] == ["PRJ", "PLAT", "MOB", "WEB", "OPS"]
    assert all(p.name and p.description and p.lead in cloud.users for p in projects)
    per_project = Counter(i.project_id for i in cloud.issues.values())
    # Zipf-ish: the first project is the biggest, the spread is uneven.
    assert per_project.most_common(1)[0][0] == projects[0].id
    assert per_project[projects[0].id] > 3 * per_project[projects[-1].id]
    assert cloud.find_issue("PRJ-1") is not None
    for p in projects:
        assert len(p.component_ids) >= 3
        assert all(cloud.components[c].project_id == p.id for c in p.component_ids)
        versions = [cloud.versions[v] for v in p.version_ids]
        assert any(v.released for v in versions)
        assert any(not v.released for v in versions)
        today = NOW.date()
        assert all(v.release_date and v.release_date <= today for v in versions if v.released)
        assert all(v.release_date and v.release_date > today for v in versions if not v.released)
        assert all(v.released for v in versions if v.archived)
        assert p.issue_counter == per_project[p.id]


def test_many_themes_give_unique_keys() -> None:
    inst = seeded(projects=30, issues=100)
    keys = [p.key for p in inst.projects.values()]
    assert len(set(keys)) == 30
    assert "PLAT2" in keys


def test_dates_and_people(cloud: Instance) -> None:
    issues = list(cloud.issues.values())
    start = NOW - timedelta(days=366)
    for issue in issues:
        assert start <= issue.created <= NOW
        assert issue.created <= issue.updated <= NOW
        assert issue.reporter in cloud.users
        assert issue.creator in cloud.users
        assert issue.assignee is None or issue.assignee in cloud.users
        assert issue.priority_id in cloud.priorities
        assert len(issue.labels) <= 3
        assert set(issue.labels) <= set(LABELS)
        assert issue.reporter in issue.watchers
        if issue.due_date is not None:
            assert issue.due_date >= issue.created.date()
    unassigned = sum(i.assignee is None for i in issues) / len(issues)
    assert 0.10 < unassigned < 0.20
    assert 0.25 < sum(i.due_date is not None for i in issues) / len(issues) < 0.35
    priorities = Counter(cloud.priorities[i.priority_id].name for i in issues)
    assert priorities.most_common(1)[0][0] == "Medium"


def test_types_and_subtasks(cloud: Instance) -> None:
    names = Counter(cloud.issue_types[i.issue_type_id].name for i in cloud.issues.values())
    assert names["Task"] > names["Epic"]
    assert names["Story"] > names["Epic"]
    assert names["Bug"] > names["Epic"]
    assert names["Epic"] > 0
    assert names["Subtask"] > 0
    for issue in cloud.issues.values():
        subtask = cloud.issue_types[issue.issue_type_id].subtask
        assert (issue.parent_id is not None) == subtask
        if issue.parent_id is not None:
            parent = cloud.issues[issue.parent_id]
            assert parent.project_id == issue.project_id
            assert not cloud.issue_types[parent.issue_type_id].subtask
            assert parent.created <= issue.created


def _walk(inst: Instance, issue: Issue) -> str:
    """Replay the changelog through the workflow; returns the status reached."""
    workflow = inst.workflow_for(issue)
    status = workflow.initial_status_id
    when = issue.created
    for history in issue.changelog:
        assert history.created >= when
        when = history.created
        item = next(i for i in history.items if i.field == "status")
        assert item.from_value == status
        allowed = {t.to_status_id for t in workflow.available_from(status)}
        assert item.to_value in allowed
        assert item.to_string == inst.statuses[item.to_value].name
        status = item.to_value or ""
    return status


def test_statuses_follow_the_workflow(cloud: Instance) -> None:
    assert [w.name for w in WORKFLOWS] == list(cloud.workflows)
    for issue in cloud.issues.values():
        assert _walk(cloud, issue) == issue.status_id
        done = cloud.statuses[issue.status_id].category == "done"
        assert (issue.resolution_id is not None) == done
        assert (issue.resolution_date is not None) == done
        if done:
            assert issue.resolution_date
            assert issue.created <= issue.resolution_date <= NOW
            last = issue.changelog[-1]
            assert last.created == issue.resolution_date
            assert [i.field for i in last.items] == ["resolution", "status"]
            assert last.items[0].to_value == issue.resolution_id
        assert issue.status_category_changed is not None
        assert issue.status_category_changed >= issue.created


def test_status_mix_by_age(cloud: Instance) -> None:
    def done_share(lo: int, hi: int) -> float:
        group = [i for i in cloud.issues.values() if lo <= (NOW - i.created).days < hi]
        assert group
        return sum(cloud.statuses[i.status_id].category == "done" for i in group) / len(group)

    assert done_share(180, 400) > 0.8
    assert done_share(0, 7) < 0.3
    statuses = {
        cloud.statuses[i.status_id].name for i in cloud.issues.values() if (NOW - i.created).days < 30
    }
    assert statuses >= {"To Do", "In Progress", "In Review"}


def test_versions_and_components(cloud: Instance) -> None:
    fixed_done = 0
    for issue in cloud.issues.values():
        project = cloud.projects[issue.project_id]
        assert set(issue.component_ids) <= set(project.component_ids)
        assert set(issue.fix_version_ids) | set(issue.version_ids) <= set(project.version_ids)
        if issue.resolution_id == "10000" and issue.fix_version_ids:
            version = cloud.versions[issue.fix_version_ids[0]]
            assert issue.resolution_date
            assert version.release_date
            assert version.release_date >= issue.resolution_date.date()
            fixed_done += 1
    assert fixed_done > 100


def test_custom_fields(cloud: Instance) -> None:
    options = {oid: value for oid, value in CUSTOM_FIELD_OPTIONS[10018]}
    seen: Counter[str] = Counter()
    for issue in cloud.issues.values():
        type_name = cloud.issue_types[issue.issue_type_id].name
        for fid, value in issue.custom.items():
            seen[fid] += 1
            if fid == "customfield_10016":
                assert type_name == "Story"
                assert isinstance(value, float)
            elif fid == "customfield_10017":
                assert isinstance(value, str)
                assert value
            elif fid == "customfield_10018":
                assert options[value["id"]] == value["value"]
                assert set(value) == {"id", "value"}
            elif fid == "customfield_10019":
                assert date.fromisoformat(value) >= issue.created.date()
            elif fid == "customfield_10021":  # Sprint: ids of this project's board's sprints
                assert value
                assert all(
                    cloud.boards[cloud.sprints[s].board_id].project_id == issue.project_id for s in value
                )
            else:
                assert fid == "customfield_10020"
                assert isinstance(value, RichText)
                assert value.adf
    assert set(seen) == {f"customfield_{n}" for n in range(10016, 10022)}


def test_comments_watchers_links(cloud: Instance) -> None:
    counts = Counter(len(i.comments) for i in cloud.issues.values())
    assert set(counts) == set(range(6))
    for issue in cloud.issues.values():
        for comment in issue.comments:
            assert comment.issue_id == issue.id
            assert comment.author in cloud.users
            assert issue.created < comment.created <= NOW
            assert comment.body.adf is not None
        if issue.comments:
            assert issue.updated >= issue.comments[-1].created
        assert issue.watchers <= set(cloud.users)
    assert len(cloud.links) > 100
    pairs = set()
    for link in cloud.links.values():
        assert link.type_id in cloud.link_types
        assert link.inward_issue_id != link.outward_issue_id
        assert link.id in cloud.issues[link.inward_issue_id].link_ids
        assert link.id in cloud.issues[link.outward_issue_id].link_ids
        pairs.add(frozenset((link.inward_issue_id, link.outward_issue_id)))
    assert len(pairs) == len(cloud.links)
    assert sum(len(i.link_ids) for i in cloud.issues.values()) == 2 * len(cloud.links)


def _nodes(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        found.add(node.get("type", ""))
        for mark in node.get("marks", ()):
            found.add("mark:" + mark["type"])
        for child in node.get("content", ()):
            _nodes(child, found)


@pytest.mark.spec
def test_adf_is_valid(cloud: Instance) -> None:
    schema = json.loads(need_shared(SPEC_DIR / "adf-schema-full-v1.json").read_text())
    validator = Draft4Validator(schema)
    docs: list[RichText] = []
    for issue in list(cloud.issues.values())[:300]:
        docs += [
            t for t in (issue.description, issue.environment, issue.custom.get("customfield_10020")) if t
        ]
        docs += [c.body for c in issue.comments]
    found: set[str] = set()
    checked = 0
    for text in docs:
        assert text.adf is not None
        assert text.wiki is None
        doc = orjson.loads(text.adf)
        kinds: set[str] = set()
        _nodes(doc, kinds)
        # The schema validator is slow: check the first documents and every one bringing a new node kind.
        if checked < 40 or not kinds <= found:
            errors = list(validator.iter_errors(doc))
            assert not errors, errors[0].message
            checked += 1
        found |= kinds
    assert found >= {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "codeBlock",
        "mention",
        "emoji",
        "mark:link",
        "mark:strong",
    }


def test_dc_holds_wiki(dc: Instance) -> None:
    texts = [i.description for i in dc.issues.values() if i.description]
    assert texts
    assert all(t.adf is None and t.wiki for t in texts)
    joined = "\n".join(t.wiki or "" for t in texts[:800])
    for marker in ("h3. ", "\n* ", "\n# ", "{code:", "|https://", "[~", "*Expected:*"):
        assert marker in joined
    comments = [c.body for i in dc.issues.values() for c in i.comments]
    assert comments
    assert all(c.wiki and c.adf is None for c in comments)


def test_client_suite_layout() -> None:
    """The real-client suites page through PRJ and expect at least 500 issues there."""
    sandbox = build_sandbox(sites=("acme",), dcs=(), projects=2, issues=1300, seed=11)
    inst = sandbox.sites["acme"]
    project = inst.find_project("PRJ")
    assert project is not None
    assert len(inst.projects) == 2
    assert sum(i.project_id == project.id for i in inst.issues.values()) >= 500


def test_no_projects_no_issues() -> None:
    inst = seeded(projects=0, issues=50)
    assert not inst.projects
    assert not inst.issues
    inst = seeded(projects=2, issues=0)
    assert len(inst.projects) == 2
    assert not inst.issues
