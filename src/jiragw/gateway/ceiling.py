"""Least privilege: a key's scope ceiling checked against the spec-derived operation table.

Decided before any upstream call (DESIGN.md, invariants). A request is
matched to its operation (method + path template, :mod:`jiragw.scopes`);
then, in order:

- an operation the table does not know is refused for every restricted key
  (``operation_unknown``); only an unrestricted key (``*``, not read-only)
  may call it;
- a read-only key may call only read operations: those whose scopes are all
  ``read:...`` (so ``POST /search/jql`` is a read, ``POST /issue`` is not);
- the key's ceiling must hold the operation's classic scopes or its granular
  scopes in full, as Atlassian itself decides; the denial names what is missing;
- a Jira REST read the spec lists with no scope at all (``serverInfo``, the board
  list) is open to every key: no scope guards it, and clients such as
  pycontribs ``jira`` call ``serverInfo`` when they start.

Presets are derived from the table, not hand-listed: "read/write work" is
the classic work scopes plus every granular scope of an operation those
classic scopes allow; "read-only" is the same restricted to read operations.
Jira Software's operations (boards, sprints, epics, Agile issue calls) name
granular scopes only; a preset takes those of its kind too (every one for
"read/write work", the reads for "read-only"), except the board
administration scopes (``*:board-scope.admin:jira-software``), as the classic
work scopes leave out Jira administration.

One scope is the gateway's own: :data:`ADMIN_SCOPE` (preset "admin") lets a
key call the management API (``/api/v1``). No Jira operation names it, so it
grants nothing through the proxy or MCP; a key may carry it next to Jira scopes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from jiragw.errors import OperationUnknown, ReadOnlyKey, ScopeDenied
from jiragw.scopes import Operation, ScopeTable, load_scope_table
from jiragw.store.keys import ALL, KeyRecord

__all__ = ["ADMIN_SCOPE", "PRESETS", "Preset", "all_scopes", "check", "is_admin", "is_read", "preset_scopes"]

ADMIN_SCOPE = "jiragw:admin"


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    label: str
    read_only: bool
    classic: frozenset[str]


PRESETS: dict[str, Preset] = {
    "read-only": Preset("read-only", "Read-only", True, frozenset({"read:jira-work", "read:jira-user"})),
    "read-write-work": Preset(
        "read-write-work",
        "Read/write work (issues, comments, transitions; no admin)",
        False,
        frozenset({"read:jira-work", "write:jira-work", "read:jira-user"}),
    ),
    "full": Preset("full", "Full (every operation the connection allows)", False, frozenset({ALL})),
    "admin": Preset("admin", "Admin (management API only; no Jira calls)", False, frozenset({ADMIN_SCOPE})),
}


def is_admin(key: KeyRecord) -> bool:
    """Whether ``key`` may call the management API."""
    return ADMIN_SCOPE in key.scopes


def is_read(op: Operation) -> bool:
    """An operation that only reads: it names scopes, and every one of them is a ``read:`` scope."""
    scopes = op.classic_scopes | op.granular_scopes
    return bool(scopes) and all(s.startswith("read:") for s in scopes)


@cache
def all_scopes(table: ScopeTable | None = None) -> tuple[str, ...]:
    """Every scope the table mentions, sorted (the custom-ceiling choices)."""
    table = table or load_scope_table()
    found: set[str] = set()
    for op in table.operations:
        found |= op.classic_scopes | op.granular_scopes
    return tuple(sorted(found))


# Granular scopes a Jira Software operation may name next to its own and still be work:
# the JQL and issue details its issue listings read.
_SOFTWARE_WORK_HELPERS = frozenset({"read:jql:jira", "read:issue-details:jira"})


def _software_work(op: Operation) -> bool:
    """A Jira Software operation (granular scopes only) on work, not on board administration."""
    if op.classic_scopes or not op.granular_scopes:
        return False
    software = [s for s in op.granular_scopes if s.endswith(":jira-software")]
    if not software or any(".admin:" in s for s in software):
        return False
    return all(s.endswith(":jira-software") or s in _SOFTWARE_WORK_HELPERS for s in op.granular_scopes)


def preset_scopes(name: str, table: ScopeTable | None = None) -> tuple[frozenset[str], bool]:
    """The ceiling and read-only flag of a preset."""
    preset = PRESETS[name]
    if ALL in preset.classic or ADMIN_SCOPE in preset.classic:
        return preset.classic, False
    table = table or load_scope_table()
    ceiling = set(preset.classic)
    for op in table.operations:
        fits = op.classic_scopes <= preset.classic if op.classic_scopes else _software_work(op)
        if not fits or (preset.read_only and not is_read(op)):
            continue
        ceiling |= op.granular_scopes
    return frozenset(ceiling), preset.read_only


def _missing(op: Operation, ceiling: Iterable[str]) -> list[str]:
    have = frozenset(ceiling)
    options = [s for s in (op.classic_scopes, op.granular_scopes) if s]
    if not options:
        return []
    best: frozenset[str] | None = None
    for scopes in options:
        gap = scopes - have
        if best is None or len(gap) < len(best):
            best = gap
    return sorted(best or ())


# Jira REST reads the spec lists with no OAuth scope at all (serverInfo, the board list):
# they expose nothing a scope guards, and clients call serverInfo on start-up.
_OPEN_READ_PREFIXES = ("/rest/api/", "/rest/agile/")


def _open_read(op: Operation) -> bool:
    return (
        op.method in ("GET", "HEAD")
        and not op.classic_scopes
        and not op.granular_scopes
        and op.path.startswith(_OPEN_READ_PREFIXES)
    )


def check(key: KeyRecord, method: str, path: str, table: ScopeTable | None = None) -> Operation | None:
    """The operation ``method path`` is, if ``key`` may call it; raises the denial otherwise."""
    table = table or load_scope_table()
    op = table.match(method, path)
    if op is None:
        if key.unrestricted:
            return None
        raise OperationUnknown(
            f"{method.upper()} {path.split('?', 1)[0]} is not an operation in the scope table; "
            "only an unrestricted key may call it",
            details={"method": method.upper()},
        )
    described = f"{op.method} {op.path} ({op.operation_id})"
    if _open_read(op):
        return op
    if key.read_only and not is_read(op):
        raise ReadOnlyKey(
            f"this key is read-only and {described} writes",
            details={"operation": op.operation_id},
        )
    if ALL in key.scopes:
        return op
    if not op.allows(key.scopes):
        missing = _missing(op, key.scopes)
        what = " ".join(missing) if missing else "a scope this operation does not document"
        raise ScopeDenied(
            f"the key's scope ceiling lacks {what} needed by {described}",
            details={"operation": op.operation_id, "missing_scopes": missing},
        )
    return op
