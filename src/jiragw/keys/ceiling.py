"""Least privilege: a key's scope ceiling checked against the spec-derived operation table.

Decided before any upstream call, by every door that sends to Jira (the proxy
and MCP). A request is matched to its operation (method + path template,
:mod:`jiragw.scopes`, or one of the avatar servlets the proxy serves outside
the REST API, :mod:`jiragw.keys.servlets`); then, in order:

- an operation the table does not know is refused for every restricted key
  (``operation_unknown``); only an unrestricted key (``*``, not read-only)
  may call it;
- a read-only key may call only read operations: those whose scopes are all
  ``read:...`` (so ``POST /search/jql`` is a read, ``POST /issue`` is not);
- the key's ceiling must hold the operation's classic scopes or its granular
  scopes in full, as Atlassian itself decides; the denial names what is missing;
- a Jira REST read the spec lists with no scope at all (``serverInfo``, the board
  list) is open to every key that may read Jira at all: an unrestricted key,
  or one whose ceiling holds at least one Jira read scope (``read:...``).
  No scope guards these reads, and clients such as pycontribs ``jira`` call
  ``serverInfo`` when they start; but a key minted for the management API
  alone (preset "admin") or for writes only has no business reading Jira, so
  it is refused (``scope_denied``). The rule is decided here, at check time,
  so keys created before it follow it too.

A few operations need more than the spec says: creating and deleting a board
are administration (:mod:`jiragw.keys.administration`).

The ready-made ceilings a key is created with are in :mod:`jiragw.keys.presets`.

One scope is the gateway's own: :data:`ADMIN_SCOPE` (preset "admin") lets a
key call the management API (``/api/v1``). No Jira operation names it, so it
grants nothing through the proxy or MCP; a key may carry it next to Jira scopes.
"""

from __future__ import annotations

from collections.abc import Iterable

from jiragw.errors import OperationUnknown, ReadOnlyKey, ScopeDenied
from jiragw.keys.administration import administered
from jiragw.keys.servlets import match_servlet
from jiragw.scopes import Operation, ScopeTable, load_scope_table
from jiragw.store.keys import ALL, KeyRecord

__all__ = ["ADMIN_SCOPE", "check", "is_admin", "is_read"]

ADMIN_SCOPE = "jiragw:admin"


def is_admin(key: KeyRecord) -> bool:
    """Whether ``key`` may call the management API."""
    return ADMIN_SCOPE in key.scopes


def is_read(op: Operation) -> bool:
    """An operation that only reads: it names scopes, and every one of them is a ``read:`` scope."""
    scopes = op.classic_scopes | op.granular_scopes
    return bool(scopes) and all(s.startswith("read:") for s in scopes)


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
_READ_SCOPE_PREFIX = "read:"


def _reads_jira(key: KeyRecord) -> bool:
    """Whether a key may read Jira at all: unrestricted, or holding one Jira read scope."""
    return ALL in key.scopes or any(s.startswith(_READ_SCOPE_PREFIX) for s in key.scopes)


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
    found = table.match(method, path) or match_servlet(method, path)
    op = administered(found) if found is not None else None
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
        if _reads_jira(key):
            return op
        raise ScopeDenied(
            f"the key's scope ceiling holds no Jira read scope, which {described} needs "
            "(it reads no data a scope guards, but only keys that may read Jira may call it)",
            details={"operation": op.operation_id, "missing_scopes": []},
        )
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
