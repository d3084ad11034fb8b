"""Issues: create (Markdown description, custom fields by name), bulk create, get, edit, delete,
assign, transition, links, watchers and changelog.

Jira REST v3/v2 "Issues", "Issue links", "Issue watchers". Custom fields are
named as users see them ("Story Points") and resolved to their ids
(``customfield_10016``) through :class:`FieldNames`, one ``GET /field`` per
client. Users are accountIds on Cloud and usernames on Data Center.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from jiragw.errors import InvalidInput

from ..context import ApiContext
from ..models import ChangelogEntry, Issue, Transition, User
from ..pagination import paginate_page_bean
from ..urlpath import path
from . import to_jira_text

__all__ = ["FieldNames", "IssuesResource"]

# Fields whose value Jira wants as an object naming an existing entity.
_BY_NAME = frozenset({"resolution", "priority", "issuetype", "status"})

Resolver = Callable[[str], Awaitable[str]]


class FieldNames:
    """Field name → id, from one ``GET /field`` cached for the client's life."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self._ids: dict[str, str] | None = None
        self._by_name: dict[str, str] = {}

    async def _load(self) -> None:
        fields = await self.ctx.get("/field")
        self._ids = {str(f["id"]): str(f["id"]) for f in fields}
        for f in fields:
            self._by_name.setdefault(str(f.get("name", "")).casefold(), str(f["id"]))

    async def resolve(self, name: str) -> str:
        """The id of the field named ``name`` (an id is returned as is); unknown names are refused."""
        if self._ids is None:
            await self._load()
        assert self._ids is not None
        if name in self._ids:
            return name
        found = self._by_name.get(name.casefold())
        if found is None:
            raise InvalidInput(f"Jira has no field named {name!r}", details={"field": name})
        return found


def _value(field_id: str, value: Any) -> Any:
    if field_id in _BY_NAME and isinstance(value, str):
        return {"name": value}
    return value


