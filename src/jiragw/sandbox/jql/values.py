"""Resolving JQL values to what issues store, and reading those values off issues.

At compile time each value of a clause is resolved once to *atoms* in the
domain the issue model stores (project ids, status ids, account ids, aware
datetimes, lower-cased option values...); per issue, a getter reads the same
domain, so evaluation compares plain ids. Unknown values, functions and bad
dates are collected as Jira-worded errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from operator import attrgetter
from typing import Any

from ..rendering.text import plain_text_lower
from ..state.model import Comment, Instance, Issue, User
from .ast import Empty, Func, Value
from .dates import DATE_FUNCTIONS, date_function, parse_date_value, user_zone
from .fields import ResolvedField

__all__ = ["CATEGORY_ORDER", "Resolver", "custom_date", "option_value"]

Getter = Callable[[Issue], Any]

_CATEGORY_NAMES = {
    "to do": "new",
    "new": "new",
    "2": "new",
    "in progress": "indeterminate",
    "indeterminate": "indeterminate",
    "4": "indeterminate",
    "done": "done",
    "complete": "done",
    "3": "done",
}
CATEGORY_ORDER = {"new": 0, "indeterminate": 1, "done": 2}
_ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_DATE_KINDS = frozenset({"datetime", "date", "cfdate"})
_USER_KINDS = frozenset({"user", "watcher"})
# function name (lower case) -> (min args, max args)
_ARITY: dict[str, tuple[int, int]] = {
    "currentuser": (0, 0),
    "now": (0, 0),
    "standardissuetypes": (0, 0),
    "subtaskissuetypes": (0, 0),
    **{name: (0, 1) for name in DATE_FUNCTIONS},
    "opensprints": (0, 0),
    "closedsprints": (0, 0),
}
# Sprint functions: the sprint states each one stands for.
_SPRINT_FUNCTIONS = {"opensprints": ("active", "future"), "closedsprints": ("closed",)}
_DATE_FORMATS = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
    "or a period format e.g. '-5d', '4w 2d'."
)


def option_value(value: Any) -> str | None:
    """A select custom field's value, lower-cased (stored as a string or ``{"value": ...}``)."""
    if isinstance(value, dict):
        value = value.get("value")
    return value.lower() if isinstance(value, str) and value else None


