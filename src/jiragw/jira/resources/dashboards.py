"""Dashboards: list and search on both flavors; create, update, copy and delete on Cloud.

Spec tag "Dashboards": ``getAllDashboards`` (both; ``startAt``/``total`` with
the items in ``dashboards``), ``getDashboardsPaginated`` (Cloud's PageBean
``dashboard/search``), ``getDashboard``, and Cloud's ``createDashboard``,
``updateDashboard``, ``copyDashboard`` and ``deleteDashboard``. Data Center's
REST API only reads dashboards: there, :meth:`DashboardsResource.search`
filters the full listing by name, and writes raise :class:`InvalidInput`
before any call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from jiragw.errors import InvalidInput

from ..context import ApiContext
from ..pagination import paginate_offset, paginate_page_bean
from ..urlpath import path
from ._wire import json_object, numeric_id, owner_ref

__all__ = ["Dashboard", "DashboardsResource"]

_SEARCH_EXPAND = "description,owner,viewUrl,favourite,favouritedCount,sharePermissions,editPermissions"


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A dashboard; ``owner`` is the owner's accountId (Cloud) or username (DC) when Jira names one."""

    id: str
    name: str
    description: str = ""
    owner: str | None = None
    favourite: bool = False
    view_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Dashboard:
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            owner=owner_ref(data),
            favourite=bool(data.get("isFavourite", False)),
            view_url=None if data.get("view") is None else str(data["view"]),
            raw=dict(data),
        )


class DashboardsResource:
    """``/rest/api/{v}/dashboard...``."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def all(
        self, which: Literal["my", "favourite"] | None = None, *, page_size: int = 20
    ) -> AsyncIterator[Dashboard]:
        """Every dashboard the caller sees (``which``: only their own, or only favourites)."""
        params = {"filter": which}
        pages = paginate_offset(
            partial(self.ctx.get, "/dashboard"), params, items_key="dashboards", page_size=page_size
        )
        async for item in pages:
            yield Dashboard.from_json(json_object(item))

    async def search(
        self, name: str | None = None, *, owner: str | None = None, page_size: int = 50
    ) -> AsyncIterator[Dashboard]:
        """Dashboards whose name contains ``name`` (and owned by ``owner``: accountId or username)."""
        if self.ctx.cloud:
            params = {"dashboardName": name, "accountId": owner, "expand": _SEARCH_EXPAND}
            pages = paginate_page_bean(
                partial(self.ctx.get, "/dashboard/search"), params, page_size=page_size
            )
            async for item in pages:
                yield Dashboard.from_json(json_object(item))
            return
        # DC has no dashboard search: filter the listing, as Cloud's search matches (substring).
        wanted = (name or "").casefold()
        async for dashboard in self.all(page_size=page_size):
            if wanted in dashboard.name.casefold() and (owner is None or dashboard.owner == owner):
                yield dashboard

    async def get(self, dashboard_id: str | int) -> Dashboard:
        return Dashboard.from_json(json_object(await self.ctx.get(path("/dashboard/{}", _id(dashboard_id)))))

    async def create(
        self,
        name: str,
        *,
        description: str = "",
        share_permissions: Sequence[Mapping[str, Any]] = (),
        edit_permissions: Sequence[Mapping[str, Any]] = (),
    ) -> Dashboard:
        self._cloud_only("create")
        body = _details(name, description, share_permissions, edit_permissions)
        return Dashboard.from_json(json_object(await self.ctx.post("/dashboard", json=body)))

    async def update(
        self,
        dashboard_id: str | int,
        *,
        name: str | None = None,
        description: str | None = None,
        share_permissions: Sequence[Mapping[str, Any]] | None = None,
        edit_permissions: Sequence[Mapping[str, Any]] | None = None,
    ) -> Dashboard:
        """Change the given parts; Jira replaces the whole dashboard, so the rest is read first."""
        self._cloud_only("update")
        current = await self.get(dashboard_id)
        body = _details(
            current.name if name is None else name,
            current.description if description is None else description,
            _perms(current.raw, "sharePermissions") if share_permissions is None else share_permissions,
            _perms(current.raw, "editPermissions") if edit_permissions is None else edit_permissions,
        )
        where = path("/dashboard/{}", _id(dashboard_id))
        return Dashboard.from_json(json_object(await self.ctx.put(where, json=body)))

    async def copy(
        self,
        dashboard_id: str | int,
        name: str,
        *,
        description: str = "",
        share_permissions: Sequence[Mapping[str, Any]] = (),
        edit_permissions: Sequence[Mapping[str, Any]] = (),
    ) -> Dashboard:
        self._cloud_only("copy")
        body = _details(name, description, share_permissions, edit_permissions)
        where = path("/dashboard/{}/copy", _id(dashboard_id))
        return Dashboard.from_json(json_object(await self.ctx.post(where, json=body)))

    async def delete(self, dashboard_id: str | int) -> None:
        self._cloud_only("delete")
        await self.ctx.delete(path("/dashboard/{}", _id(dashboard_id)))

    def _cloud_only(self, what: str) -> None:
        if not self.ctx.cloud:
            raise InvalidInput(f"Jira Data Center's REST API cannot {what} dashboards (Cloud only)")


def _details(
    name: str,
    description: str,
    shares: Sequence[Mapping[str, Any]],
    edits: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A ``DashboardDetails`` body."""
    if not name.strip():
        raise InvalidInput("a dashboard needs a name")
    return {
        "name": name,
        "description": description,
        "sharePermissions": [dict(p) for p in shares],
        "editPermissions": [dict(p) for p in edits],
    }


def _perms(raw: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    return [dict(p) for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def _id(dashboard_id: str | int) -> str:
    return numeric_id(dashboard_id, "dashboard")
