"""``search_users`` and ``search_fields`` (Jira "User search", "Issue fields"), and user resolution.

Agents name people the way people do (``Alice``, ``alice@example.com``);
Jira wants an accountId (Cloud) or a username (Data Center).
:func:`resolve_user` finds the one user meant, or says which ones matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.models import User

from ..tool import Call, Op, Result, ToolSpec

__all__ = ["TOOLS", "USER_SEARCH", "resolve_user"]

USER_SEARCH = Op("GET", "/rest/api/3/user/search")
_MAX = 50


def _user_data(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {"name": user.display_name, "id": user.ref, "email": user.email}
    if not user.active:
        data["active"] = False
    return {k: v for k, v in data.items() if v not in (None, "")}


async def resolve_user(call: Call, text: str) -> str:
    """The accountId (Cloud) or username (DC) of the one user ``text`` names."""
    wanted = text.strip()
    found = await call.jira.users.search(wanted, limit=20)
    low = wanted.casefold()
    exact = [
        u
        for u in found
        if low in {(u.account_id or "").casefold(), (u.name or "").casefold(), (u.email or "").casefold()}
        or u.display_name.casefold() == low
    ]
    chosen = exact if exact else found
    if len(chosen) == 1:
        return chosen[0].ref
    if not chosen:
        raise NotFound(f"no user matches {wanted!r}", details={"field": "assignee"})
    names = [f"{u.display_name} ({u.ref})" for u in chosen[:10]]
    raise InvalidInput(
        f"{len(chosen)} users match {wanted!r}: {', '.join(names)}; name one by id or email",
        details={"candidates": names},
    )


async def _users(call: Call, args: Mapping[str, Any]) -> Result:
    limit = int(args.get("limit", 20))
    users = await call.jira.users.search(str(args["query"]), limit=min(max(limit, 1), _MAX))
    data = [_user_data(u) for u in users]
    lines = [" · ".join(str(v) for v in (d.get("name"), d.get("id"), d.get("email")) if v) for d in data]
    text = f"{len(data)} users:\n" + "\n".join(f"- {line}" for line in lines) if data else "No user matches."
    return Result(text, {"users": data})


async def _fields(call: Call, args: Mapping[str, Any]) -> Result:
    query = str(args.get("query") or "").casefold()
    custom_only = bool(args.get("custom_only", False))
    fields = [
        f
        for f in await call.jira.fields.all()
        if (query in f.name.casefold() or query in f.id.casefold()) and (f.custom or not custom_only)
    ]
    shown = fields[:_MAX]
    data = []
    for f in shown:
        item: dict[str, Any] = {"id": f.id, "name": f.name}
        if f.schema_type:
            item["type"] = f.schema_type
        if f.custom:
            item["custom"] = True
        if f.clause_names and f.clause_names[0] not in (f.id, f.name):
            item["jql"] = f.clause_names[0]
        data.append(item)
    lines = [f"- {d['name']} ({d['id']}{', ' + d['type'] if 'type' in d else ''})" for d in data]
    more = f"\n{len(fields) - len(shown)} more match; narrow the query." if len(fields) > len(shown) else ""
    text = (f"{len(fields)} fields:\n" + "\n".join(lines) + more) if data else "No field matches."
    out: dict[str, Any] = {"fields": data}
    if len(fields) > len(shown):
        out["more"] = len(fields) - len(shown)
    return Result(text, out)


TOOLS = (
    ToolSpec(
        name="search_users",
        title="Find users",
        description=(
            "Find users by name or email; answers display name, id (accountId or username) and email."
        ),
        properties={
            "query": {"type": "string", "minLength": 1, "description": "Part of a name or email."},
            "limit": {"type": "integer", "minimum": 1, "maximum": _MAX, "default": 20},
        },
        required=("query",),
        ops=(USER_SEARCH,),
        handler=_users,
    ),
    ToolSpec(
        name="search_fields",
        title="Find fields",
        description=(
            "Find issue fields (system and custom) by part of their name or id: answers name, id and type. "
            "Use the names in other tools' 'fields' arguments and in JQL."
        ),
        properties={
            "query": {"type": "string", "description": "Part of the field name; empty lists all."},
            "custom_only": {"type": "boolean", "default": False},
        },
        ops=(Op("GET", "/rest/api/3/field"),),
        handler=_fields,
    ),
)
