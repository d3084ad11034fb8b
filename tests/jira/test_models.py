"""The SDK's models: named fields read from Cloud and DC JSON, everything else kept in ``raw``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from jiragw.jira.models import (
    ChangelogEntry,
    Comment,
    Component,
    Issue,
    IssueType,
    Project,
    Status,
    Transition,
    User,
    Version,
)

CLOUD_USER = {"accountId": "5b10", "displayName": "Alice", "emailAddress": "a@x", "active": True}
DC_USER = {"name": "alice", "key": "JIRAUSER1", "displayName": "Alice", "active": False}
STATUS = {"id": "3", "name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate"}}

ISSUE: dict[str, Any] = {
    "id": "10001",
    "key": "PRJ-1",
    "expand": "renderedFields",
    "fields": {
        "summary": "Checkout fails",
        "status": STATUS,
        "issuetype": {"id": "10004", "name": "Bug", "subtask": False},
        "project": {"id": "10000", "key": "PRJ"},
        "assignee": CLOUD_USER,
        "reporter": None,
        "description": {"type": "doc", "version": 1, "content": []},
        "labels": ["a", "b"],
        "customfield_10016": 5,
    },
}


def test_users_on_cloud_and_dc() -> None:
    cloud, dc = User.from_json(CLOUD_USER), User.from_json(DC_USER)
    assert (cloud.ref, cloud.email, cloud.active) == ("5b10", "a@x", True)
    assert (dc.ref, dc.account_id, dc.active) == ("alice", None, False)
    assert dc.raw["key"] == "JIRAUSER1"


def test_issue_names_common_fields_and_keeps_the_rest() -> None:
    issue = Issue.from_json(ISSUE)
    assert (issue.id, issue.key, issue.summary, issue.project_key) == (
        "10001",
        "PRJ-1",
        "Checkout fails",
        "PRJ",
    )
    assert issue.status == Status("3", "In Progress", "indeterminate")
    assert issue.issue_type == IssueType("10004", "Bug")
    assert issue.assignee is not None
    assert issue.assignee.account_id == "5b10"
    assert issue.reporter is None
    assert issue.labels == ("a", "b")
    assert issue.description == {"type": "doc", "version": 1, "content": []}
    assert issue.fields["customfield_10016"] == 5
    assert issue.raw["expand"] == "renderedFields"


def test_issue_with_only_id_and_key() -> None:
    issue = Issue.from_json({"id": "1", "key": "K-1"})
    assert (issue.summary, issue.status, issue.assignee, issue.labels, issue.fields) == (
        "",
        None,
        None,
        (),
        {},
    )


def test_models_are_frozen_and_raw_does_not_take_part_in_equality() -> None:
    a = Status.from_json(STATUS)
    b = Status.from_json({**STATUS, "description": "other"})
    assert a == b
    assert "raw" not in repr(a)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "x"  # type: ignore[misc]


def test_project_with_lead_and_issue_types() -> None:
    project = Project.from_json(
        {
            "id": "10000",
            "key": "PRJ",
            "name": "Phoenix",
            "projectTypeKey": "software",
            "lead": DC_USER,
            "issueTypes": [{"id": "1", "name": "Task"}, {"id": "2", "name": "Sub", "subtask": True}],
            "archived": False,
        }
    )
    assert project.lead is not None
    assert project.lead.ref == "alice"
    assert project.issue_types == (IssueType("1", "Task"), IssueType("2", "Sub", subtask=True))
    assert project.project_type == "software"
    assert project.raw["archived"] is False


def test_component_and_version() -> None:
    comp = Component.from_json({"id": 7, "name": "API", "project": "PRJ", "lead": CLOUD_USER})
    assert (comp.id, comp.name, comp.project, comp.description) == ("7", "API", "PRJ", None)
    version = Version.from_json({"id": "9", "name": "1.0", "released": True, "releaseDate": "2026-01-31"})
    assert (version.released, version.archived, version.release_date) == (True, False, "2026-01-31")


def test_comment_body_is_the_given_markdown_or_a_wiki_string() -> None:
    adf = {"id": "5", "body": {"type": "doc", "version": 1, "content": []}, "author": CLOUD_USER}
    assert Comment.from_json(adf).body == ""  # ADF is converted by the resource, which passes body=
    assert Comment.from_json(adf, body="**hi**").body == "**hi**"
    assert Comment.from_json({"id": "6", "body": "*wiki*"}).body == "*wiki*"
    assert Comment.from_json(adf).raw["body"]["type"] == "doc"


def test_transition_lists_its_required_fields() -> None:
    t = Transition.from_json(
        {
            "id": "41",
            "name": "Close",
            "to": {"id": "10002", "name": "Done"},
            "fields": {"resolution": {"required": True}, "comment": {"required": False}},
        }
    )
    assert t.to is not None
    assert t.to.name == "Done"
    assert t.required_fields == ("resolution",)
    assert Transition.from_json({"id": "1", "name": "Go"}).required_fields == ()


def test_changelog_entry_keeps_well_formed_items() -> None:
    entry = ChangelogEntry.from_json(
        {"id": "100", "author": CLOUD_USER, "created": "2026-01-01", "items": [{"field": "summary"}, "junk"]}
    )
    assert entry.items == ({"field": "summary"},)
    assert entry.author is not None
    assert entry.author.display_name == "Alice"
