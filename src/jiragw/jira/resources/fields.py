"""Fields: the field list, and custom field name <-> id resolution cached per connection.

Spec operation ``getFields`` (tag "Issue fields"), the same on Cloud and Data
Center. Callers name custom fields the way people do ("Story Points"), Jira
wants ids (``customfield_10016``): :meth:`FieldsResource.resolve` maps a
field name, id or JQL ``cf[N]`` clause to the id, from one field listing kept
in memory for the resource's lifetime (one client, one connection) until
:meth:`FieldsResource.refresh`. An unknown name raises :class:`NotFound`
listing the closest names; a name two fields share raises
:class:`InvalidInput` listing their ids.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jiragw.errors import InvalidInput, NotFound, UpstreamError

from ..context import ApiContext

__all__ = ["Field", "FieldsResource"]

_CF_CLAUSE = re.compile(r"^cf\[(\d+)\]$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Field:
    """A system or custom field."""

    id: str
    name: str
    custom: bool = False
    schema_type: str | None = None
    custom_type: str | None = None  # e.g. "com.atlassian.jira.plugin.system.customfieldtypes:float"
    clause_names: tuple[str, ...] = ()
    searchable: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Field:
        schema = data.get("schema")
        schema = schema if isinstance(schema, dict) else {}
        clauses = data.get("clauseNames")
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or ""),
            custom=bool(data.get("custom", False)),
            schema_type=None if schema.get("type") is None else str(schema["type"]),
            custom_type=None if schema.get("custom") is None else str(schema["custom"]),
            clause_names=tuple(str(c) for c in clauses) if isinstance(clauses, list) else (),
            searchable=bool(data.get("searchable", True)),
            raw=dict(data),
        )


class FieldsResource:
    """``/rest/api/{v}/field`` with a per-connection name <-> id cache."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self._fields: tuple[Field, ...] | None = None
        self._lock = asyncio.Lock()  # concurrent first uses share one listing call

    async def all(self) -> list[Field]:
        """Every field, from the cache once loaded."""
        if self._fields is None:
            async with self._lock:
                if self._fields is None:
                    self._fields = await self._fetch()
        return list(self._fields)

    async def refresh(self) -> list[Field]:
        """Drop the cache and list the fields again (after fields were created or renamed)."""
        async with self._lock:
            self._fields = await self._fetch()
        return list(self._fields)

    def invalidate(self) -> None:
        """Forget the cached listing; the next use lists the fields again."""
        self._fields = None

    async def _fetch(self) -> tuple[Field, ...]:
        body = await self.ctx.get("/field")
        if not isinstance(body, list):
            raise UpstreamError("Jira answered the field list with something other than a list")
        return tuple(Field.from_json(item) for item in body if isinstance(item, dict))

    async def get(self, name_or_id: str) -> Field:
        """The field named ``name_or_id`` (an id, a ``cf[N]`` clause or a name, case-insensitive)."""
        return find_field(await self.all(), name_or_id)

    async def resolve(self, name_or_id: str) -> str:
        """The id of the field ``name_or_id``: ``"Story Points"`` -> ``"customfield_10016"``."""
        return (await self.get(name_or_id)).id

    async def names(self) -> dict[str, str]:
        """Field id -> name, for turning ids in Jira's answers back into names."""
        return {f.id: f.name for f in await self.all()}


def find_field(fields: list[Field] | tuple[Field, ...], name_or_id: str) -> Field:
    """The field ``name_or_id`` names among ``fields`` (pure; the lookup :meth:`resolve` does)."""
    wanted = name_or_id.strip()
    if not wanted:
        raise InvalidInput("a field name or id must not be empty")
    by_id = {f.id: f for f in fields}
    if wanted in by_id:
        return by_id[wanted]
    clause = _CF_CLAUSE.match(wanted)
    if clause and f"customfield_{clause.group(1)}" in by_id:
        return by_id[f"customfield_{clause.group(1)}"]
    low = wanted.casefold()
    named = [f for f in fields if f.name.casefold() == low]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(f.id for f in named)
        raise InvalidInput(
            f"{len(named)} fields are named {wanted!r} ({ids}); name the field by its id",
            details={"field": wanted, "candidates": [f.id for f in named]},
        )
    names = sorted({f.name for f in fields})
    folded = {n.casefold(): n for n in names}
    close = [folded[n] for n in difflib.get_close_matches(low, list(folded), n=5, cutoff=0.6)]
    close += [n for n in names if low in n.casefold() and n not in close][: max(0, 5 - len(close))]
    hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    raise NotFound(f"no field is named {wanted!r}{hint}", details={"field": wanted, "suggestions": close})
