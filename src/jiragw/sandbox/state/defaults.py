"""Declarative facts every emulated instance starts with.

Statuses, the workflow table driving transitions, priorities, issue types,
resolutions, link types, system fields and the demo users: tables, not
branches. Ids follow Jira's conventions (statuses 1/3/10000.., priorities
1-5, custom fields from 10000).
"""

from __future__ import annotations

from typing import Any

from .model import (
    ADMIN,
    ALL_PERMISSIONS,
    BROWSE,
    COMMENT,
    CREATE,
    EDIT,
    SPRINT_FIELD_TYPE,
    TRANSITION,
    Dashboard,
    FieldDef,
    Instance,
    IssueLinkType,
    IssueType,
    Priority,
    Resolution,
    StatusDef,
    Transition,
    User,
    Workflow,
)

__all__ = [
    "DEMO_USERS",
    "SPRINT_FIELD_ID",
    "SYSTEM_DASHBOARD_ID",
    "SYSTEM_DASHBOARD_OWNER",
    "ensure_default_dashboard",
    "install_defaults",
]

STATUSES = (
    StatusDef("10000", "To Do", "new"),
    StatusDef("3", "In Progress", "indeterminate"),
    StatusDef("10001", "In Review", "indeterminate"),
    StatusDef("10002", "Done", "done"),
)

# The software workflow: global "To Do"/"Done" style transitions plus a review step.
# Transition ids are stable (Jira numbers them 11, 21, 31, ...).
WORKFLOWS = (
    Workflow(
        name="software",
        initial_status_id="10000",
        transitions=(
            Transition("11", "To Do", "10000"),
            Transition("21", "In Progress", "3"),
            Transition("31", "In Review", "10001", from_status_ids=("3",)),
            Transition("41", "Done", "10002"),
        ),
    ),
)

PRIORITIES = (
    Priority("1", "Highest", "#d04437"),
    Priority("2", "High", "#f15C75"),
    Priority("3", "Medium", "#f79232"),
    Priority("4", "Low", "#707070"),
    Priority("5", "Lowest", "#999999"),
)
DEFAULT_PRIORITY = "3"

ISSUE_TYPES = (
    IssueType("10001", "Task", "A small, distinct piece of work."),
    IssueType("10002", "Bug", "A problem or error."),
    IssueType("10003", "Story", "A user story."),
    IssueType("10004", "Epic", "A big user story that needs to be broken down.", hierarchy_level=1),
    IssueType("10005", "Subtask", "A small piece of work that's part of a larger task.", True, -1),
)

