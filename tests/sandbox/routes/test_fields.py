"""Fields: list (Cloud vs DC shape), paginated search, custom field create and update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.routes.fields import CUSTOM_TYPES

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"
CF = "com.atlassian.jira.plugin.system.customfieldtypes:"


async def test_get_fields_cloud_and_dc(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    cloud = (await client.get(f"{CLOUD}/field", headers=as_user("acme", "viewer"))).json()
    by_id = {f["id"]: f for f in cloud}
    assert set(by_id) == set(sandbox.sites["acme"].fields)
    assert by_id["summary"] == {
        "id": "summary",
        "key": "summary",
        "name": "Summary",
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["summary"],
        "schema": {"type": "string", "system": "summary"},
    }
    points = by_id["customfield_10016"]
    assert points["custom"] is True
    assert points["clauseNames"] == ["cf[10016]", "Story Points"]
    assert points["schema"] == {"type": "number", "custom": CF + "float", "customId": 10016}
    assert "schema" not in by_id["issuekey"]
    dc = (await client.get(f"{DC}/field", headers=as_user("corp", "viewer"))).json()
    assert all("key" not in f for f in dc)  # DC's field list has no key


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], base: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{base}/field", json=body, headers=headers)


@pytest.mark.parametrize(
    ("type_key", "schema_type", "items"),
    [("textfield", "string", None), ("multiuserpicker", "array", "user"), ("datepicker", "date", None)],
)
async def test_create_custom_field(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Auth,
    type_key: str,
    schema_type: str,
    items: str | None,
) -> None:
    inst = sandbox.sites["acme"]
    top = max(f.custom_id or 0 for f in inst.fields.values())
    r = await _create(
        client,
        as_user("acme", "admin"),
        CLOUD,
        name="Made here",
        description="By a test",
        type=CF + type_key,
        searcherKey=CUSTOM_TYPES[type_key].searchers[0],
    )
    assert r.status_code == 201, r.text
    made = r.json()
    number = top + 1
    assert made["id"] == f"customfield_{number}"
    assert made["key"] == made["id"]
    assert made["clauseNames"] == [f"cf[{number}]", "Made here"]
    expected: dict[str, Any] = {"type": schema_type, "custom": CF + type_key, "customId": number}
    if items:
        expected["items"] = items
    assert made["schema"] == expected
    assert made["searchable"] is True
    assert inst.find_field(f"cf[{number}]") is not None
    listed = (await client.get(f"{CLOUD}/field", headers=as_user("acme", "bob"))).json()
    assert made in listed


async def test_create_custom_field_rules(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    denied = await _create(client, as_user("corp", "alice"), DC, name="Nope", type=CF + "textfield")
    assert denied.status_code == 403
    assert denied.json()["errorMessages"] == ["Only Jira administrators can create custom fields."]
    admin = as_user("corp", "admin")
    bad = await _create(client, admin, DC, name="", type="com.example:rocket")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "name": "The custom field name must not be empty.",
        "type": "The custom field type 'com.example:rocket' is not valid.",
    }
    wrong = await _create(client, admin, DC, name="X", type=CF + "float", searcherKey=CF + "textsearcher")
    assert wrong.json()["errorMessages"] == ["searcherKey is invalid for the field type."]
    plain = await _create(client, admin, DC, name="Unsearchable", type=CF + "textarea")
    assert plain.json()["searchable"] is False  # no searcher, no search
    assert "key" not in plain.json()


async def test_fields_paginated(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    headers = as_user("acme", "bob")
    url = f"{CLOUD}/field/search"
    custom = (await client.get(url, params={"type": "custom", "maxResults": 100}, headers=headers)).json()
    assert {f["id"] for f in custom["values"]} == {
        f.id for f in sandbox.sites["acme"].fields.values() if f.custom
    }
    select = next(f for f in custom["values"] if f["id"] == "customfield_10018")
    assert select["searcherKey"] == CF + "multiselectsearcher"
    found = (await client.get(url, params={"query": "STORY"}, headers=headers)).json()
    assert [f["name"] for f in found["values"]] == ["Story Points"]
    ids = (await client.get(url, params={"id": "summary,labels", "orderBy": "-name"}, headers=headers)).json()
    assert [f["id"] for f in ids["values"]] == ["summary", "labels"]
    system = (await client.get(url, params={"type": "system", "maxResults": 2}, headers=headers)).json()
    assert system["isLast"] is False
    assert all(not f["id"].startswith("customfield_") for f in system["values"])
    assert (await client.get(f"{DC}/field/search", headers=as_user("corp", "bob"))).status_code == 404


async def test_update_custom_field(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    inst = sandbox.sites["acme"]
    url = f"{CLOUD}/field/customfield_10017"
    r = await client.put(url, json={"name": "Squad", "description": "Who"}, headers=as_user("acme", "admin"))
    assert r.status_code == 204
    field = inst.fields["customfield_10017"]
    assert (field.name, field.description) == ("Squad", "Who")
    assert inst.find_field("Squad") is field
    r = await client.put(url, json={"searcherKey": None}, headers=as_user("acme", "admin"))
    assert r.status_code == 204
    assert field.searchable is False
    denied = await client.put(url, json={"name": "Mine"}, headers=as_user("acme", "alice"))
    assert denied.status_code == 403
    assert denied.json()["errorMessages"] == ["Only Jira administrators can edit custom fields."]
    system = await client.put(
        f"{CLOUD}/field/summary", json={"name": "Title"}, headers=as_user("acme", "admin")
    )
    assert system.status_code == 404
    assert system.json()["errorMessages"] == ["The custom field was not found."]
