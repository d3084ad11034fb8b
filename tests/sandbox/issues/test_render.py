"""FieldSelection parsing and the issue bean's field rules (through the app)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.issues.render import FieldSelection
from tests.sandbox.routes.test_issues import CLOUD, DC, create, pkey

Auth = Callable[[str, str], dict[str, str]]


@pytest.mark.parametrize(
    ("values", "default", "wanted", "unwanted", "only_ids"),
    [
        (None, "*all", ["summary", "comment"], [], False),
        (None, "*navigable", ["summary"], ["comment"], False),
        (["-description"], "*all", ["summary", "comment"], ["description"], False),
        (["*all", "-comment"], "*navigable", ["summary"], ["comment"], False),
        (["summary", "comment"], "*all", ["summary", "comment"], ["description"], False),
        (["key"], "*all", [], ["summary"], True),
        (["id,key"], "*navigable", [], ["summary"], True),
    ],
)
def test_field_selection(
    values: list[str] | None, default: str, wanted: list[str], unwanted: list[str], only_ids: bool
) -> None:
    sel = FieldSelection.parse(values and [p for v in values for p in v.split(",")], default=default)
    navigable = {"comment": False}
    for fid in wanted:
        assert sel.wants(fid, navigable.get(fid, True))
    for fid in unwanted:
        assert not sel.wants(fid, navigable.get(fid, True))
    assert sel.only_ids is only_ids


async def test_rich_text_custom_field_per_version(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    admin = as_user("corp", "admin")
    made = await create(client, admin, DC, pkey(sandbox, "corp"), customfield_10020="* crit one")
    f = (
        await client.get(f"{DC}/issue/{made['key']}", params={"fields": "customfield_10020"}, headers=admin)
    ).json()
    assert f["fields"] == {"customfield_10020": "* crit one"}
    alice = as_user("acme", "alice")
    doc = {"type": "doc", "version": 1, "content": [{"type": "rule"}]}
    made = await create(client, alice, CLOUD, pkey(sandbox), customfield_10020=doc)
    r = await client.get(
        f"/sites/acme/rest/api/2/issue/{made['key']}", params={"fields": "customfield_10020"}, headers=alice
    )
    assert r.json()["fields"] == {"customfield_10020": "----"}


async def test_compact_bean_shape(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    data = (
        await client.get(f"{CLOUD}/issue/{made['key']}", params={"fields": "summary"}, headers=alice)
    ).json()
    assert data == {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": made["id"],
        "self": made["self"],
        "key": made["key"],
        "fields": {"summary": "New one"},
    }