RESOLUTIONS = (
    Resolution("10000", "Done", "Work has been completed on this issue."),
    Resolution("10001", "Won't Do", "This issue won't be actioned."),
    Resolution("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
    Resolution("10003", "Cannot Reproduce", "All attempts at reproducing this issue failed."),
)

LINK_TYPES = (
    IssueLinkType("10000", "Blocks", "is blocked by", "blocks"),
    IssueLinkType("10001", "Cloners", "is cloned by", "clones"),
    IssueLinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    IssueLinkType("10003", "Relates", "relates to", "relates to"),
)


def _schema(type_: str, system: str | None = None, items: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_}
    if items:
        schema["items"] = items
    if system:
        schema["system"] = system
    return schema


# (id, name, schema, orderable, clause names)
SYSTEM_FIELDS: tuple[tuple[str, str, dict[str, Any] | None, bool, tuple[str, ...]], ...] = (
    ("summary", "Summary", _schema("string", "summary"), True, ("summary",)),
    ("description", "Description", _schema("string", "description"), True, ("description",)),
    ("environment", "Environment", _schema("string", "environment"), True, ("environment",)),
    ("project", "Project", _schema("project", "project"), False, ("project",)),
    ("issuetype", "Issue Type", _schema("issuetype", "issuetype"), True, ("issuetype", "type")),
    ("status", "Status", _schema("status", "status"), False, ("status",)),
    ("statusCategory", "Status Category", None, False, ("statusCategory",)),
    ("priority", "Priority", _schema("priority", "priority"), True, ("priority",)),
    ("assignee", "Assignee", _schema("user", "assignee"), True, ("assignee",)),
    ("reporter", "Reporter", _schema("user", "reporter"), True, ("reporter",)),
    ("creator", "Creator", _schema("user", "creator"), False, ("creator",)),
    ("labels", "Labels", _schema("array", "labels", "string"), True, ("labels",)),
    ("created", "Created", _schema("datetime", "created"), False, ("created", "createdDate")),
    ("updated", "Updated", _schema("datetime", "updated"), False, ("updated", "updatedDate")),
    ("resolution", "Resolution", _schema("resolution", "resolution"), True, ("resolution",)),
    (
        "resolutiondate",
        "Resolved",
        _schema("datetime", "resolutiondate"),
        False,
        ("resolved", "resolutiondate"),
    ),
    ("duedate", "Due date", _schema("date", "duedate"), True, ("due", "duedate")),
    ("components", "Components", _schema("array", "components", "component"), True, ("component",)),
    ("fixVersions", "Fix versions", _schema("array", "fixVersions", "version"), True, ("fixVersion",)),
    ("versions", "Affects versions", _schema("array", "versions", "version"), True, ("affectedVersion",)),
    ("comment", "Comment", _schema("comments-page", "comment"), True, ("comment",)),
    ("issuelinks", "Linked Issues", _schema("array", "issuelinks", "issuelinks"), True, ("issueLink",)),
    ("parent", "Parent", None, True, ("parent",)),
    ("watches", "Watchers", _schema("watches", "watches"), False, ("watchers",)),
    (
        "statuscategorychangedate",
        "Status Category Changed",
        _schema("datetime", "statuscategorychangedate"),
        False,
        ("statusCategoryChangedDate",),
    ),
    ("issuekey", "Key", None, False, ("id", "issue", "issuekey", "key")),
    ("thumbnail", "Images", None, False, ()),
)

_CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
SPRINT_FIELD_ID = 10021
# Custom fields every instance starts with: (id number, name, schema type, items, custom type).
CUSTOM_FIELDS = (
    (10016, "Story Points", "number", None, _CF + "float"),
    (10017, "Team", "string", None, _CF + "textfield"),
    (10018, "Customer Impact", "option", None, _CF + "select"),
    (10019, "Start date", "date", None, _CF + "datepicker"),
    (10020, "Acceptance Criteria", "string", None, _CF + "textarea"),
    # Jira Software's sprint field (Cloud numbers it 10020; here that id was already taken).
    (SPRINT_FIELD_ID, "Sprint", "array", "json", SPRINT_FIELD_TYPE),
)
CUSTOMER_IMPACT_OPTIONS = ("None", "Low", "Medium", "High", "Critical")
# Options of select custom fields: field number -> ((option id, value), ...). Jira
# numbers options from its own sequence; clients send either the id or the value.
CUSTOM_FIELD_OPTIONS: dict[int, tuple[tuple[str, str], ...]] = {
    10018: tuple((str(10300 + n), name) for n, name in enumerate(CUSTOMER_IMPACT_OPTIONS)),
}


def custom_field(number: int, name: str, type_: str, items: str | None, custom_type: str) -> FieldDef:
    schema: dict[str, Any] = {"type": type_, "custom": custom_type, "customId": number}
    if items:
        schema["items"] = items
    return FieldDef(
        id=f"customfield_{number}",
        name=name,
        schema=schema,
        custom=True,
        clause_names=(f"cf[{number}]", name),
    )


# Demo users: (key, display name, permissions). Credentials derive from the key and
# the sandbox's credential seed in :func:`jiragw.sandbox.seeding.demo_users`.
DEMO_USERS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("admin", "Ada Admin", ALL_PERMISSIONS),
    ("alice", "Alice Anders", ALL_PERMISSIONS - {ADMIN}),
    ("bob", "Bob Brown", frozenset({BROWSE, CREATE, EDIT, TRANSITION, COMMENT})),
    ("carol", "Carol Chen", frozenset({BROWSE, CREATE, EDIT, TRANSITION, COMMENT})),
    ("dave", "Dave Diaz", frozenset({BROWSE, CREATE, EDIT, TRANSITION, COMMENT})),
    ("erin", "Erin Evans", frozenset({BROWSE, CREATE, EDIT, TRANSITION, COMMENT})),
    ("viewer", "Victor Viewer", frozenset({BROWSE})),
    ("outsider", "Olga Outsider", frozenset()),
)

# Every instance's system dashboard: shared with everyone, owned by nobody, not editable.
SYSTEM_DASHBOARD_ID = 10000
SYSTEM_DASHBOARD_OWNER = ""  # owned by nobody
# What each flavor calls its system dashboard.
_SYSTEM_DASHBOARD_NAME = {"cloud": "Default dashboard", "dc": "System Dashboard"}
_GLOBAL_SHARE: dict[str, Any] = {"id": 10000, "type": "global"}


def ensure_default_dashboard(instance: Instance) -> None:
    """Give ``instance`` its system dashboard if it has none yet (it cannot be deleted)."""
    if SYSTEM_DASHBOARD_ID not in instance.dashboards:
        instance.dashboards[SYSTEM_DASHBOARD_ID] = Dashboard(
            id=SYSTEM_DASHBOARD_ID,
            name=_SYSTEM_DASHBOARD_NAME[instance.kind],
            owner=SYSTEM_DASHBOARD_OWNER,
            share_permissions=[dict(_GLOBAL_SHARE)],
        )


def install_defaults(instance: Instance, users: list[User]) -> None:
    """Give ``instance`` Jira's configuration tables and the given users."""
    for s in STATUSES:
        instance.statuses[s.id] = s
    for w in WORKFLOWS:
        instance.workflows[w.name] = w
    for p in PRIORITIES:
        instance.priorities[p.id] = p
    instance.default_priority_id = DEFAULT_PRIORITY
    for t in ISSUE_TYPES:
        instance.issue_types[t.id] = t
    for r in RESOLUTIONS:
        instance.resolutions[r.id] = r
    for lt in LINK_TYPES:
        instance.link_types[lt.id] = lt
    for fid, name, schema, orderable, clauses in SYSTEM_FIELDS:
        instance.fields[fid] = FieldDef(
            id=fid, name=name, schema=schema, orderable=orderable, clause_names=clauses
        )
    for spec in CUSTOM_FIELDS:
        field = custom_field(*spec)
        instance.fields[field.id] = field
    for user in users:
        instance.add_user(user)
    # Field ids and entity ids share one counter; start entity ids past custom fields.
    instance.next_id = max(instance.next_id, 10100)
