"""FiltersResource against the sandbox: CRUD, favourites, search, and run (Cloud /search/jql, DC /search)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from jiragw.errors import InvalidInput, InvalidJql
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.filters import Filter, FiltersResource, filter_body
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret

BASE = {"cloud": "http://sandbox.test/sites/acme", "dc": "http://sandbox.test/dc/corp"}
JQL = "project = PRJ ORDER BY key"


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=45, seed=7)


@pytest.fixture(params=["cloud", "dc"])
async def filters(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[FiltersResource]:
    flavor = request.param
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        instance = sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]
        alice = instance.find_user("alice")
        assert alice is not None
        if flavor == "cloud":
            creds = StaticCredentials.basic(alice.email, Secret(alice.api_token))
        else:
            creds = StaticCredentials.bearer(Secret(alice.pat))
        yield FiltersResource(ApiContext(Transport(client, creds), BASE[flavor], flavor))


def issue_keys(sandbox: Sandbox, flavor: str) -> list[str]:
    instance = sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]
    keys = [i.key for i in instance.issues.values() if i.key.startswith("PRJ-")]
    return sorted(keys, key=lambda k: int(k.split("-")[1]))


async def test_create_get_update_delete(filters: FiltersResource) -> None:
    made = await filters.create("Open work", "project = PRJ", description="mine")
    assert made.id.isdigit()
    assert (made.name, made.jql, made.description) == ("Open work", "project = PRJ", "mine")
    assert made.owner in ("alice", made.raw["owner"].get("accountId"))
    got = await filters.get(made.id)
    assert got == made
    changed = await filters.update(made.id, jql="project = PRJ AND status = Done")
    assert changed.name == "Open work"  # kept: read before the update
    assert changed.jql == "project = PRJ AND status = Done"
    renamed = await filters.update(int(made.id), name="Done work", description="")
    assert (renamed.name, renamed.jql) == ("Done work", "project = PRJ AND status = Done")
    await filters.delete(made.id)
    with pytest.raises(InvalidInput):  # Jira answers 400 for a filter that is gone
        await filters.get(made.id)


async def test_bad_jql_and_bad_ids_are_refused(filters: FiltersResource) -> None:
    with pytest.raises(InvalidInput):
        await filters.create("Broken", "project = = PRJ")
    with pytest.raises(InvalidInput):
        await filters.create("  ", "project = PRJ")
    with pytest.raises(InvalidInput):
        await filters.get("../myself")


async def test_favourites(filters: FiltersResource) -> None:
    fav = await filters.create("A favourite", "project = PRJ", favourite=True)
    other = await filters.create("Not yet", "project = PRJ")
    assert [f.name for f in await filters.favourites()] == ["A favourite"]
    assert fav.favourite
    assert (await filters.set_favourite(other.id)).favourite
    assert [f.name for f in await filters.favourites()] == ["A favourite", "Not yet"]
    assert not (await filters.set_favourite(fav.id, False)).favourite
    assert [f.name for f in await filters.favourites()] == ["Not yet"]


@pytest.mark.parametrize("page_size", [1, 7, 100])
async def test_run_returns_every_issue_once_in_order(
    filters: FiltersResource, sandbox: Sandbox, page_size: int
) -> None:
    flt = await filters.create("PRJ", "project = PRJ")
    flavor = "cloud" if filters.ctx.cloud else "dc"
    run = [i async for i in filters.run(flt, fields=["summary"], page_size=page_size, order_by="key ASC")]
    assert [i["key"] for i in run] == issue_keys(sandbox, flavor)
    assert all(set(i["fields"]) == {"summary"} for i in run)
    by_id = [i["key"] async for i in filters.run(flt.id, order_by="key ASC")]
    assert by_id == issue_keys(sandbox, flavor)


async def test_run_uses_enhanced_search_on_cloud_and_classic_on_dc(
    filters: FiltersResource, sandbox: Sandbox
) -> None:
    flt = await filters.create("Ordered", JQL)
    sandbox.counters.clear()
    assert len([i async for i in filters.run(flt, page_size=20)]) == 45
    operations = {key.operation: n for key, n in sandbox.counters.items()}
    if filters.ctx.cloud:
        assert operations == {"searchAndReconsileIssuesUsingJql": 3}
    else:
        assert operations == {"searchForIssuesUsingJql": 3}


async def test_run_of_a_filter_that_does_not_exist(filters: FiltersResource) -> None:
    with pytest.raises(InvalidInput):
        [i async for i in filters.run(999999)]


async def test_search_and_mine_on_cloud_only(filters: FiltersResource) -> None:
    await filters.create("Alpha bugs", "project = PRJ")
    await filters.create("Beta bugs", "project = PRJ")
    await filters.create("Gamma", "project = PRJ")
    if not filters.ctx.cloud:
        with pytest.raises(InvalidInput):
            [f async for f in filters.search("bugs")]
        with pytest.raises(InvalidInput):
            await filters.mine()
        return
    found = [f async for f in filters.search("bugs", page_size=1)]
    assert [f.name for f in found] == ["Alpha bugs", "Beta bugs"]
    assert found[0].jql == "project = PRJ"
    assert sorted(f.name for f in await filters.mine()) == ["Alpha bugs", "Beta bugs", "Gamma"]


def test_filter_body_keeps_only_given_parts() -> None:
    assert filter_body(name="n", favourite=False) == {"name": "n", "favourite": False}
    shares = [{"type": "global"}]
    assert filter_body(jql="x", share_permissions=shares) == {"jql": "x", "sharePermissions": shares}


async def test_jql_errors_map_to_invalid_jql_when_running(filters: FiltersResource) -> None:
    flt = await filters.create("Fine", "project = PRJ")
    broken = Filter(id=flt.id, name="x", jql="project = NOPE")
    with pytest.raises(InvalidJql) as caught:
        [i async for i in filters.run(broken)]
    assert "NOPE" in caught.value.message
