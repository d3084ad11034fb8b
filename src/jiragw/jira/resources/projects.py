"""Projects and their metadata: CRUD, issue types, create-fields, statuses, components, versions.

Jira REST v3/v2 "Projects", "Project components", "Project versions",
"Issues" (``createmeta``). Listing uses the paged ``project/search`` on Cloud
(PageBean) and the unpaged ``project`` on Data Center.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..context import ApiContext
from ..models import Component, IssueType, Project, Status, Version
from ..pagination import paginate_offset, paginate_page_bean
from ..urlpath import path

__all__ = ["ProjectsResource"]


class ProjectsResource:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    # -- projects ------------------------------------------------------------------------

    async def list(self) -> builtins.list[Project]:
        """Every project the caller can browse."""
        return [p async for p in self.search()]

    async def search(self, query: str | None = None, *, page_size: int = 50) -> AsyncIterator[Project]:
        """Projects whose key or name contains ``query`` (all of them without one)."""
        if self.ctx.cloud:
            fetch = lambda p: self.ctx.get("/project/search", p)  # noqa: E731
            async for item in paginate_page_bean(fetch, {"query": query}, page_size=page_size):
                yield Project.from_json(item)
            return
        needle = (query or "").lower()
        for item in await self.ctx.get("/project"):
            if needle in str(item.get("key", "")).lower() or needle in str(item.get("name", "")).lower():
                yield Project.from_json(item)

    async def get(self, key: str, *, expand: str | None = None) -> Project:
        return Project.from_json(await self.ctx.get(path("/project/{}", key), {"expand": expand}))

    async def create(
        self,
        key: str,
        name: str,
        *,
        lead: str,
        project_type: str = "software",
        description: str | None = None,
        **extra: Any,
    ) -> Project:
        """A new project; ``lead`` is an accountId on Cloud, a username on DC."""
        body: dict[str, Any] = {"key": key, "name": name, "projectTypeKey": project_type, **extra}
        body["leadAccountId" if self.ctx.cloud else "lead"] = lead
        if description is not None:
            body["description"] = description
        created = await self.ctx.post("/project", body)
        return await self.get(str(created["key"]))

    async def update(self, key: str, **changes: Any) -> Project:
        """Change a project with Jira's field names (``name``, ``description``, ``key``, ...)."""
        return Project.from_json(await self.ctx.put(path("/project/{}", key), changes))

    async def delete(self, key: str) -> None:
        await self.ctx.delete(path("/project/{}", key))

    # -- metadata ------------------------------------------------------------------------

    async def issue_types(self, key: str) -> builtins.list[IssueType]:
        project = await self.get(key)
        return list(project.issue_types)

    async def statuses(self, key: str) -> dict[str, builtins.list[Status]]:
        """The statuses of each issue type of the project, by issue type name."""
        body = await self.ctx.get(path("/project/{}/statuses", key))
        return {
            str(t.get("name")): [Status.from_json(s) for s in t.get("statuses", [])]
            for t in body
            if isinstance(t, dict)
        }

    async def create_fields(self, key: str, issue_type: str) -> dict[str, dict[str, Any]]:
        """The fields of the create screen for ``issue_type`` (name or id), by field id."""
        if self.ctx.cloud:
            meta = await self.ctx.get(
                "/issue/createmeta",
                {"projectKeys": key, "expand": "projects.issuetypes.fields"},
            )
            for project in meta.get("projects", []):
                for itype in project.get("issuetypes", []):
                    if issue_type in (itype.get("name"), itype.get("id")):
                        return dict(itype.get("fields", {}))
            return {}
        type_id = issue_type
        if not issue_type.isdigit():
            match = [t for t in await self.issue_types(key) if t.name == issue_type]
            type_id = match[0].id if match else issue_type
        fetch = lambda p: self.ctx.get(path("/issue/createmeta/{}/issuetypes/{}", key, type_id), p)  # noqa: E731
        return {str(f["fieldId"]): f async for f in paginate_offset(fetch, {}, items_key="values")}

    # -- components ----------------------------------------------------------------------

    async def components(self, key: str) -> builtins.list[Component]:
        return [Component.from_json(c) for c in await self.ctx.get(path("/project/{}/components", key))]

    async def create_component(self, key: str, name: str, **extra: Any) -> Component:
        body = {"project": key, "name": name, **extra}
        return Component.from_json(await self.ctx.post("/component", body))

    async def update_component(self, component_id: str, **changes: Any) -> Component:
        return Component.from_json(await self.ctx.put(path("/component/{}", component_id), changes))

    async def delete_component(self, component_id: str) -> None:
        await self.ctx.delete(path("/component/{}", component_id))

    # -- versions ------------------------------------------------------------------------

    async def versions(self, key: str) -> builtins.list[Version]:
        return [Version.from_json(v) for v in await self.ctx.get(path("/project/{}/versions", key))]

    async def create_version(self, key: str, name: str, **extra: Any) -> Version:
        project = await self.get(key)
        body: Mapping[str, Any] = {"projectId": int(project.id), "name": name, **extra}
        return Version.from_json(await self.ctx.post("/version", body))

    async def update_version(self, version_id: str, **changes: Any) -> Version:
        return Version.from_json(await self.ctx.put(path("/version/{}", version_id), changes))

    async def delete_version(self, version_id: str) -> None:
        await self.ctx.delete(path("/version/{}", version_id))
