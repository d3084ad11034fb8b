"""The PyPI ``jira`` client (pycontribs), unmodified, against the sandbox: Cloud and DC."""

from __future__ import annotations

import pytest
from jira import JIRA

from .conftest import Live

pytestmark = pytest.mark.live


@pytest.fixture(params=["cloud", "dc"])
def jira(request: pytest.FixtureRequest, live: Live) -> JIRA:
    alice = live.user("alice")
    if request.param == "cloud":
        return JIRA(server=live.site_url(), basic_auth=(alice.email, alice.api_token))
    return JIRA(server=live.dc_url(), token_auth=alice.pat)


def test_myself(jira: JIRA) -> None:
    me = jira.myself()
    assert me["displayName"] == "Alice Anders"
    assert me["emailAddress"] == "alice@example.com"


def test_deployment_type_is_detected(jira: JIRA, live: Live) -> None:
    expected = "Cloud" if jira.server_url.startswith(live.site_url()) else "Server"
    assert jira.server_info()["deploymentType"] == expected


def test_projects(jira: JIRA) -> None:
    keys = {p.key for p in jira.projects()}
    assert "PRJ" in keys
    assert len(keys) == 2


def test_create_get_transition_comment(jira: JIRA) -> None:
    issue = jira.create_issue(
        project="PRJ",
        summary="Printer on fire",
        description="It *really* is on fire.",
        issuetype={"name": "Bug"},
    )
    assert issue.key.startswith("PRJ-")
    again = jira.issue(issue.key)
    assert again.fields.summary == "Printer on fire"
    assert "on fire" in again.fields.description
    assert again.fields.issuetype.name == "Bug"
    assert again.fields.status.name == "To Do"

    names = {t["name"] for t in jira.transitions(issue)}
    assert "In Progress" in names
    jira.transition_issue(issue, "In Progress")
    assert jira.issue(issue.key).fields.status.name == "In Progress"

    comment = jira.add_comment(issue, "Fire brigade called.")
    assert comment.body == "Fire brigade called."
    bodies = [c.body for c in jira.comments(issue.key)]
    assert bodies == ["Fire brigade called."]


def test_search_all_pages(jira: JIRA, live: Live) -> None:
    issues = jira.search_issues("project = PRJ ORDER BY key ASC", maxResults=False, fields="summary,status")
    instance = live.sandbox.sites["acme"] if "/sites/" in jira.server_url else live.sandbox.dcs["corp"]
    project = instance.find_project("PRJ")
    assert project is not None
    expected = sorted(
        (i for i in instance.issues.values() if i.project_id == project.id),
        key=lambda i: int(i.key.split("-")[1]),
    )
    assert len(expected) >= 500
    assert [i.key for i in issues] == [i.key for i in expected]
    assert all(i.fields.summary for i in issues)


def test_search_users(jira: JIRA, live: Live) -> None:
    if "/sites/" in jira.server_url:
        users = jira.search_users(query="alice")
        assert [u.accountId for u in users] == [live.user("alice").account_id]
    else:
        users = jira.search_users(user="alice")
        assert [u.name for u in users] == ["alice"]


def test_filter_create_and_run(jira: JIRA) -> None:
    name = f"Open PRJ bugs ({jira.server_url.rsplit('/', 1)[-1]})"
    created = jira.create_filter(name=name, jql="project = PRJ AND issuetype = Bug", favourite=True)
    fetched = jira.filter(created.id)
    assert fetched.name == name
    assert fetched.jql == "project = PRJ AND issuetype = Bug"
    assert any(f.id == created.id for f in jira.favourite_filters())
    found = jira.search_issues(fetched.jql, maxResults=False)
    assert found
    assert all(i.fields.issuetype.name == "Bug" for i in found)
    via_filter = jira.search_issues(f"filter = {created.id}", maxResults=False)
    assert sorted(i.key for i in via_filter) == sorted(i.key for i in found)
