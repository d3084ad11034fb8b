"""The sandbox's in-memory data model: one :class:`Instance` per emulated Jira.

An instance is either a Cloud site (served under ``/sites/{name}``, REST v3
and v2) or a Data Center instance (``/dc/{name}``, REST v2). Entities are
plain slotted dataclasses keyed by integer ids; the JSON shapes Jira answers
with are produced by :mod:`jiragw.sandbox.rendering.shapes`, never stored.

Rich text (descriptions, comment bodies, text custom fields) is kept in the
format it was written in (:class:`RichText`), so a v2 client reading back a
wiki string gets exactly what it wrote, and a v3 client its ADF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import orjson

__all__ = [
    "ADMIN",
    "ALL_PERMISSIONS",
    "BROWSE",
    "COMMENT",
    "CREATE",
    "DELETE",
    "EDIT",
    "SPRINT_FIELD_TYPE",
    "TRANSITION",
    "Board",
    "BoardType",
    "ChangeHistory",
    "ChangeItem",
    "Comment",
    "Component",
    "Dashboard",
    "FieldDef",
    "Filter",
    "Instance",
    "Issue",
    "IssueLink",
    "IssueLinkType",
    "IssueType",
    "Kind",
    "Priority",
    "Project",
    "Resolution",
    "RichText",
    "Sprint",
    "SprintState",
    "StatusDef",
    "Transition",
    "User",
    "Version",
    "Workflow",
]

Kind = Literal["cloud", "dc"]

# Permissions a sandbox user may hold (global, across all projects). Named
# after Jira's project permission keys so 403s read like Jira's.
BROWSE = "BROWSE_PROJECTS"
CREATE = "CREATE_ISSUES"
EDIT = "EDIT_ISSUES"
TRANSITION = "TRANSITION_ISSUES"
COMMENT = "ADD_COMMENTS"
DELETE = "DELETE_ISSUES"
ADMIN = "ADMINISTER"
ALL_PERMISSIONS = frozenset({BROWSE, CREATE, EDIT, TRANSITION, COMMENT, DELETE, ADMIN})

# Jira Software's sprint custom field type: an issue's value is the list of its sprint ids.
SPRINT_FIELD_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
BoardType = Literal["scrum", "kanban"]
SprintState = Literal["future", "active", "closed"]


@dataclass(slots=True)
class User:
    account_id: str
    email: str
    display_name: str
    username: str  # DC ``name``/``key``; Cloud has no usernames in its API
    api_token: str  # Cloud: Basic email:api_token
    password: str  # DC: Basic username:password
    pat: str  # DC: Bearer PAT
    permissions: frozenset[str] = ALL_PERMISSIONS
    active: bool = True
    time_zone: str = "Europe/London"
    locale: str = "en_US"

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(slots=True, frozen=True)
class RichText:
    """Rich text in the format it was written: ADF (orjson bytes) or a wiki/plain string."""

    adf: bytes | None = None
    wiki: str | None = None

    @classmethod
    def from_adf(cls, doc: dict[str, Any]) -> RichText:
        return cls(adf=orjson.dumps(doc))

    @classmethod
    def from_wiki(cls, text: str) -> RichText:
        return cls(wiki=text)

    def adf_doc(self) -> dict[str, Any] | None:
        """The stored ADF document (``None`` when the text was written as wiki)."""
        if self.adf is None:
            return None
        doc: dict[str, Any] = orjson.loads(self.adf)
        return doc


@dataclass(slots=True)
class StatusDef:
    id: str
    name: str
    category: Literal["new", "indeterminate", "done"]
    description: str = ""


@dataclass(slots=True)
class Priority:
    id: str
    name: str
    color: str
    description: str = ""


@dataclass(slots=True)
class IssueType:
    id: str
    name: str
    description: str
    subtask: bool = False
    hierarchy_level: int = 0


@dataclass(slots=True)
class Resolution:
    id: str
    name: str
    description: str = ""


@dataclass(slots=True)
class Transition:
    """A workflow transition; ``from_status_ids`` empty means "from any status" (global)."""

    id: str
    name: str
    to_status_id: str
    from_status_ids: tuple[str, ...] = ()
    # Fields the transition screen requires (e.g. ``resolution``).
    required_fields: tuple[str, ...] = ()


@dataclass(slots=True)
class Workflow:
    name: str
    initial_status_id: str
    transitions: tuple[Transition, ...]

    def available_from(self, status_id: str) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if (not t.from_status_ids or status_id in t.from_status_ids) and t.to_status_id != status_id
        ]


@dataclass(slots=True)
class FieldDef:
    """A system or custom field. ``schema`` is Jira's JsonTypeBean shape."""

    id: str  # "summary", "customfield_10010"
    name: str
    schema: dict[str, Any] | None
    custom: bool = False
    navigable: bool = True
    orderable: bool = True
    searchable: bool = True
    clause_names: tuple[str, ...] = ()
    description: str = ""

    @property
    def custom_id(self) -> int | None:
        if self.id.startswith("customfield_"):
            return int(self.id.removeprefix("customfield_"))
        return None


