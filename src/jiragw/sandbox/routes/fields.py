"""Fields: list system and custom fields, search them, create and edit custom fields.

Implements ``getFields``, ``getFieldsPaginated`` (Cloud), ``createCustomField``
and ``updateCustomField``. A new custom field gets the id ``customfield_N``,
N one past the highest custom field number in use; its JSON schema and default
searcher follow from its custom type by :data:`CUSTOM_TYPES`, the table of
Jira's built-in types (the spec's ``CustomFieldDefinitionJsonBean``).
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import Reply, endpoint
from ..http.errors import JiraHttpError, bad_request
from ..rendering.shapes import page_bean
from ..state.model import ADMIN, FieldDef

__all__ = ["CUSTOM_TYPES", "ROUTES", "CustomType"]

_CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
_NAME_MAX = 255


class CustomType:
    """A built-in custom field type: its JSON schema and the searchers valid for it."""

    __slots__ = ("items", "searchers", "type")

    def __init__(self, type_: str, items: str | None, *searchers: str) -> None:
        self.type = type_
        self.items = items
        self.searchers = tuple(_CF + s for s in searchers)  # the first is the default


# Custom type key (after the plugin prefix) -> schema type, item type, valid searchers.
CUSTOM_TYPES: dict[str, CustomType] = {
    "cascadingselect": CustomType("option-with-child", None, "cascadingselectsearcher"),
    "datepicker": CustomType("date", None, "daterange"),
    "datetime": CustomType("datetime", None, "datetimerange"),
    "float": CustomType("number", None, "exactnumber", "numberrange"),
    "grouppicker": CustomType("group", None, "grouppickersearcher"),
    "importid": CustomType("number", None, "exactnumber", "numberrange"),
    "labels": CustomType("array", "string", "labelsearcher"),
    "multicheckboxes": CustomType("array", "option", "multiselectsearcher"),
    "multigrouppicker": CustomType("array", "group", "multiselectsearcher"),
    "multiselect": CustomType("array", "option", "multiselectsearcher"),
    "multiuserpicker": CustomType("array", "user", "userpickergroupsearcher"),
    "multiversion": CustomType("array", "version", "versionsearcher"),
    "project": CustomType("project", None, "projectsearcher"),
    "radiobuttons": CustomType("option", None, "multiselectsearcher"),
    "readonlyfield": CustomType("string", None, "textsearcher"),
    "select": CustomType("option", None, "multiselectsearcher"),
    "textarea": CustomType("string", None, "textsearcher"),
    "textfield": CustomType("string", None, "textsearcher"),
    "url": CustomType("string", None, "exacttextsearcher"),
    "userpicker": CustomType("user", None, "userpickergroupsearcher"),
    "version": CustomType("version", None, "versionsearcher"),
}

_CREATE_ADMIN = "Only Jira administrators can create custom fields."
_EDIT_ADMIN = "Only Jira administrators can edit custom fields."
_BAD_SEARCHER = "searcherKey is invalid for the field type."


def _custom_type(fdef: FieldDef) -> CustomType | None:
    custom = str((fdef.schema or {}).get("custom", ""))
    return CUSTOM_TYPES.get(custom.removeprefix(_CF)) if custom.startswith(_CF) else None


def _render(ctx: Ctx, fdef: FieldDef) -> dict[str, Any]:
    """``FieldDetails`` (Cloud adds ``key``; DC's field list has none)."""
    out: dict[str, Any] = {"id": fdef.id}
    if ctx.cloud:
        out["key"] = fdef.id
    out.update(
        {
            "name": fdef.name,
            "custom": fdef.custom,
            "orderable": fdef.orderable,
            "navigable": fdef.navigable,
            "searchable": fdef.searchable,
            "clauseNames": list(fdef.clause_names),
        }
    )
    if fdef.schema is not None:
        out["schema"] = dict(fdef.schema)
    return out


@endpoint("GET", "/rest/api/{version}/field", "getFields")
async def get_fields(ctx: Ctx) -> list[dict[str, Any]]:
    return [_render(ctx, f) for f in ctx.instance.fields.values()]


def _render_admin(fdef: FieldDef) -> dict[str, Any]:
    """The ``Field`` shape of the paginated field search."""
    out: dict[str, Any] = {
        "id": fdef.id,
        "key": fdef.id,
        "name": fdef.name,
        "schema": dict(fdef.schema or {}),
    }
    if fdef.description:
        out["description"] = fdef.description
    out["isLocked"] = False
    custom_type = _custom_type(fdef)
    if custom_type is not None and fdef.searchable:
        out["searcherKey"] = custom_type.searchers[0]
    return out


@endpoint("GET", "/rest/api/{version}/field/search", "getFieldsPaginated", flavors=("cloud",))
async def get_fields_paginated(ctx: Ctx) -> dict[str, Any]:
    # Fields without a JSON schema (issue key, thumbnail, ...) are not listed here.
    fields = [f for f in ctx.instance.fields.values() if f.schema is not None]
    types = ctx.query_list("type")
    if types is not None:
        fields = [f for f in fields if ("custom" if f.custom else "system") in types]
    ids = ctx.query_list("id")
    if ids is not None:
        fields = [f for f in fields if f.id in ids]
    query = (ctx.query("query") or "").lower()
    if query:
        fields = [f for f in fields if query in f.name.lower() or query in f.description.lower()]
    order = ctx.query("orderBy")
    if order and order.lstrip("+-") == "name":
        fields.sort(key=lambda f: (f.name.lower(), f.id), reverse=order.startswith("-"))
    return page_bean(ctx, [_render_admin(f) for f in fields])


def _next_custom_number(fields: dict[str, FieldDef]) -> int:
    numbers = [f.custom_id for f in fields.values() if f.custom_id is not None]
    return max(numbers, default=10000) + 1


def _searcher(custom_type: CustomType, body: dict[str, Any]) -> str | None:
    key = body.get("searcherKey")
    if key is None:
        return None
    if key not in custom_type.searchers:
        raise bad_request(_BAD_SEARCHER)
    return str(key)


def _require_admin(ctx: Ctx, message: str) -> None:
    if not ctx.user.can(ADMIN):
        raise JiraHttpError(403, [message])


@endpoint("POST", "/rest/api/{version}/field", "createCustomField")
async def create_custom_field(ctx: Ctx) -> Reply:
    _require_admin(ctx, _CREATE_ADMIN)
    body = await ctx.body_object()
    name, type_key = body.get("name"), body.get("type")
    errors: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "The custom field name must not be empty."
    elif len(name) > _NAME_MAX:
        errors["name"] = f"The custom field name must not exceed {_NAME_MAX} characters."
    custom_type = None
    if isinstance(type_key, str) and type_key.startswith(_CF):
        custom_type = CUSTOM_TYPES.get(type_key.removeprefix(_CF))
    if custom_type is None:
        errors["type"] = f"The custom field type '{type_key}' is not valid."
    if errors:
        raise bad_request(**errors)
    assert isinstance(name, str)
    assert custom_type is not None
    searcher = _searcher(custom_type, body)
    number = _next_custom_number(ctx.instance.fields)
    schema: dict[str, Any] = {"type": custom_type.type, "custom": type_key, "customId": number}
    if custom_type.items:
        schema["items"] = custom_type.items
    fdef = FieldDef(
        id=f"customfield_{number}",
        name=name.strip(),
        schema=schema,
        custom=True,
        # Without a searcher Jira cannot search the field (the spec's searcherKey note).
        searchable=searcher is not None,
        clause_names=(f"cf[{number}]", name.strip()),
        description=str(body.get("description") or ""),
    )
    ctx.instance.fields[fdef.id] = fdef
    return Reply(201, _render(ctx, fdef))


@endpoint("PUT", "/rest/api/{version}/field/{fieldId}", "updateCustomField")
async def update_custom_field(ctx: Ctx) -> None:
    _require_admin(ctx, _EDIT_ADMIN)
    fdef = ctx.instance.fields.get(ctx.path("fieldId"))
    if fdef is None or not fdef.custom:
        raise JiraHttpError(404, ["The custom field was not found."])
    body = await ctx.body_object()
    name = body.get("name", fdef.name)
    if not isinstance(name, str) or not name.strip():
        raise bad_request(name="The custom field name must not be empty.")
    if len(name) > _NAME_MAX:
        raise bad_request(name=f"The custom field name must not exceed {_NAME_MAX} characters.")
    searchable = fdef.searchable
    if "searcherKey" in body:
        custom_type = _custom_type(fdef)
        if body["searcherKey"] is not None and custom_type is None:
            raise bad_request(_BAD_SEARCHER)
        searchable = custom_type is not None and _searcher(custom_type, body) is not None
    if name.strip() != fdef.name:
        fdef.name = name.strip()
        number = fdef.custom_id
        fdef.clause_names = (f"cf[{number}]", fdef.name)
    if "description" in body:
        fdef.description = str(body["description"] or "")
    fdef.searchable = searchable


ROUTES = (get_fields, get_fields_paginated, create_custom_field, update_custom_field)
