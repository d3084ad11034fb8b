"""Scope-ceiling presets, derived from the spec's operation table rather than hand-listed.

"read/write work" is the classic work scopes plus every granular scope of an
operation those classic scopes allow; "read-only" is the same restricted to
read operations. Jira Software's operations (boards, sprints, epics, Agile
issue calls) name granular scopes only; a preset takes those of its kind too
(every one for "read/write work", the reads for "read-only"), except the board
administration scopes (``*:board-scope.admin:jira-software``), as the classic
work scopes leave out Jira administration; creating and deleting a board count
as board administration (:mod:`jiragw.keys.administration`), so neither work
preset may do them. "full" is every operation the
connection allows (``*``); "admin" is :data:`~jiragw.keys.ceiling.ADMIN_SCOPE`
alone (the management API, no Jira calls). "read-only" and "read/write work"
hold ``read:jira-user`` and ``read:jira-work``, so they may also fetch the
user and project avatar images Jira's answers link to (:mod:`jiragw.keys.servlets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jiragw.keys.administration import administered
from jiragw.keys.ceiling import ADMIN_SCOPE, is_read
from jiragw.scopes import Operation, ScopeTable, load_scope_table
from jiragw.store.keys import ALL

__all__ = ["PRESETS", "Preset", "all_scopes", "preset_scopes"]


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
    for spec_op in table.operations:
        op = administered(spec_op)
        fits = op.classic_scopes <= preset.classic if op.classic_scopes else _software_work(op)
        if not fits or (preset.read_only and not is_read(op)):
            continue
        ceiling |= op.granular_scopes
    return frozenset(ceiling), preset.read_only
