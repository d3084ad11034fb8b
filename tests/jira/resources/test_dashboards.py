"""DashboardsResource against the sandbox: listing and search on Cloud and DC, CRUD and copy on Cloud."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from jiragw.errors import InvalidInput, NotFound, PermissionDenied
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.dashboards import Dashboard, DashboardsResource
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.state.model import Dashboard as SandboxDashboard
from jiragw.secrets import Secret

BASE = {"cloud": "http://sandbox.test/sites/acme", "dc": "http://sandbox.test/dc/corp"}
GLOBAL = [{"type": "global"}]


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=3)


async def resource(client: httpx.AsyncClient, sandbox: Sandbox, flavor: str, user: str) -> DashboardsResource:
    instance = sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]
    found = instance.find_user(user)
    assert found is not None
    if flavor == "cloud":
        creds = StaticCredentials.basic(found.email, Secret(found.api_token))
    else:
        creds = StaticCredentials.bearer(Secret(found.pat))
    return DashboardsResource(ApiContext(Transport(client, creds), BASE[flavor], flavor))  # type: ignore[arg-type]


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        yield client


def seed_dc_dashboards(sandbox: Sandbox, names: list[str]) -> None:
    """DC's REST API cannot create dashboards: put them in the sandbox's model directly."""
    dc = sandbox.dcs["corp"]
    alice = dc.find_user("alice")
    assert alice is not None
    for name in names:
        did = dc.new_id()
        dc.dashboards[did] = SandboxDashboard(
            id=did,
            name=name,
            owner=alice.account_id,
            share_permissions=[{"id": dc.new_id(), "type": "global"}],
        )


async def collect(items: AsyncIterator[Dashboard]) -> list[Dashboard]:
    return [d async for d in items]


async def test_cloud_create_get_update_copy_delete(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = await resource(client, sandbox, "cloud", "alice")
    made = await alice.create("Team board", description="ours", share_permissions=GLOBAL)
    assert (made.name, made.description) == ("Team board", "ours")
    assert made.owner == sandbox.sites["acme"].find_user("alice").account_id  # type: ignore[union-attr]
    assert made.view_url is not None
    assert made.view_url.endswith(f"/jira/dashboards/{made.id}")
    assert await alice.get(made.id) == made
    renamed = await alice.update(made.id, name="Team board v2")
    assert (renamed.name, renamed.description) == ("Team board v2", "ours")
    assert renamed.raw["sharePermissions"][0]["type"] == "global"  # kept: read before the update
    bob = await resource(client, sandbox, "cloud", "bob")
    assert (await bob.get(made.id)).name == "Team board v2"  # shared globally
    with pytest.raises(PermissionDenied):
        await bob.update(made.id, name="mine now")
    copied = await bob.copy(made.id, "Bob's copy")
    assert copied.owner != made.owner
    await alice.delete(made.id)
    with pytest.raises(NotFound):
        await alice.get(made.id)
    assert (await bob.get(copied.id)).name == "Bob's copy"


@pytest.mark.parametrize("flavor", ["cloud", "dc"])
async def test_listing_pages_through_every_dashboard(
    client: httpx.AsyncClient, sandbox: Sandbox, flavor: str
) -> None:
    alice = await resource(client, sandbox, flavor, "alice")
    names = [f"Board {n:02d}" for n in range(7)]
    if flavor == "cloud":
        for name in names:
            await alice.create(name, share_permissions=GLOBAL)
    else:
        seed_dc_dashboards(sandbox, names)
    every = await collect(alice.all(page_size=3))
    assert [d.name for d in every][1:] == names  # after the system dashboard
    assert [d.name for d in await collect(alice.all("my", page_size=2))] == names
    assert len({d.id for d in every}) == len(every)


@pytest.mark.parametrize("flavor", ["cloud", "dc"])
async def test_search_by_name_on_both_flavors(
    client: httpx.AsyncClient, sandbox: Sandbox, flavor: str
) -> None:
    alice = await resource(client, sandbox, flavor, "alice")
    names = ["Release train", "Ops release", "Support queue"]
    if flavor == "cloud":
        for name in names:
            await alice.create(name, share_permissions=GLOBAL)
    else:
        seed_dc_dashboards(sandbox, names)
    found = await collect(alice.search("release", page_size=1))
    assert sorted(d.name for d in found) == ["Ops release", "Release train"]
    me = sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]
    owner = me.find_user("alice")
    assert owner is not None
    ref = owner.account_id if flavor == "cloud" else "alice"
    assert len(await collect(alice.search(owner=ref))) == 3
    assert await collect(alice.search("nothing like it")) == []


async def test_dc_refuses_writes_before_calling(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = await resource(client, sandbox, "dc", "alice")
    sandbox.counters.clear()
    with pytest.raises(InvalidInput):
        await alice.create("x")
    with pytest.raises(InvalidInput):
        await alice.update(10000, name="x")
    with pytest.raises(InvalidInput):
        await alice.copy(10000, "x")
    with pytest.raises(InvalidInput):
        await alice.delete(10000)
    assert not sandbox.counters


async def test_bad_input_is_refused_locally(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    alice = await resource(client, sandbox, "cloud", "alice")
    with pytest.raises(InvalidInput):
        await alice.create("  ")
    with pytest.raises(InvalidInput):
        await alice.get("10000/copy")
