"""Operations the gateway treats as administration although the spec scopes them as work.

Atlassian's Jira Software spec guards creating and deleting a board
(``createBoard``, ``deleteBoard``) with ``write:board-scope:jira-software``
alone: the very scope that moving issues onto a board or its backlog
(``moveIssuesToBoard``, ``moveIssuesToBacklog``) needs. A ceiling is a set of
scopes, so by the spec's scopes alone a key that may rank work on a board
(the "read/write work" preset) may also create and delete boards. A board is
configuration that other people's filters, sprints and reports hang on, as
the spec's own ``*:board-scope.admin:jira-software`` scopes (board settings,
properties, features) say.

So this table adds to each such operation the granular admin scope of its
kind, and the ceiling check (:func:`jiragw.keys.check`) and the presets
(:mod:`jiragw.keys.presets`) see the operation with it: a key needs
``write:board-scope.admin:jira-software`` to create a board and
``delete:board-scope.admin:jira-software`` to delete one. The "full" preset
(``*``) and a custom ceiling that holds those scopes keep both; the work
presets, which leave board administration out, lose them. The rule applies
when a call is checked, so keys created before it follow it too (their stored
ceilings are unchanged). Jira itself asks no more than the spec says; this
only makes the gateway stricter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from jiragw.scopes import Operation

__all__ = ["ADMINISTRATION_SCOPES", "administered"]

# operation id -> the granular scopes it needs in addition to the spec's
ADMINISTRATION_SCOPES: Final[dict[str, frozenset[str]]] = {
    "createBoard": frozenset({"write:board-scope.admin:jira-software"}),
    "deleteBoard": frozenset({"delete:board-scope.admin:jira-software"}),
}


def administered(op: Operation) -> Operation:
    """``op`` with the administration scopes this table adds to it (``op`` itself when none)."""
    extra = ADMINISTRATION_SCOPES.get(op.operation_id)
    if extra is None:
        return op
    return replace(op, granular_scopes=op.granular_scopes | extra)