@dataclass(slots=True)
class Component:
    id: int
    project_id: int
    name: str
    description: str = ""
    lead: str | None = None


@dataclass(slots=True)
class Version:
    id: int
    project_id: int
    name: str
    description: str = ""
    released: bool = False
    archived: bool = False
    release_date: date | None = None
    start_date: date | None = None


@dataclass(slots=True)
class Project:
    id: int
    key: str
    name: str
    lead: str  # account id
    issue_type_ids: list[str]
    description: str = ""
    project_type_key: str = "software"
    workflow: str = "software"
    assignee_type: str = "UNASSIGNED"
    url: str = ""
    component_ids: list[int] = field(default_factory=list)
    version_ids: list[int] = field(default_factory=list)
    created: datetime | None = None
    issue_counter: int = 0  # last issue number handed out (keys are never reused)


@dataclass(slots=True)
class Comment:
    id: int
    issue_id: int
    author: str
    body: RichText
    created: datetime
    updated: datetime
    update_author: str
    visibility: dict[str, Any] | None = None


@dataclass(slots=True)
class ChangeItem:
    field: str
    field_id: str
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None
    fieldtype: str = "jira"


@dataclass(slots=True)
class ChangeHistory:
    id: int
    author: str
    created: datetime
    items: list[ChangeItem]


@dataclass(slots=True)
class IssueLinkType:
    id: str
    name: str
    inward: str
    outward: str


@dataclass(slots=True)
class IssueLink:
    id: int
    type_id: str
    inward_issue_id: int
    outward_issue_id: int


@dataclass(slots=True)
class Issue:
    id: int
    key: str
    project_id: int
    issue_type_id: str
    summary: str
    status_id: str
    reporter: str | None
    creator: str | None
    created: datetime
    updated: datetime
    description: RichText | None = None
    priority_id: str | None = None
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)
    resolution_id: str | None = None
    resolution_date: datetime | None = None
    status_category_changed: datetime | None = None
    due_date: date | None = None
    environment: RichText | None = None
    component_ids: list[int] = field(default_factory=list)
    fix_version_ids: list[int] = field(default_factory=list)
    version_ids: list[int] = field(default_factory=list)  # affects versions
    parent_id: int | None = None
    # Custom field values keyed by field id ("customfield_10010"); text values
    # of rich-text custom fields are RichText, the rest plain JSON values.
    custom: dict[str, Any] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    changelog: list[ChangeHistory] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    watchers: set[str] = field(default_factory=set)
    link_ids: list[int] = field(default_factory=list)
    # Lower-cased plain text of summary, description, environment and comments
    # for ``text ~``; rebuilt lazily after an edit (None = stale).
    text_cache: str | None = None


