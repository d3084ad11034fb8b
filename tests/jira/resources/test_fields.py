"""FieldsResource against the sandbox: the field list and name <-> id resolution with its cache."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.fields import Field, FieldsResource, find_field
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret

BASE = {"cloud": "http://sandbox.test/sites/acme", "dc": "http://sandbox.test/dc/corp"}
FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=5)


def field_calls(sandbox: Sandbox) -> int:
    return sum(n for key, n in sandbox.counters.items() if key.operation == "getFields")


@pytest.fixture(params=["cloud", "dc"])
async def ctx(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[ApiContext]:
    flavor = request.param
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        instance = sandbox.sites["acme"] if flavor == "cloud" else sandbox.dcs["corp"]
        admin = instance.find_user("admin")
        assert admin is not None
        if flavor == "cloud":
            creds = StaticCredentials.basic(admin.email, Secret(admin.api_token))
        else:
            creds = StaticCredentials.bearer(Secret(admin.pat))
        yield ApiContext(Transport(client, creds), BASE[flavor], flavor)


async def test_lists_system_and_custom_fields(ctx: ApiContext) -> None:
    fields = await FieldsResource(ctx).all()
    by_id = {f.id: f for f in fields}
    assert by_id["summary"].name == "Summary"
    assert not by_id["summary"].custom
    points = by_id["customfield_10016"]
    assert points.name == "Story Points"
    assert points.custom
    assert points.schema_type == "number"
    assert "cf[10016]" in points.clause_names
    assert points.raw["id"] == "customfield_10016"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Story Points", "customfield_10016"),
        ("story points", "customfield_10016"),
        ("  STORY POINTS ", "customfield_10016"),
        ("customfield_10016", "customfield_10016"),
        ("cf[10016]", "customfield_10016"),
        ("summary", "summary"),
        ("Summary", "summary"),
    ],
)
async def test_resolve_names_ids_and_clauses_with_one_listing(
    ctx: ApiContext, sandbox: Sandbox, ref: str, expected: str
) -> None:
    fields = FieldsResource(ctx)
    before = field_calls(sandbox)
    assert await fields.resolve(ref) == expected
    assert await fields.resolve("Team") == "customfield_10017"
    assert (await fields.names())["customfield_10016"] == "Story Points"
    assert field_calls(sandbox) - before == 1  # cached for the resource (the connection)


async def test_unknown_name_raises_not_found_with_suggestions(ctx: ApiContext) -> None:
    with pytest.raises(NotFound) as caught:
        await FieldsResource(ctx).resolve("Story Pionts")
    assert "Story Points" in caught.value.details["suggestions"]
    assert "did you mean 'Story Points'" in caught.value.message


async def test_a_field_created_later_resolves_after_refresh(ctx: ApiContext, sandbox: Sandbox) -> None:
    fields = FieldsResource(ctx)
    await fields.all()
    created = await ctx.post("/field", json={"name": "Risk Score", "type": FLOAT})
    with pytest.raises(NotFound):
        await fields.resolve("Risk Score")  # the cache predates the field
    before = field_calls(sandbox)
    await fields.refresh()
    assert await fields.resolve("risk score") == created["id"]
    assert field_calls(sandbox) - before == 1
    fields.invalidate()
    assert await fields.resolve("Risk Score") == created["id"]
    assert field_calls(sandbox) - before == 2


async def test_a_name_two_fields_share_asks_for_the_id(ctx: ApiContext) -> None:
    one = await ctx.post("/field", json={"name": "Severity", "type": FLOAT})
    two = await ctx.post("/field", json={"name": "severity", "type": FLOAT})
    fields = FieldsResource(ctx)
    with pytest.raises(InvalidInput) as caught:
        await fields.resolve("Severity")
    assert caught.value.details["candidates"] == [one["id"], two["id"]]
    assert await fields.resolve(two["id"]) == two["id"]


def test_find_field_refuses_an_empty_name() -> None:
    with pytest.raises(InvalidInput):
        find_field([Field(id="summary", name="Summary")], " ")


def test_suggestions_include_substring_matches() -> None:
    fields = [Field(id="customfield_1", name="Epic Link"), Field(id="customfield_2", name="Epic Name")]
    with pytest.raises(NotFound) as caught:
        find_field(fields, "epic")
    assert set(caught.value.details["suggestions"]) == {"Epic Link", "Epic Name"}
