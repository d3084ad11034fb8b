"""UsersResource against the sandbox: myself, search and assignable search on Cloud (v3) and DC (v2)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.users import User, UsersResource
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret

BASE = {"cloud": "http://sandbox.test/sites/acme", "dc": "http://sandbox.test/dc/corp"}


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return build_sandbox(projects=2, issues=10, seed=5)


@pytest.fixture(params=["cloud", "dc"])
async def users(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[UsersResource]:
    flavor = request.param
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        if flavor == "cloud":
            alice = sandbox.sites["acme"].find_user("alice")
            assert alice is not None
            creds = StaticCredentials.basic(alice.email, Secret(alice.api_token))
        else:
            alice = sandbox.dcs["corp"].find_user("alice")
            assert alice is not None
            creds = StaticCredentials.bearer(Secret(alice.pat))
        yield UsersResource(ApiContext(Transport(client, creds), BASE[flavor], flavor))


async def test_myself_names_the_caller_the_way_the_flavor_does(users: UsersResource) -> None:
    me = await users.myself()
    assert me.display_name == "Alice Anders"
    assert me.email == "alice@example.com"
    if users.ctx.cloud:
        assert me.account_id
        assert me.ref == me.account_id
        assert me.name is None
    else:
        assert me.account_id is None
        assert me.name == "alice"
        assert me.ref == "alice"
    assert me.raw["displayName"] == "Alice Anders"


async def test_get_by_ref_round_trips(users: UsersResource) -> None:
    me = await users.myself()
    assert await users.get(me.ref) == me
    with pytest.raises(NotFound):
        await users.get("no-such-user" if not users.ctx.cloud else "000000:missing")


async def test_search_uses_query_on_cloud_and_username_on_dc(users: UsersResource) -> None:
    found = await users.search("bo")
    assert [u.display_name for u in found] == ["Bob Brown"]
    by_email = await users.search("carol@")
    assert [u.display_name for u in by_email] == ["Carol Chen"]


async def test_search_pages_through_every_match(users: UsersResource) -> None:
    everyone = await users.search("a")
    assert [u.display_name for u in everyone] == ["Ada Admin", "Alice Anders"]
    one_by_one = [u async for u in users.iter_search("a", page_size=1)]
    assert one_by_one == everyone
    assert await users.search("a", limit=1) == everyone[:1]


async def test_search_refuses_an_empty_string(users: UsersResource) -> None:
    with pytest.raises(InvalidInput):
        await users.search("  ")


async def test_assignable_in_a_project_and_on_an_issue(users: UsersResource, sandbox: Sandbox) -> None:
    instance = sandbox.sites["acme"] if users.ctx.cloud else sandbox.dcs["corp"]
    issue = sorted(instance.issues.values(), key=lambda i: i.key)[0]
    project_key = issue.key.split("-")[0]
    in_project = await users.assignable(project=project_key)
    on_issue = await users.assignable(issue_key=issue.key)
    names = {u.display_name for u in in_project}
    assert "Alice Anders" in names
    assert "Victor Viewer" not in names  # may browse, may not edit or transition
    assert on_issue == in_project
    assert [u.display_name for u in await users.assignable("ali", project=project_key)] == ["Alice Anders"]
    paged = [u async for u in users.iter_assignable(project=project_key, page_size=2)]
    assert paged == in_project
    assert all(isinstance(u, User) for u in paged)


async def test_assignable_needs_a_project_or_an_issue(users: UsersResource) -> None:
    with pytest.raises(InvalidInput):
        await users.assignable("a")
    with pytest.raises(NotFound):
        await users.assignable(project="NOPE")
