"""Which OAuth 2.0 scopes a request through ``/ex/jira/{cloudId}`` needs.

The emulator's own reading of the spec-derived table ``jiragw/scope_table.json``
(operations with their classic and granular scopes, taken from the
``security`` of each operation in Atlassian's OpenAPI documents). It is
deliberately separate from the client side's :mod:`jiragw.scopes` (the two
sides share data, not code). Atlassian's rule ("Scopes for OAuth 2.0 (3LO)
and Forge apps"): a call is allowed when the token holds every classic scope
the operation lists, or every granular scope it lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Requirement", "all_granular_scopes", "requirement", "scopes_allow"]

# Concrete REST prefixes -> the prefix the table documents (the spec documents v3 only).
_ALIASES = (("/rest/api/2/", "/rest/api/3/"), ("/rest/api/latest/", "/rest/api/3/"))


@dataclass(frozen=True, slots=True)
class Requirement:
    operation_id: str
    classic: frozenset[str]
    granular: frozenset[str]


# (method, segment count) -> [(segments with None for parameters, requirement)], most literal first.
_Index = dict[tuple[str, int], list[tuple[tuple[str | None, ...], Requirement]]]


@cache
def _index() -> _Index:
    raw = resources.files("jiragw").joinpath("scope_table.json").read_text(encoding="utf-8")
    index: _Index = {}
    for method, path, op_id, classic, granular in json.loads(raw)["operations"]:
        segments = tuple(None if s.startswith("{") else s for s in path.strip("/").split("/"))
        req = Requirement(op_id, frozenset(classic), frozenset(granular))
        index.setdefault((method, len(segments)), []).append((segments, req))
    for rows in index.values():
        rows.sort(key=lambda row: (-sum(s is not None for s in row[0]), [s is None for s in row[0]]))
    return index


@cache
def all_granular_scopes() -> frozenset[str]:
    """Every granular scope the table names (what a fully-permissioned demo app may request)."""
    return frozenset(s for rows in _index().values() for _, req in rows for s in req.granular)


def requirement(method: str, path: str) -> Requirement | None:
    """The scopes ``method path`` needs; ``path`` is relative to the instance root."""
    path = path if path.endswith("/") else path + "/"
    for alias, canonical in _ALIASES:
        if path.startswith(alias):
            path = canonical + path[len(alias) :]
            break
    segments = path.strip("/").split("/")
    method = "GET" if method.upper() == "HEAD" else method.upper()
    for template, req in _index().get((method, len(segments)), ()):
        if all(t is None or t == s for t, s in zip(template, segments, strict=True)):
            return req
    return None


def scopes_allow(req: Requirement | None, granted: frozenset[str]) -> bool:
    """True when ``granted`` holds all classic or all granular scopes of ``req``."""
    if req is None:
        return False
    if not req.classic and not req.granular:
        # The spec names no scope (e.g. serverInfo, which even anonymous callers may read):
        # any valid token will do.
        return True
    return any(needed and needed <= granted for needed in (req.classic, req.granular))
