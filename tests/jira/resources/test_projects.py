"""ProjectsResource against the sandbox: CRUD and metadata, Cloud v3 and DC v2."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jiragw.errors import NotFound
from jiragw.jira.client import JiraClient
from jiragw.sandbox import Sandbox, build_sandbox
from tests.jira.resources import WHERE, sandbox_client, user_ref


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=4, seed=7)


@pytest.fixture(params=WHERE)
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def jira(sandbox: Sandbox, where: str) -> AsyncIterator[JiraClient]:
    async with sandbox_client(sandbox, where, user="admin") as client:
        yield client


async def test_list_and_search(jira: JiraClient, sandbox: Sandbox, where: str) -> None:
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    expected = sorted(p.key for p in instance.projects.values())
    assert sorted(p.key for p in await jira.projects.list()) == expected
    first = await jira.projects.get(expected[0])
    found = [p.key async for p in jira.projects.search(first.name[:3].lower())]
    assert first.key in found
    assert [p async for p in jira.projects.search("no-such-project-zzz")] == []


async def test_create_update_delete(jira: JiraClient, sandbox: Sandbox, where: str) -> None:
    lead = user_ref(sandbox, where, "alice")
    created = await jira.projects.create("NEWP", "New project", lead=lead, description="made by a test")
    assert (created.key, created.name) == ("NEWP", "New project")
    assert created.lead is not None
    assert created.lead.ref == lead
    assert created.raw["description"] == "made by a test"
    updated = await jira.projects.update("NEWP", name="Renamed")
    assert updated.name == "Renamed"
    assert (await jira.projects.get("NEWP")).name == "Renamed"
    await jira.projects.delete("NEWP")
    with pytest.raises(NotFound):
        await jira.projects.get("NEWP")


async def test_issue_types_statuses_and_create_fields(jira: JiraClient) -> None:
    key = (await jira.projects.list())[0].key
    types = await jira.projects.issue_types(key)
    names = {t.name for t in types}
    assert {"Task", "Bug"} <= names
    statuses = await jira.projects.statuses(key)
    assert "Done" in {s.name for s in statuses["Task"]}
    assert {s.category for s in statuses["Task"]} >= {"new", "done"}
    by_name = await jira.projects.create_fields(key, "Bug")
    bug_id = next(t.id for t in types if t.name == "Bug")
    by_id = await jira.projects.create_fields(key, bug_id)
    assert by_name.keys() == by_id.keys()
    assert {"summary", "issuetype", "project"} <= by_name.keys()
    assert by_name["summary"]["required"] is True


async def test_components_crud(jira: JiraClient) -> None:
    key = (await jira.projects.list())[0].key
    before = {c.name for c in await jira.projects.components(key)}
    made = await jira.projects.create_component(key, "Zeta Gateway", description="the API gateway")
    assert made.name == "Zeta Gateway"
    assert made.description == "the API gateway"
    assert {c.name for c in await jira.projects.components(key)} == before | {"Zeta Gateway"}
    changed = await jira.projects.update_component(made.id, name="Zeta Edge")
    assert changed.name == "Zeta Edge"
    await jira.projects.delete_component(made.id)
    assert {c.name for c in await jira.projects.components(key)} == before


async def test_versions_crud(jira: JiraClient) -> None:
    key = (await jira.projects.list())[0].key
    made = await jira.projects.create_version(key, "v9.9", description="next")
    assert made.name == "v9.9"
    assert not made.released
    assert "v9.9" in {v.name for v in await jira.projects.versions(key)}
    released = await jira.projects.update_version(made.id, released=True, releaseDate="2026-01-31")
    assert released.released
    assert released.release_date == "2026-01-31"
    await jira.projects.delete_version(made.id)
    assert "v9.9" not in {v.name for v in await jira.projects.versions(key)}
