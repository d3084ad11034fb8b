"""The parts recipes are made of: request types, placeholders, and shared setup steps.

A recipe's ``path`` is relative to an instance root, ``{version}`` standing
for the API version under test. ``{placeholders}`` in the path, the query
(keys and values) and the body's strings are filled from the seeded instance
(:data:`PLACEHOLDERS`) and from the JSON answers of the recipe's ``setup``
requests (``{setup0.id}`` is field ``id`` of the first setup answer);
``"{int:name}"`` alone in a string becomes an integer, and ``{seq}`` a fresh
number (for names that must be unique). A ``body_v2`` replaces ``body`` for
REST v2, where rich text is a wiki string rather than an ADF document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jiragw.sandbox.state.model import Instance

__all__ = [
    "ADD_COMMENT",
    "ADD_LINK",
    "CLOUD",
    "DC",
    "ISSUE",
    "NEW_COMPONENT",
    "NEW_DASHBOARD",
    "NEW_FIELD",
    "NEW_FILTER",
    "NEW_ISSUE",
    "NEW_ISSUE_V2",
    "NEW_VERSION",
    "PLACEHOLDERS",
    "SET_PROPERTY",
    "ErrorRecipe",
    "Recipe",
    "Step",
    "V",
    "adf",
]


@dataclass(frozen=True)
class Step:
    """A request made before the recipe's own (to create what it reads or deletes)."""

    method: str
    path: str
    body: Any = None
    body_v2: Any = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipe:
    operation: str
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    body_v2: Any = None
    setup: tuple[Step, ...] = ()
    user: str = "admin"
    # Only for these targets ("cloud-v3", "cloud-v2", "dc-v2"); empty = all the endpoint serves.
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ErrorRecipe:
    """A request that must fail with Jira's ErrorCollection body."""

    name: str
    operation: str
    method: str
    path: str
    status: int
    user: str | None = "admin"  # None: anonymous
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    targets: tuple[str, ...] = ()
    setup: tuple[Step, ...] = ()
    body_v2: Any = None


def _first_issue(inst: Instance) -> Any:
    return inst.find_issue(f"{_first_project(inst).key}-1")


def _first_project(inst: Instance) -> Any:
    return inst.projects[min(inst.projects)]


def _user(inst: Instance, key: str) -> Any:
    return inst.find_user(key)


def _first(kind: str, ids: Any) -> str:
    assert ids, f"the seeded instance has no {kind} (a recipe needs one)"
    return str(min(ids))


# Values recipes may name, computed from the seeded instance (Cloud and DC differ in ids
# and in how users are referred to: accountId on Cloud, username on DC).
PLACEHOLDERS: dict[str, Callable[[Instance], str]] = {
    "project_key": lambda i: _first_project(i).key,
    "project_id": lambda i: str(_first_project(i).id),
    "issue_key": lambda i: _first_issue(i).key,
    "issue_id": lambda i: str(_first_issue(i).id),
    "issue_key2": lambda i: f"{_first_project(i).key}-2",
    "user_param": lambda i: "accountId" if i.kind == "cloud" else "username",
    "user_ref": lambda i: _user(i, "bob").account_id if i.kind == "cloud" else _user(i, "bob").username,
    "user_field": lambda i: "accountId" if i.kind == "cloud" else "name",
    "admin_ref": lambda i: _user(i, "admin").account_id if i.kind == "cloud" else _user(i, "admin").username,
    # Read after the recipe's setup ran (placeholders are computed on first use).
    "link_id": lambda i: _first("issue link", i.links),
    "changelog_id": lambda i: str(max(h.id for h in _first_issue(i).changelog)),
    "role_id": lambda i: "10002",  # Jira's "Administrators" role id on a fresh site
    "dashboard_id": lambda i: _first("dashboard", i.dashboards),
}


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


CLOUD = ("cloud-v3", "cloud-v2", "gateway-v3")
DC = ("dc-v2",)
V = "/rest/api/{version}"
ISSUE = V + "/issue/{issue_key}"
NEW_ISSUE = {
    "fields": {
        "project": {"key": "{project_key}"},
        "issuetype": {"id": "10001"},
        "summary": "Created by the conformance suite",
        "description": adf("A description."),
        "labels": ["conformance"],
    }
}
NEW_ISSUE_V2 = {"fields": {**NEW_ISSUE["fields"], "description": "A *wiki* description."}}
ADD_COMMENT = Step("POST", ISSUE + "/comment", {"body": adf("A comment.")}, {"body": "A comment."})
ADD_LINK = Step(
    "POST",
    V + "/issueLink",
    {
        "type": {"name": "Blocks"},
        "inwardIssue": {"key": "{issue_key}"},
        "outwardIssue": {"key": "{issue_key2}"},
    },
)
NEW_FILTER = Step(
    "POST", V + "/filter", {"name": "Conformance filter {seq}", "jql": "project = {project_key}"}
)
NEW_DASHBOARD = Step(
    "POST", V + "/dashboard", {"name": "Conformance board", "sharePermissions": [], "editPermissions": []}
)
NEW_COMPONENT = Step("POST", V + "/component", {"name": "Conformance {seq}", "project": "{project_key}"})
NEW_VERSION = Step("POST", V + "/version", {"name": "9.{seq}", "projectId": "{int:project_id}"})
NEW_FIELD = Step(
    "POST",
    V + "/field",
    {
        "name": "Conformance field {seq}",
        "type": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        "searcherKey": "com.atlassian.jira.plugin.system.customfieldtypes:textsearcher",
    },
)
SET_PROPERTY = Step("PUT", ISSUE + "/properties/conformance", {"checked": True})
