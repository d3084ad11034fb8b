"""The PyPI clients ``jira`` (pycontribs) and ``atlassian-python-api``, unmodified, through the proxy.

Each runs create issue, search every page, transition, comment against
``http://GW/jira/{connection}`` with a gateway key (Bearer, and Basic with the
key as password), for Cloud (an API-token connection) and DC (a PAT one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from atlassian import Jira
from jira import JIRA

from jiragw.sandbox import build_sandbox
from tests.gateway.servers import LiveGateway

pytestmark = pytest.mark.live

PAGE = 100  # the sandbox's page cap: 230 issues make three pages
ISSUES = 230


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    sandbox = build_sandbox(projects=1, issues=ISSUES, seed=5)
    yield from LiveGateway(sandbox, Path(tmp_path_factory.mktemp("live-gw"))).running()


@pytest.fixture(scope="module")
def key(live: LiveGateway) -> str:
    # Least privilege: the clients' flow (create, search, transition, comment, and
    # pycontribs' serverInfo on start-up) needs no more than the work preset.
    return live.key("read-write-work")


def _expected_keys(live: LiveGateway, connection: str) -> list[str]:
    instance = live.sandbox.sites["acme"] if connection == "acme" else live.sandbox.dcs["corp"]
    project = instance.find_project("PRJ")
    assert project is not None
    numbers = sorted(int(i.key.split("-")[1]) for i in instance.issues.values() if i.project_id == project.id)
    return [f"PRJ-{n}" for n in numbers]


@pytest.mark.parametrize("connection", ["acme", "corp"])
@pytest.mark.parametrize("auth", ["bearer", "basic"])
def test_pycontribs_jira(live: LiveGateway, key: str, connection: str, auth: str) -> None:
    server = f"{live.url}/jira/{connection}"
    jira = (
        JIRA(server=server, token_auth=key)
        if auth == "bearer"
        else JIRA(server=server, basic_auth=("me", key))
    )
    issue = jira.create_issue(
        project="PRJ", summary=f"Printer on fire ({auth})", description="Really.", issuetype={"name": "Bug"}
    )
    assert issue.key.startswith("PRJ-")
    assert jira.issue(issue.key).fields.summary == f"Printer on fire ({auth})"

    found = jira.search_issues("project = PRJ ORDER BY key ASC", maxResults=False, fields="summary")
    keys = [i.key for i in found]
    assert len(keys) > 2 * PAGE
    assert keys == _expected_keys(live, connection)

    jira.transition_issue(issue, "In Progress")
    assert jira.issue(issue.key).fields.status.name == "In Progress"
    jira.add_comment(issue, "Fire brigade called.")
    assert [c.body for c in jira.comments(issue.key)] == ["Fire brigade called."]


def _all_issues(jira: Jira, jql: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if jira.cloud:
        token = None
        while True:
            page = jira.enhanced_jql(jql, fields="summary", nextPageToken=token, limit=PAGE)
            out.extend(page["issues"])
            token = page.get("nextPageToken")
            if page.get("isLast") or not token:
                return out
    start = 0
    while True:
        page = jira.jql(jql, fields="summary", start=start, limit=PAGE)
        out.extend(page["issues"])
        start += len(page["issues"])
        if not page["issues"] or start >= page["total"]:
            return out


@pytest.mark.parametrize("connection", ["acme", "corp"])
@pytest.mark.parametrize("auth", ["bearer", "basic"])
def test_atlassian_python_api(live: LiveGateway, key: str, connection: str, auth: str) -> None:
    url = f"{live.url}/jira/{connection}"
    cloud = connection == "acme"
    jira = (
        Jira(url=url, token=key, cloud=cloud)
        if auth == "bearer"
        else Jira(url=url, username="me", password=key, cloud=cloud)
    )
    created = jira.create_issue(
        fields={
            "project": {"key": "PRJ"},
            "summary": f"Coffee machine leaks ({auth})",
            "description": "Water everywhere.",
            "issuetype": {"name": "Task"},
        }
    )
    issue_key = created["key"]
    assert jira.issue(issue_key)["fields"]["summary"] == f"Coffee machine leaks ({auth})"

    keys = [i["key"] for i in _all_issues(jira, "project = PRJ ORDER BY key ASC")]
    assert len(keys) > 2 * PAGE
    assert keys == _expected_keys(live, connection)

    jira.set_issue_status(issue_key, "In Progress")
    assert jira.get_issue_status(issue_key) == "In Progress"
    jira.issue_add_comment(issue_key, "Plumber booked.")
    comments = jira.issue_get_comments(issue_key)
    assert [c["body"] for c in comments["comments"]] == ["Plumber booked."]


def test_a_read_only_key_is_refused_with_a_readable_jira_error(live: LiveGateway) -> None:
    from jira.exceptions import JIRAError

    jira = JIRA(server=f"{live.url}/jira/corp", token_auth=live.key("read-only"), get_server_info=False)
    assert jira.search_issues("project = PRJ", maxResults=5)
    with pytest.raises(JIRAError) as caught:
        jira.create_issue(project="PRJ", summary="nope", issuetype={"name": "Bug"})
    assert caught.value.status_code == 403
    assert "read_only" in caught.value.text


@pytest.mark.parametrize("connection", ["acme", "corp"])
def test_pycontribs_follows_self_links_through_the_gateway(
    live: LiveGateway, key: str, connection: str
) -> None:
    """``Resource.update()``/``delete()`` send to ``self``: it must be the gateway's URL, not Jira's."""
    base = f"{live.url}/jira/{connection}"
    jira = JIRA(server=base, token_auth=key)
    created = jira.create_issue(project="PRJ", summary="Self links", issuetype={"name": "Bug"})
    issue = jira.issue(created.key)
    comment = jira.add_comment(issue, "To be deleted.")
    assert issue.self.startswith(base + "/rest/api/")
    assert issue.fields.status.self.startswith(base + "/rest/api/")
    assert comment.self.startswith(base + "/rest/api/")
    before = Counter(live.sandbox.counters)
    audited = len(live.audit_rows())

    issue.update(summary="Self links followed")
    comment.delete()

    upstream = Counter(live.sandbox.counters) - before
    # Every request Jira saw carried the connection's own credential and was served.
    assert {(k.method, k.status) for k in upstream} >= {("PUT", 204), ("DELETE", 204)}
    assert all(k.credential != "anonymous" and k.status < 400 for k in upstream)
    assert key not in repr(live.sandbox.counters)
    # And each went through the gateway's proxy, audited there.
    rows = live.audit_rows()[audited:]
    assert ("PUT", 204) in {(r.method, r.status_code) for r in rows}
    assert ("DELETE", 204) in {(r.method, r.status_code) for r in rows}
    assert sum(upstream.values()) == len(rows)
    assert jira.issue(created.key).fields.summary == "Self links followed"
    assert jira.comments(created.key) == []
