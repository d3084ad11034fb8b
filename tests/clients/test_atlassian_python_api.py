"""The PyPI ``atlassian-python-api`` client, unmodified, against the sandbox: Cloud and DC."""

from __future__ import annotations

from typing import Any

import pytest
from atlassian import Jira
from requests import HTTPError

from .conftest import Live

pytestmark = pytest.mark.live


@pytest.fixture(params=["cloud", "dc"])
def jira(request: pytest.FixtureRequest, live: Live) -> Jira:
    alice = live.user("alice")
    if request.param == "cloud":
        return Jira(url=live.site_url(), username=alice.email, password=alice.api_token, cloud=True)
    return Jira(url=live.dc_url(), username=alice.username, password=alice.password)


def _all_issues(jira: Jira, jql: str) -> list[dict[str, Any]]:
    if jira.cloud:
        out: list[dict[str, Any]] = []
        token = None
        while True:
            page = jira.enhanced_jql(jql, fields="summary,status", nextPageToken=token, limit=100)
            out.extend(page["issues"])
            token = page.get("nextPageToken")
            if page.get("isLast") or not token:
                return out
    out = []
    start = 0
    while True:
        page = jira.jql(jql, fields="summary,status", start=start, limit=100)
        out.extend(page["issues"])
        start += len(page["issues"])
        if not page["issues"] or start >= page["total"]:
            return out


def test_myself(jira: Jira) -> None:
    assert jira.myself()["displayName"] == "Alice Anders"


def test_projects(jira: Jira) -> None:
    assert {p["key"] for p in jira.projects()} >= {"PRJ"}


def test_issue_lifecycle(jira: Jira) -> None:
    created = jira.create_issue(
        fields={
            "project": {"key": "PRJ"},
            "summary": "Coffee machine leaks",
            "description": "Water everywhere.",
            "issuetype": {"name": "Task"},
        }
    )
    key = created["key"]
    issue = jira.issue(key)
    assert issue["fields"]["summary"] == "Coffee machine leaks"
    assert issue["fields"]["description"] == "Water everywhere."

    transitions = {t["name"] for t in jira.get_issue_transitions(key)}
    assert "In Progress" in transitions
    jira.set_issue_status(key, "In Progress")
    assert jira.get_issue_status(key) == "In Progress"

    jira.issue_add_comment(key, "Plumber booked.")
    comments = jira.issue_get_comments(key)
    assert [c["body"] for c in comments["comments"]] == ["Plumber booked."]


def test_search_all_pages(jira: Jira) -> None:
    issues = _all_issues(jira, "project = PRJ ORDER BY key ASC")
    numbers = [int(i["key"].split("-")[1]) for i in issues]
    assert len(numbers) >= 500
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)


def test_user_search(jira: Jira, live: Live) -> None:
    if jira.cloud:
        found = jira.user_find_by_user_string(query="alice")
        assert [u["accountId"] for u in found] == [live.user("alice").account_id]
    else:
        found = jira.user_find_by_user_string(username="alice")
        assert [u["name"] for u in found] == ["alice"]


def test_users_get_all(jira: Jira, live: Live) -> None:
    if not jira.cloud:
        with pytest.raises(HTTPError):  # Data Center has no users/search: it lists users by user/search
            jira.users_get_all()
        return
    everyone = sorted(live.sandbox.sites["acme"].users.values(), key=lambda u: u.display_name.lower())
    first = jira.users_get_all(start=0, limit=3)
    rest = jira.users_get_all(start=3, limit=1000)
    assert [u["accountId"] for u in [*first, *rest]] == [u.account_id for u in everyone]


def test_filter_create_and_run(jira: Jira) -> None:
    created = jira.create_filter("Stories in PRJ", "project = PRJ AND issuetype = Story", favourite=True)
    fetched = jira.get_filter(created["id"])
    assert fetched["jql"] == "project = PRJ AND issuetype = Story"
    issues = _all_issues(jira, fetched["jql"])
    assert issues
    via_filter = _all_issues(jira, f"filter = {created['id']}")
    assert sorted(i["key"] for i in via_filter) == sorted(i["key"] for i in issues)
