"""IssuesResource against the sandbox, Cloud v3 and DC v2: every operation, custom fields by name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.client import JiraClient
from jiragw.jira.resources.issues import FieldNames
from jiragw.sandbox import Sandbox, build_sandbox
from tests.jira.resources import WHERE, sandbox_client, user_ref

DESCRIPTION = "Steps:\n\n1. open **the** page\n2. click `save`\n\nSee [docs](https://example.com)."


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=4, seed=3)


@pytest.fixture(params=WHERE)
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def jira(sandbox: Sandbox, where: str) -> AsyncIterator[JiraClient]:
    async with sandbox_client(sandbox, where) as client:
        yield client


async def project_key(jira: JiraClient) -> str:
    return (await jira.projects.list())[0].key


async def test_create_with_markdown_description_and_custom_fields_by_name(
    jira: JiraClient, where: str
) -> None:
    key = await project_key(jira)
    issue = await jira.issues.create(
        key,
        "Checkout fails",
        "Bug",
        description=DESCRIPTION,
        fields={"Story Points": 5, "Priority": "High"},
        labels=["sdk"],
    )
    assert issue.key.startswith(f"{key}-")
    assert issue.summary == "Checkout fails"
    assert issue.issue_type is not None
    assert issue.issue_type.name == "Bug"
    assert issue.labels == ("sdk",)
    assert issue.fields["customfield_10016"] == 5
    assert issue.fields["priority"]["name"] == "High"
    if where == "acme":  # v3 carries ADF
        assert issue.description["type"] == "doc"
        strong = [
            n
            for block in issue.description["content"]
            for item in block.get("content", [])
            for para in item.get("content", [])
            for n in para.get("content", [])
            if any(m["type"] == "strong" for m in n.get("marks", []))
        ]
        assert [n["text"] for n in strong] == ["the"]
    else:  # v2 carries a string
        assert isinstance(issue.description, str)
        assert "the" in issue.description


async def test_unknown_custom_field_name_is_refused_before_any_write(
    jira: JiraClient, sandbox: Sandbox, where: str
) -> None:
    key = await project_key(jira)
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    with pytest.raises((InvalidInput, NotFound)):
        await jira.issues.create(key, "x", fields={"No Such Field": 1})
    names = FieldNames(jira.ctx)
    assert await names.resolve("story points") == "customfield_10016"
    assert await names.resolve("summary") == "summary"
    with pytest.raises(InvalidInput):
        await names.resolve("No Such Field")
    assert all(i.summary != "x" for i in instance.issues.values())


async def test_bulk_create(jira: JiraClient) -> None:
    key = await project_key(jira)
    keys, errors = await jira.issues.bulk_create(
        [
            {"project": key, "summary": "one", "description": "first *one*"},
            {"project": key, "summary": "two", "issue_type": "Story", "fields": {"Story Points": 3}},
        ]
    )
    assert errors == []
    assert len(keys) == 2
    two = await jira.issues.get(keys[1])
    assert (await jira.issues.get(keys[0])).summary == "one"
    assert two.summary == "two"
    assert two.fields["customfield_10016"] == 3


async def test_get_edit_delete(jira: JiraClient) -> None:
    issue = await jira.issues.create(await project_key(jira), "Before")
    await jira.issues.edit(issue.key, summary="After", description="now *edited*", fields={"Story Points": 8})
    after = await jira.issues.get(issue.key)
    assert after.summary == "After"
    assert after.fields["customfield_10016"] == 8
    assert after.description != issue.description
    only = await jira.issues.get(issue.key, fields=["summary"])
    assert set(only.fields) == {"summary"}
    await jira.issues.edit(issue.key, update={"labels": [{"add": "added"}]})
    assert (await jira.issues.get(issue.key)).labels == ("added",)
    await jira.issues.delete(issue.key)
    with pytest.raises(NotFound):
        await jira.issues.get(issue.key)


async def test_assign_and_unassign(jira: JiraClient, sandbox: Sandbox, where: str) -> None:
    issue = await jira.issues.create(await project_key(jira), "Assign me")
    bob = user_ref(sandbox, where, "bob")
    await jira.issues.assign(issue.key, bob)
    assignee = (await jira.issues.get(issue.key)).assignee
    assert assignee is not None
    assert assignee.ref == bob
    await jira.issues.assign(issue.key, None)
    assert (await jira.issues.get(issue.key)).assignee is None


async def test_transition_by_status_name_with_resolution_and_by_id(jira: JiraClient) -> None:
    issue = await jira.issues.create(await project_key(jira), "Move me")
    done = await jira.issues.transition(
        issue.key, "done", fields={"Resolution": "Won't Do"}, comment="closing"
    )
    assert done.to is not None
    assert done.to.name == "Done"
    moved = await jira.issues.get(issue.key)
    assert moved.status is not None
    assert moved.status.name == "Done"
    assert moved.fields["resolution"]["name"] == "Won't Do"
    assert [c.body for c in await jira.comments.list(issue.key)] == ["closing"]
    back = (await jira.issues.transitions(issue.key))[0]
    await jira.issues.transition(issue.key, back.id)
    again = await jira.issues.get(issue.key)
    assert again.status is not None
    assert back.to is not None
    assert again.status.name == back.to.name
    with pytest.raises(InvalidInput) as caught:
        await jira.issues.transition(issue.key, "Nowhere")
    assert caught.value.details["available"]


async def test_links(jira: JiraClient) -> None:
    key = await project_key(jira)
    a = await jira.issues.create(key, "blocker")
    b = await jira.issues.create(key, "blocked")
    assert "Blocks" in {t["name"] for t in await jira.issues.link_types()}
    await jira.issues.link(b.key, a.key, "Blocks")
    links = await jira.issues.links(a.key)
    assert len(links) == 1
    assert links[0]["type"]["name"] == "Blocks"
    await jira.issues.unlink(str(links[0]["id"]))
    assert await jira.issues.links(a.key) == []
    assert await jira.issues.links(b.key) == []


async def test_watchers(jira: JiraClient, sandbox: Sandbox, where: str) -> None:
    issue = await jira.issues.create(await project_key(jira), "Watch me")
    carol = user_ref(sandbox, where, "carol")
    before = {u.ref for u in await jira.issues.watchers(issue.key)}
    await jira.issues.add_watcher(issue.key, carol)
    await jira.issues.add_watcher(issue.key)  # the caller
    after = {u.ref for u in await jira.issues.watchers(issue.key)}
    assert after == before | {carol, user_ref(sandbox, where, "alice")}
    await jira.issues.remove_watcher(issue.key, carol)
    assert carol not in {u.ref for u in await jira.issues.watchers(issue.key)}


async def test_changelog_pages_through_every_entry(jira: JiraClient, sandbox: Sandbox, where: str) -> None:
    issue = await jira.issues.create(await project_key(jira), "v0")
    for n in range(1, 6):
        await jira.issues.edit(issue.key, summary=f"v{n}")
    entries = [e async for e in jira.issues.changelog(issue.key, page_size=2)]
    summaries = [
        (i["fromString"], i["toString"]) for e in entries for i in e.items if i["field"] == "summary"
    ]
    assert summaries == [(f"v{n - 1}", f"v{n}") for n in range(1, 6)]
    assert all(e.author is not None for e in entries)