@dataclass(slots=True)
class Filter:
    id: int
    name: str
    jql: str
    owner: str
    description: str = ""
    favourited_by: set[str] = field(default_factory=set)
    share_permissions: list[dict[str, Any]] = field(default_factory=list)
    edit_permissions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Dashboard:
    id: int
    name: str
    owner: str
    description: str = ""
    favourited_by: set[str] = field(default_factory=set)
    share_permissions: list[dict[str, Any]] = field(default_factory=list)
    edit_permissions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Board:
    """A Jira Software board: a project's issues as its saved filter selects them."""

    id: int
    name: str
    type: BoardType
    project_id: int
    filter_id: int


@dataclass(slots=True)
class Sprint:
    """A sprint of a scrum board; issues name it in their sprint custom field."""

    id: int
    board_id: int  # the board it was created on (``originBoardId``)
    name: str
    state: SprintState
    goal: str = ""
    created: datetime | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    complete_date: datetime | None = None


@dataclass
class Instance:
    """One emulated Jira: its configuration and all of its data."""

    kind: Kind
    name: str
    cloud_id: str
    title: str = "Jira"
    users: dict[str, User] = field(default_factory=dict)  # by account id
    projects: dict[int, Project] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    components: dict[int, Component] = field(default_factory=dict)
    versions: dict[int, Version] = field(default_factory=dict)
    statuses: dict[str, StatusDef] = field(default_factory=dict)
    priorities: dict[str, Priority] = field(default_factory=dict)
    issue_types: dict[str, IssueType] = field(default_factory=dict)
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)
    fields: dict[str, FieldDef] = field(default_factory=dict)
    link_types: dict[str, IssueLinkType] = field(default_factory=dict)
    links: dict[int, IssueLink] = field(default_factory=dict)
    filters: dict[int, Filter] = field(default_factory=dict)
    dashboards: dict[int, Dashboard] = field(default_factory=dict)
    boards: dict[int, Board] = field(default_factory=dict)
    sprints: dict[int, Sprint] = field(default_factory=dict)
    # Boards and sprints are numbered from 1 by sequences of their own, as in Jira Software.
    board_seq: int = 0
    sprint_seq: int = 0
    default_priority_id: str | None = None
    # Secondary indexes, kept in step by the mutators below.
    project_by_key: dict[str, int] = field(default_factory=dict)
    issue_by_key: dict[str, int] = field(default_factory=dict)
    user_by_email: dict[str, str] = field(default_factory=dict)
    user_by_username: dict[str, str] = field(default_factory=dict)
    # Keys of moved/renamed issues still resolve (Jira keeps old keys).
    old_issue_keys: dict[str, int] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)  # parent id -> subtask ids
    next_id: int = 10000

    # -- ids -------------------------------------------------------------
    def new_id(self) -> int:
        """A fresh numeric id, unique across all entity kinds of this instance."""
        self.next_id += 1
        return self.next_id

    def new_board_id(self) -> int:
        self.board_seq += 1
        return self.board_seq

    def new_sprint_id(self) -> int:
        self.sprint_seq += 1
        return self.sprint_seq

    # -- users -----------------------------------------------------------
    def add_user(self, user: User) -> None:
        self.users[user.account_id] = user
        self.user_by_email[user.email.lower()] = user.account_id
        self.user_by_username[user.username.lower()] = user.account_id

    def find_user(self, ref: str) -> User | None:
        """A user by account id, username (DC ``name``/``key``) or email."""
        if ref in self.users:
            return self.users[ref]
        low = ref.lower()
        acc = self.user_by_username.get(low) or self.user_by_email.get(low)
        return self.users.get(acc) if acc else None

    # -- projects --------------------------------------------------------
    def add_project(self, project: Project) -> None:
        self.projects[project.id] = project
        self.project_by_key[project.key.upper()] = project.id

    def find_project(self, ref: str | int) -> Project | None:
        """A project by id or key (keys are case-insensitive, as in Jira)."""
        ref_s = str(ref)
        if ref_s.isdigit():
            return self.projects.get(int(ref_s))
        pid = self.project_by_key.get(ref_s.upper())
        return self.projects.get(pid) if pid is not None else None

    def remove_project(self, project: Project) -> None:
        for issue_id in [i.id for i in self.issues.values() if i.project_id == project.id]:
            # Removing a parent already removed its subtasks.
            if issue_id in self.issues:
                self.remove_issue(self.issues[issue_id])
        for cid in project.component_ids:
            self.components.pop(cid, None)
        for vid in project.version_ids:
            self.versions.pop(vid, None)
        self.projects.pop(project.id, None)
        self.project_by_key.pop(project.key.upper(), None)

    # -- issues ----------------------------------------------------------
    def add_issue(self, issue: Issue) -> None:
        self.issues[issue.id] = issue
        self.issue_by_key[issue.key.upper()] = issue.id
        if issue.parent_id is not None:
            self.children.setdefault(issue.parent_id, []).append(issue.id)

    def set_parent(self, issue: Issue, parent_id: int | None) -> None:
        """Re-parent ``issue``, keeping the subtask index in step."""
        if issue.id in self.issues and issue.parent_id is not None:
            siblings = self.children.get(issue.parent_id, [])
            if issue.id in siblings:
                siblings.remove(issue.id)
        issue.parent_id = parent_id
        if issue.id in self.issues and parent_id is not None:
            self.children.setdefault(parent_id, []).append(issue.id)

    def children_of(self, issue_id: int) -> list[Issue]:
        """The issues whose parent is ``issue_id`` (subtasks, or an epic's issues), in the order added."""
        return [self.issues[i] for i in self.children.get(issue_id, ()) if i in self.issues]

    def subtasks(self, issue_id: int) -> list[Issue]:
        """The subtask-type children of ``issue_id`` (an epic's stories are children, not subtasks)."""
        return [c for c in self.children_of(issue_id) if self.is_subtask(c)]

    def is_subtask(self, issue: Issue) -> bool:
        issue_type = self.issue_types.get(issue.issue_type_id or "")
        return issue_type is not None and issue_type.subtask

    def find_issue(self, ref: str | int) -> Issue | None:
        """An issue by id or key (case-insensitive; old keys of moved issues too)."""
        ref_s = str(ref)
        if ref_s.isdigit():
            return self.issues.get(int(ref_s))
        up = ref_s.upper()
        iid = self.issue_by_key.get(up)
        if iid is None:
            iid = self.old_issue_keys.get(up)
        return self.issues.get(iid) if iid is not None else None

    def remove_issue(self, issue: Issue) -> None:
        """Remove ``issue`` with its subtasks; its other children (an epic's issues) stay, parentless."""
        for link_id in list(issue.link_ids):
            self.remove_link(link_id)
        for child in self.children_of(issue.id):
            if self.is_subtask(child):
                self.remove_issue(child)
            else:
                child.parent_id = None
        self.children.pop(issue.id, None)
        if issue.parent_id is not None:
            siblings = self.children.get(issue.parent_id, [])
            if issue.id in siblings:
                siblings.remove(issue.id)
        self.issues.pop(issue.id, None)
        self.issue_by_key.pop(issue.key.upper(), None)

    def remove_link(self, link_id: int) -> None:
        link = self.links.pop(link_id, None)
        if link is None:
            return
        for iid in (link.inward_issue_id, link.outward_issue_id):
            other = self.issues.get(iid)
            if other is not None and link_id in other.link_ids:
                other.link_ids.remove(link_id)

    # -- fields ----------------------------------------------------------
    def find_field(self, ref: str) -> FieldDef | None:
        """A field by id, by ``cf[N]``, or by (case-insensitive) name or clause name."""
        if ref in self.fields:
            return self.fields[ref]
        low = ref.lower()
        if low.startswith("cf[") and low.endswith("]"):
            return self.fields.get(f"customfield_{low[3:-1]}")
        for f in self.fields.values():
            if f.name.lower() == low or low in (c.lower() for c in f.clause_names):
                return f
        return None

    def workflow_for(self, issue: Issue) -> Workflow:
        project = self.projects[issue.project_id]
        return self.workflows[project.workflow]
