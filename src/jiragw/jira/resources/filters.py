"""Saved filters: create, read, update, delete, favourites, and running a filter's JQL.

Spec tag "Filters": ``createFilter``, ``getFilter``, ``updateFilter``,
``deleteFilter``, ``getFavouriteFilters``, ``getMyFilters`` and
``getFiltersPaginated`` (Cloud), ``setFavouriteForFilter`` /
``deleteFavouriteForFilter`` (Cloud; Data Center sets ``favourite`` through
``updateFilter``). :meth:`FiltersResource.run` searches with the filter's JQL:
Cloud's enhanced search ``/search/jql`` (``nextPageToken``), Data Center's
classic ``/search`` (``startAt``/``total``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from jiragw.errors import InvalidInput, UpstreamError

from ..context import ApiContext
from ..pagination import paginate_offset, paginate_page_bean, paginate_token
from ..urlpath import path
from ._wire import json_object, numeric_id, owner_ref

__all__ = ["Filter", "FiltersResource"]


@dataclass(frozen=True, slots=True)
class Filter:
    """A saved filter; ``owner`` is the owner's accountId (Cloud) or username (DC)."""

    id: str
    name: str
    jql: str = ""
    description: str = ""
    owner: str | None = None
    favourite: bool = False
    view_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Filter:
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or ""),
            jql=str(data.get("jql") or ""),
            description=str(data.get("description") or ""),
            owner=owner_ref(data),
            favourite=bool(data.get("favourite", False)),
            view_url=None if data.get("viewUrl") is None else str(data["viewUrl"]),
            raw=dict(data),
        )


def filter_body(
    *,
    name: str | None = None,
    jql: str | None = None,
    description: str | None = None,
    favourite: bool | None = None,
    share_permissions: Sequence[Mapping[str, Any]] | None = None,
    edit_permissions: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON body of a create/update call, with only the given parts."""
    parts: dict[str, Any] = {
        "name": name,
        "jql": jql,
        "description": description,
        "favourite": favourite,
        "sharePermissions": None if share_permissions is None else [dict(p) for p in share_permissions],
        "editPermissions": None if edit_permissions is None else [dict(p) for p in edit_permissions],
    }
    return {key: value for key, value in parts.items() if value is not None}


class FiltersResource:
    """``/rest/api/{v}/filter...``, and ``run`` over the search APIs."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def get(self, filter_id: str | int) -> Filter:
        return Filter.from_json(json_object(await self.ctx.get(path("/filter/{}", _id(filter_id)))))

    async def create(
        self,
        name: str,
        jql: str,
        *,
        description: str | None = None,
        favourite: bool | None = None,
        share_permissions: Sequence[Mapping[str, Any]] | None = None,
        edit_permissions: Sequence[Mapping[str, Any]] | None = None,
    ) -> Filter:
        if not name.strip():
            raise InvalidInput("a filter needs a name")
        body = filter_body(
            name=name,
            jql=jql,
            description=description,
            favourite=favourite,
            share_permissions=share_permissions,
            edit_permissions=edit_permissions,
        )
        return Filter.from_json(json_object(await self.ctx.post("/filter", json=body)))

    async def update(
        self,
        filter_id: str | int,
        *,
        name: str | None = None,
        jql: str | None = None,
        description: str | None = None,
        favourite: bool | None = None,
        share_permissions: Sequence[Mapping[str, Any]] | None = None,
        edit_permissions: Sequence[Mapping[str, Any]] | None = None,
    ) -> Filter:
        """Change the given parts; Jira wants the name on every update, so it is read when not given."""
        if name is None:
            name = (await self.get(filter_id)).name
        body = filter_body(
            name=name,
            jql=jql,
            description=description,
            favourite=favourite,
            share_permissions=share_permissions,
            edit_permissions=edit_permissions,
        )
        answer = await self.ctx.put(path("/filter/{}", _id(filter_id)), json=body)
        return Filter.from_json(json_object(answer))

    async def delete(self, filter_id: str | int) -> None:
        await self.ctx.delete(path("/filter/{}", _id(filter_id)))

    async def favourites(self) -> list[Filter]:
        """The caller's favourite filters."""
        return [Filter.from_json(item) for item in _list(await self.ctx.get("/filter/favourite"))]

    async def set_favourite(self, filter_id: str | int, favourite: bool = True) -> Filter:
        """Add the filter to (or remove it from) the caller's favourites."""
        where = path("/filter/{}/favourite", _id(filter_id))
        if not self.ctx.cloud:  # DC has no favourite resource; updateFilter carries the flag
            return await self.update(filter_id, favourite=favourite)
        if favourite:
            body = await self.ctx.put(where)
        else:
            body = await self.ctx.delete(where)
        return Filter.from_json(json_object(body))

    async def mine(self, *, include_favourites: bool = False) -> list[Filter]:
        """The caller's own filters (Cloud only: Data Center has no such listing)."""
        if not self.ctx.cloud:
            raise InvalidInput("Jira Data Center does not list a user's own filters; list favourites instead")
        body = await self.ctx.get("/filter/my", {"includeFavourites": include_favourites})
        return [Filter.from_json(item) for item in _list(body)]

    async def search(
        self, name: str | None = None, *, owner: str | None = None, page_size: int = 50
    ) -> AsyncIterator[Filter]:
        """Every visible filter whose name contains ``name`` (Cloud's paged filter search)."""
        if not self.ctx.cloud:
            raise InvalidInput("Jira Data Center has no filter search; list favourites or get a filter by id")
        params = {
            "filterName": name,
            "accountId": owner,
            "expand": "description,favourite,jql,owner,viewUrl",
        }
        async for item in paginate_page_bean(
            partial(self.ctx.get, "/filter/search"), params, page_size=page_size
        ):
            yield Filter.from_json(json_object(item))

    async def run(
        self,
        filter_ref: Filter | str | int,
        *,
        fields: Sequence[str] | None = None,
        page_size: int = 100,
        order_by: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every issue the filter's JQL finds, as Jira's JSON.

        ``fields`` are the fields to return; by default the navigable ones on both
        flavors (Cloud's enhanced search would otherwise return ids only).
        """
        flt = filter_ref if isinstance(filter_ref, Filter) else await self.get(filter_ref)
        jql = flt.jql
        if order_by:
            jql = f"{jql} ORDER BY {order_by}" if jql.strip() else f"ORDER BY {order_by}"
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields or ("*navigable",))}
        if self.ctx.cloud:
            pages = paginate_token(partial(self.ctx.get, "/search/jql"), params, page_size=page_size)
        else:
            pages = paginate_offset(partial(self.ctx.get, "/search"), params, page_size=page_size)
        async for issue in pages:
            yield json_object(issue)


def _list(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise UpstreamError("Jira answered with something other than a JSON list")
    return [json_object(item) for item in body]


def _id(filter_id: str | int) -> str:
    return numeric_id(filter_id, "filter")
