"""CommentsResource against the sandbox, Cloud v3 (ADF) and DC v2 (wiki): Markdown in and out, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jiragw.errors import NotFound
from jiragw.jira.client import JiraClient
from jiragw.jira.resources import from_jira_text, to_jira_text
from jiragw.sandbox import Sandbox, build_sandbox
from tests.jira.resources import WHERE, sandbox_client


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=2, seed=5)


@pytest.fixture(params=WHERE)
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def jira(sandbox: Sandbox, where: str) -> AsyncIterator[JiraClient]:
    async with sandbox_client(sandbox, where) as client:
        yield client


@pytest.fixture
async def issue_key(jira: JiraClient) -> str:
    project = (await jira.projects.list())[0].key
    return (await jira.issues.create(project, "Talk about me")).key


def markdown_back(jira: JiraClient, markdown: str) -> str:
    """What Markdown reads back as after a trip through Jira's format (identity on Cloud's ADF)."""
    back = from_jira_text(jira.ctx, to_jira_text(jira.ctx, markdown))
    if jira.ctx.adf:
        assert back == markdown
    return back


async def test_add_get_edit_delete_with_markdown(jira: JiraClient, issue_key: str, where: str) -> None:
    added = await jira.comments.add(issue_key, "Looks **good** to me")
    assert added.body == markdown_back(jira, "Looks **good** to me")
    assert "good" in added.body
    assert added.author is not None
    assert added.author.display_name
    if where == "acme":
        assert added.raw["body"]["type"] == "doc"  # sent and kept as ADF
    else:
        assert isinstance(added.raw["body"], str)
    fetched = await jira.comments.get(issue_key, added.id)
    assert fetched.body == added.body
    edited = await jira.comments.edit(issue_key, added.id, "Changed my *mind*")
    assert edited.id == added.id
    assert edited.body == markdown_back(jira, "Changed my *mind*")
    assert [c.body for c in await jira.comments.list(issue_key)] == [edited.body]
    await jira.comments.delete(issue_key, added.id)
    assert await jira.comments.list(issue_key) == []
    with pytest.raises(NotFound):
        await jira.comments.get(issue_key, added.id)


async def test_list_pages_through_every_comment_in_order(jira: JiraClient, issue_key: str) -> None:
    for n in range(7):
        await jira.comments.add(issue_key, f"comment {n}")
    bodies = [c.body async for c in jira.comments.iterate(issue_key, page_size=3)]
    assert bodies == [f"comment {n}" for n in range(7)]
    assert [c.body for c in await jira.comments.list(issue_key, page_size=50)] == bodies