def custom_date(value: Any, tz: tzinfo) -> datetime | None:
    """A date custom field's value (a date, datetime or ISO string) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    return None


def _comments_text(comments: list[Comment]) -> str:
    return "\n".join(plain_text_lower(c.body) for c in comments)


def _rich_lower(value: Any) -> str:
    if value is None or isinstance(value, (int, float, dict, list)):
        return ""
    return plain_text_lower(value)


class Resolver:
    """Value resolution and issue getters for one compilation (one user, one ``now``)."""

    def __init__(self, instance: Instance, user: User | None, now: datetime) -> None:
        self.instance = instance
        self.user = user
        self.now = now
        self.tz = user_zone(user)
        self.errors: list[str] = []
        self.priority_rank = {pid: -n for n, pid in enumerate(instance.priorities)}
        self.status_category = {sid: s.category for sid, s in instance.statuses.items()}

    # -- getters ---------------------------------------------------------
    def getter(self, field: ResolvedField) -> Getter:
        """Reads the clause's domain value off an issue (None or an empty collection when empty)."""
        kind, fid = field.kind, field.id
        tz = self.tz
        fixed: dict[str, Getter] = {
            "project": attrgetter("project_id"),
            "issuekey": attrgetter("id"),
            "status": attrgetter("status_id"),
            "issuetype": attrgetter("issue_type_id"),
            "priority": attrgetter("priority_id"),
            "resolution": attrgetter("resolution_id"),
            "labels": attrgetter("labels"),
            "component": attrgetter("component_ids"),
            "watcher": attrgetter("watchers"),
            "parent": attrgetter("parent_id"),
        }
        if kind in fixed:
            return fixed[kind]
        if kind == "user":
            return attrgetter(fid)
        if kind == "version":
            return attrgetter("fix_version_ids" if fid == "fixVersions" else "version_ids")
        if kind == "statuscategory":
            cats = self.status_category
            return lambda i: cats.get(i.status_id)
        if kind == "datetime":
            return attrgetter(
                {
                    "resolutiondate": "resolution_date",
                    "statuscategorychangedate": "status_category_changed",
                }.get(fid, fid)
            )
        if kind == "date":
            return lambda i: None if i.due_date is None else datetime(*i.due_date.timetuple()[:3], tzinfo=tz)
        if kind == "text":
            return self._text_getter(fid)
        if kind == "cfdate":
            return lambda i: custom_date(i.custom.get(fid), tz)
        if kind == "number":
            return lambda i: _number(i.custom.get(fid))
        if kind == "cftext":
            return lambda i: _rich_lower(i.custom.get(fid))
        if kind == "sprint":
            return lambda i: i.custom.get(fid)
        return lambda i: option_value(i.custom.get(fid))

    @staticmethod
    def _text_getter(fid: str) -> Getter:
        if fid == "summary":
            return lambda i: i.summary.lower()
        if fid == "comment":
            return lambda i: _comments_text(i.comments)
        attr = attrgetter(fid)
        return lambda i: _rich_lower(attr(i))

    # -- values ----------------------------------------------------------
    def atoms(self, field: ResolvedField, item: Value | Empty | Func) -> list[Any]:
        """What ``item`` means in ``field``'s domain (errors are collected, [] returned)."""
        if isinstance(item, Empty):
            return []
        if isinstance(item, Func):
            return self._function(field, item)
        resolve = getattr(self, f"_value_{field.kind}", None)
        if resolve is None:
            return [item.text]
        result: list[Any] = resolve(field, item.text)
        return result

    def _function(self, field: ResolvedField, fn: Func) -> list[Any]:
        name = fn.name.lower()
        arity = _ARITY.get(name)
        if arity is None:
            self.errors.append(f"Unable to find JQL function '{fn.shown()}'.")
            return []
        low, high = arity
        if not low <= len(fn.args) <= high:
            expected = f"'{low}'" if low == high else f"between '{low}' and '{high}'"
            self.errors.append(
                f"Function '{fn.name}' expected {expected} arguments but received '{len(fn.args)}'."
            )
            return []
        if name == "currentuser" and field.kind in _USER_KINDS:
            return [self.user.account_id] if self.user is not None else []
        if (name == "now" or name in DATE_FUNCTIONS) and field.kind in _DATE_KINDS:
            moment = date_function(name, fn.args, self.now, self.user)
            if moment is None:
                self.errors.append(f"Function '{fn.name}' got an invalid date increment '{fn.args[0]}'.")
                return []
            return [moment]
        if name in ("standardissuetypes", "subtaskissuetypes") and field.kind == "issuetype":
            want_sub = name == "subtaskissuetypes"
            return [t.id for t in self.instance.issue_types.values() if t.subtask == want_sub]
        if name in _SPRINT_FUNCTIONS and field.kind == "sprint":
            states = _SPRINT_FUNCTIONS[name]
            return [sid for sid, s in self.instance.sprints.items() if s.state in states]
        self.errors.append(
            f"A value provided by the function '{fn.name}' is invalid for the field '{field.label}'."
        )
        return []

    def _missing(self, field: ResolvedField, text: str) -> list[Any]:
        if text.isdigit():
            self.errors.append(f"A value with ID '{text}' does not exist for the field '{field.label}'.")
        else:
            self.errors.append(f"The value '{text}' does not exist for the field '{field.label}'.")
        return []

    def _named(self, field: ResolvedField, text: str, table: dict[str, Any]) -> list[Any]:
        """Ids of config entities (statuses, types, ...) by id or case-insensitive name."""
        if text in table:
            return [text]
        low = text.lower()
        found = [key for key, entity in table.items() if entity.name.lower() == low]
        return found or self._missing(field, text)

    def _value_status(self, field: ResolvedField, text: str) -> list[Any]:
        return self._named(field, text, self.instance.statuses)

    def _value_issuetype(self, field: ResolvedField, text: str) -> list[Any]:
        return self._named(field, text, self.instance.issue_types)

    def _value_priority(self, field: ResolvedField, text: str) -> list[Any]:
        return self._named(field, text, self.instance.priorities)

    def _value_resolution(self, field: ResolvedField, text: str) -> list[Any]:
        if text.lower() == "unresolved":
            return [None]
        return self._named(field, text, self.instance.resolutions)

    def _value_statuscategory(self, field: ResolvedField, text: str) -> list[Any]:
        key = _CATEGORY_NAMES.get(text.lower())
        return [key] if key else self._missing(field, text)

    def _value_project(self, field: ResolvedField, text: str) -> list[Any]:
        project = self.instance.find_project(text)
        if project is not None:
            return [project.id]
        low = text.lower()
        found = [p.id for p in self.instance.projects.values() if p.name.lower() == low]
        return found or self._missing(field, text)

    def _value_user(self, field: ResolvedField, text: str) -> list[Any]:
        user = self.instance.find_user(text)
        if user is not None:
            return [user.account_id]
        low = text.lower()
        found = [u.account_id for u in self.instance.users.values() if u.display_name.lower() == low]
        if found:
            return found
        self.errors.append(f"The value '{text}' does not exist for the field '{field.label}'.")
        return []

    _value_watcher = _value_user

    def _value_issuekey(self, field: ResolvedField, text: str) -> list[Any]:
        issue = self.instance.find_issue(text)
        if issue is not None:
            return [issue.id]
        if text.isdigit():
            return [int(text)]  # an unknown issue id simply matches nothing
        if _ISSUE_KEY.match(text):
            self.errors.append(f"An issue with key '{text}' does not exist for field '{field.label}'.")
        else:
            self.errors.append(f"The issue key '{text}' for field '{field.label}' is invalid.")
        return []

    _value_parent = _value_issuekey

    def _value_labels(self, field: ResolvedField, text: str) -> list[Any]:
        return [text]

    def _entities(self, field: ResolvedField, text: str, table: dict[int, Any]) -> list[Any]:
        if text.isdigit() and int(text) in table:
            return [int(text)]
        low = text.lower()
        found = [eid for eid, entity in table.items() if entity.name.lower() == low]
        return found or self._missing(field, text)

    def _value_component(self, field: ResolvedField, text: str) -> list[Any]:
        return self._entities(field, text, self.instance.components)

    def _value_version(self, field: ResolvedField, text: str) -> list[Any]:
        return self._entities(field, text, self.instance.versions)

    def _value_date(self, field: ResolvedField, text: str) -> list[Any]:
        moment = parse_date_value(text, self.now, self.tz)
        if moment is None:
            self.errors.append(f"Date value '{text}' for field '{field.label}' is invalid. {_DATE_FORMATS}")
            return []
        return [moment]

    _value_datetime = _value_date
    _value_cfdate = _value_date

    def _value_number(self, field: ResolvedField, text: str) -> list[Any]:
        if not _NUMBER.match(text.strip()):
            self.errors.append(
                f"The value '{text}' for field '{field.label}' is invalid: a number is expected."
            )
            return []
        return [float(text)]

    def _value_sprint(self, field: ResolvedField, text: str) -> list[Any]:
        """A sprint by id or (case-insensitive) name; unknown ones are an error, as in Jira."""
        return self._entities(field, text, self.instance.sprints)

    def _value_option(self, field: ResolvedField, text: str) -> list[Any]:
        return [text.lower()]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None