class IssuesResource:
    def __init__(self, ctx: ApiContext, *, resolve_field: Resolver | None = None) -> None:
        self.ctx = ctx
        self.resolve_field: Resolver = resolve_field or FieldNames(ctx).resolve

    def _user_ref(self, user: str | None) -> dict[str, Any]:
        return {"accountId": user} if self.ctx.cloud else {"name": user}

    async def _fields(self, fields: Mapping[str, Any] | None) -> dict[str, Any]:
        return {
            fid: _value(fid, value)
            for name, value in (fields or {}).items()
            for fid in [await self.resolve_field(name)]
        }

    async def _create_body(
        self,
        project: str,
        summary: str,
        issue_type: str = "Task",
        *,
        description: str | None = None,
        fields: Mapping[str, Any] | None = None,
        assignee: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "project": {"key": project},
            "summary": summary,
            "issuetype": {"id": issue_type} if issue_type.isdigit() else {"name": issue_type},
        }
        if description is not None:
            body["description"] = to_jira_text(self.ctx, description)
        if assignee is not None:
            body["assignee"] = self._user_ref(assignee)
        if labels is not None:
            body["labels"] = list(labels)
        body.update(await self._fields(fields))
        return {"fields": body}

    # -- create, read, edit, delete ------------------------------------------------------

    async def create(
        self,
        project: str,
        summary: str,
        issue_type: str = "Task",
        *,
        description: str | None = None,
        fields: Mapping[str, Any] | None = None,
        assignee: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> Issue:
        """A new issue; ``description`` is Markdown, ``fields`` maps field names (or ids) to values."""
        body = await self._create_body(
            project,
            summary,
            issue_type,
            description=description,
            fields=fields,
            assignee=assignee,
            labels=labels,
        )
        created = await self.ctx.post("/issue", body)
        return await self.get(str(created["key"]))

    async def bulk_create(self, specs: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
        """Create many issues in one call: the new keys, and Jira's per-issue ``errors``.

        Each spec holds the arguments of :meth:`create` (``project``, ``summary``, ``fields``, ...).
        """
        updates = [await self._create_body(**spec) for spec in specs]
        answer = await self.ctx.post("/issue/bulk", {"issueUpdates": updates})
        keys = [str(i["key"]) for i in answer.get("issues", [])]
        return keys, list(answer.get("errors", []))

    async def get(
        self, key: str, *, fields: Sequence[str] | None = None, expand: Sequence[str] | None = None
    ) -> Issue:
        params = {
            "fields": ",".join(fields) if fields else None,
            "expand": ",".join(expand) if expand else None,
        }
        return Issue.from_json(await self.ctx.get(path("/issue/{}", key), params))

    async def edit(
        self,
        key: str,
        *,
        summary: str | None = None,
        description: str | None = None,
        fields: Mapping[str, Any] | None = None,
        update: Mapping[str, Any] | None = None,
        notify: bool = True,
    ) -> None:
        """Set fields (``fields`` by name, ``description`` as Markdown) and apply ``update`` operations."""
        body_fields = await self._fields(fields)
        if summary is not None:
            body_fields["summary"] = summary
        if description is not None:
            body_fields["description"] = to_jira_text(self.ctx, description)
        body: dict[str, Any] = {"fields": body_fields}
        if update:
            body["update"] = dict(update)
        await self.ctx.put(path("/issue/{}", key), body, {"notifyUsers": None if notify else False})

    async def delete(self, key: str, *, delete_subtasks: bool = False) -> None:
        await self.ctx.delete(path("/issue/{}", key), {"deleteSubtasks": delete_subtasks})

    async def assign(self, key: str, user: str | None) -> None:
        """Assign to ``user`` (accountId on Cloud, username on DC); ``None`` unassigns."""
        await self.ctx.put(path("/issue/{}/assignee", key), self._user_ref(user))

    # -- workflow ------------------------------------------------------------------------

    async def transitions(self, key: str) -> builtins.list[Transition]:
        body = await self.ctx.get(path("/issue/{}/transitions", key), {"expand": "transitions.fields"})
        return [Transition.from_json(t) for t in body.get("transitions", [])]

    async def transition(
        self,
        key: str,
        to: str,
        *,
        fields: Mapping[str, Any] | None = None,
        comment: str | None = None,
    ) -> Transition:
        """Move the issue by transition id, or to the status (or transition) named ``to``.

        ``fields`` (by name) fill the transition screen, e.g. ``{"Resolution": "Done"}``.
        """
        available = await self.transitions(key)
        wanted = to.casefold()
        chosen = next((t for t in available if t.id == to), None) or next(
            (t for t in available if t.to is not None and t.to.name.casefold() == wanted), None
        )
        chosen = chosen or next((t for t in available if t.name.casefold() == wanted), None)
        if chosen is None:
            names = sorted({t.to.name for t in available if t.to is not None})
            raise InvalidInput(
                f"{key} has no transition to {to!r}", details={"issue": key, "available": names}
            )
        body: dict[str, Any] = {"transition": {"id": chosen.id}}
        if fields:
            body["fields"] = await self._fields(fields)
        if comment is not None:
            body["update"] = {"comment": [{"add": {"body": to_jira_text(self.ctx, comment)}}]}
        await self.ctx.post(path("/issue/{}/transitions", key), body)
        return chosen

    # -- links and watchers --------------------------------------------------------------

    async def link(self, inward: str, outward: str, link_type: str = "Relates") -> None:
        """Link two issues with the link type named ``link_type`` (e.g. "Blocks", "Relates")."""
        body = {"type": {"name": link_type}, "inwardIssue": {"key": inward}, "outwardIssue": {"key": outward}}
        await self.ctx.post("/issueLink", body)

    async def links(self, key: str) -> builtins.list[dict[str, Any]]:
        issue = await self.get(key, fields=["issuelinks"])
        return list(issue.fields.get("issuelinks") or [])

    async def unlink(self, link_id: str) -> None:
        await self.ctx.delete(path("/issueLink/{}", link_id))

    async def link_types(self) -> builtins.list[dict[str, Any]]:
        return list((await self.ctx.get("/issueLinkType")).get("issueLinkTypes", []))

    async def watchers(self, key: str) -> builtins.list[User]:
        body = await self.ctx.get(path("/issue/{}/watchers", key))
        return [User.from_json(u) for u in body.get("watchers", [])]

    async def add_watcher(self, key: str, user: str | None = None) -> None:
        """Add ``user`` (accountId on Cloud, username on DC; the caller when ``None``)."""
        await self.ctx.post(path("/issue/{}/watchers", key), user)

    async def remove_watcher(self, key: str, user: str) -> None:
        await self.ctx.delete(
            path("/issue/{}/watchers", key), {("accountId" if self.ctx.cloud else "username"): user}
        )

    # -- history -------------------------------------------------------------------------

    async def changelog(self, key: str, *, page_size: int = 100) -> AsyncIterator[ChangelogEntry]:
        """Every history entry, oldest first: paged on Cloud, ``expand=changelog`` on DC."""
        if self.ctx.cloud:
            fetch = lambda p: self.ctx.get(path("/issue/{}/changelog", key), p)  # noqa: E731
            async for item in paginate_page_bean(fetch, {}, page_size=page_size):
                yield ChangelogEntry.from_json(item)
            return
        body = await self.ctx.get(path("/issue/{}", key), {"expand": "changelog", "fields": "summary"})
        for item in (body.get("changelog") or {}).get("histories", []):
            yield ChangelogEntry.from_json(item)
