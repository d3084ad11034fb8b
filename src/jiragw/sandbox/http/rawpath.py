"""Routes matched on the undecoded request path, so ``%2F`` stays inside one path parameter.

ASGI servers hand Starlette ``scope["path"]`` already percent-decoded, so an
id holding an encoded slash (``pipelines/team%2Fapp/builds/1``) reaches the
router as two segments and matches nothing. Jira's own servers route on the
encoded path (RFC 3986 §2.2: an encoded reserved character is data, not a
delimiter), so a :class:`RawPathRoute` matches ``scope["raw_path"]`` (the
target as sent, without the query) and percent-decodes each captured
parameter afterwards: one encoded segment is one parameter, and a bare ``/``
inside an id is still an unknown path. Without ``raw_path`` (it is optional
in ASGI) the route behaves like Starlette's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.routing import Match, Route
from starlette.types import Scope

__all__ = ["RawPathRoute", "raw_route_path"]


def raw_route_path(scope: Scope) -> str | None:
    """The still-encoded path below ``root_path``, or None when the server sent no ``raw_path``."""
    raw = scope.get("raw_path")
    if not isinstance(raw, bytes):
        return None
    # Servers send the target as bytes; outside %XX escapes it is ASCII, and latin-1
    # decodes any byte without failing.
    path = raw.split(b"?", 1)[0].decode("latin-1")
    root: str = scope.get("root_path", "")
    if root:
        # root_path is decoded (a Mount's prefix, or the server's): cut the raw prefix
        # that decodes to it, as Starlette cuts it off the decoded path.
        for cut in [i for i, ch in enumerate(path) if ch == "/"] + [len(path)]:
            if unquote(path[:cut]) == root:
                return path[cut:]
    return path


class RawPathRoute(Route):
    """A :class:`~starlette.routing.Route` matching the encoded path, parameters decoded after."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = raw_route_path(scope) if scope["type"] == "http" else None
        if path is None:
            return super().matches(scope)
        found = self.path_regex.match(path)
        if found is None:
            return Match.NONE, {}
        params: dict[str, Any] = dict(scope.get("path_params", {}))
        for name, value in found.groupdict().items():
            params[name] = self.param_convertors[name].convert(unquote(value))
        child: Scope = {"endpoint": self.endpoint, "path_params": params}
        if self.methods and scope["method"] not in self.methods:
            return Match.PARTIAL, child
        return Match.FULL, child
