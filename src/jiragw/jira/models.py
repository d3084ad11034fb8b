"""Typed entities of the Jira SDK: frozen dataclasses over Jira's JSON (issue 4, "Resources").

Each model names the fields callers use most and keeps the whole JSON object
in ``raw``, so nothing Jira sent is lost (custom fields, expansions, fields a
newer Jira adds). ``from_json`` constructors accept both Cloud (REST v3) and
Data Center (REST v2) shapes: rich text stays as Jira sent it (ADF on v3, a
wiki string on v2); the resources convert it to Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ChangelogEntry",
    "Comment",
    "Component",
    "Issue",
    "IssueType",
    "Project",
    "Status",
    "Transition",
    "User",
    "Version",
]

Json = dict[str, Any]


def _str(data: Json, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _opt(data: Json, key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _obj(data: Json, key: str) -> Json | None:
    value = data.get(key)
    return value if isinstance(value, dict) else None


@dataclass(frozen=True, slots=True)
class User:
    """A Jira user: ``account_id`` on Cloud, ``name``/``key`` on Data Center."""

    display_name: str
    account_id: str | None = None
    name: str | None = None
    email: str | None = None
    active: bool = True
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> User:
        return cls(
            display_name=_str(data, "displayName"),
            account_id=_opt(data, "accountId"),
            name=_opt(data, "name"),
            email=_opt(data, "emailAddress"),
            active=bool(data.get("active", True)),
            raw=data,
        )

    @property
    def ref(self) -> str:
        """How Jira refers to this user: the accountId on Cloud, the username on DC."""
        return self.account_id or self.name or ""


def _user(data: Json, key: str) -> User | None:
    obj = _obj(data, key)
    return None if obj is None else User.from_json(obj)


@dataclass(frozen=True, slots=True)
class IssueType:
    id: str
    name: str
    subtask: bool = False
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> IssueType:
        return cls(id=_str(data, "id"), name=_str(data, "name"), subtask=bool(data.get("subtask")), raw=data)


@dataclass(frozen=True, slots=True)
class Status:
    id: str
    name: str
    category: str | None = None  # statusCategory.key: new, indeterminate, done
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Status:
        cat = _obj(data, "statusCategory")
        return cls(
            id=_str(data, "id"), name=_str(data, "name"), category=_opt(cat, "key") if cat else None, raw=data
        )


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    key: str
    name: str
    project_type: str | None = None
    lead: User | None = None
    issue_types: tuple[IssueType, ...] = ()
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Project:
        types = data.get("issueTypes")
        return cls(
            id=_str(data, "id"),
            key=_str(data, "key"),
            name=_str(data, "name"),
            project_type=_opt(data, "projectTypeKey"),
            lead=_user(data, "lead"),
            issue_types=tuple(IssueType.from_json(t) for t in types) if isinstance(types, list) else (),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    name: str
    project: str | None = None  # the project key
    description: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Component:
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            project=_opt(data, "project"),
            description=_opt(data, "description"),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    name: str
    released: bool = False
    archived: bool = False
    release_date: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Version:
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            released=bool(data.get("released")),
            archived=bool(data.get("archived")),
            release_date=_opt(data, "releaseDate"),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue; ``fields`` is Jira's ``fields`` object as sent (custom fields by id)."""

    id: str
    key: str
    summary: str = ""
    status: Status | None = None
    issue_type: IssueType | None = None
    project_key: str | None = None
    assignee: User | None = None
    reporter: User | None = None
    description: Any = None  # ADF (v3) or a wiki string (v2), as Jira sent it
    labels: tuple[str, ...] = ()
    fields: Json = field(default_factory=dict, repr=False, compare=False)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Issue:
        f = _obj(data, "fields") or {}
        status, itype, project = _obj(f, "status"), _obj(f, "issuetype"), _obj(f, "project")
        labels = f.get("labels")
        return cls(
            id=_str(data, "id"),
            key=_str(data, "key"),
            summary=_str(f, "summary"),
            status=Status.from_json(status) if status else None,
            issue_type=IssueType.from_json(itype) if itype else None,
            project_key=_opt(project, "key") if project else None,
            assignee=_user(f, "assignee"),
            reporter=_user(f, "reporter"),
            description=f.get("description"),
            labels=tuple(str(x) for x in labels) if isinstance(labels, list) else (),
            fields=f,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment; ``body`` is Markdown (converted from ADF or wiki), ``raw`` keeps Jira's body."""

    id: str
    body: str
    author: User | None = None
    created: str | None = None
    updated: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json, body: str | None = None) -> Comment:
        value = data.get("body")
        return cls(
            id=_str(data, "id"),
            body=body if body is not None else (value if isinstance(value, str) else ""),
            author=_user(data, "author"),
            created=_opt(data, "created"),
            updated=_opt(data, "updated"),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Transition:
    id: str
    name: str
    to: Status | None = None
    fields: Json = field(default_factory=dict, repr=False, compare=False)  # with expand=transitions.fields
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Transition:
        to = _obj(data, "to")
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            to=Status.from_json(to) if to else None,
            fields=_obj(data, "fields") or {},
            raw=data,
        )

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.fields.items() if isinstance(v, dict) and v.get("required"))


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    """One history entry: who changed what when; ``items`` as Jira lists them."""

    id: str
    author: User | None
    created: str | None
    items: tuple[Json, ...] = ()
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> ChangelogEntry:
        items = data.get("items")
        return cls(
            id=_str(data, "id"),
            author=_user(data, "author"),
            created=_opt(data, "created"),
            items=tuple(i for i in items if isinstance(i, dict)) if isinstance(items, list) else (),
            raw=data,
        )
