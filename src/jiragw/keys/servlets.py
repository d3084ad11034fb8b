"""Scopes for the Jira resources outside the REST API that the gateway serves: the avatar images.

Jira's answers link users' and projects' pictures as ``avatarUrls``
(``{base}/secure/useravatar?avatarId=...`` on Data Center,
``/secure/projectavatar?pid=...`` there and on Cloud). These servlets are no
operation of the REST spec, so the spec-derived scope table
(:mod:`jiragw.scopes`) does not know them, and :func:`jiragw.keys.check`
would refuse them to every restricted key as ``operation_unknown``. This
table gives each one the scopes that read it, in the table's own shape
(:class:`~jiragw.scopes.Operation`: every classic scope, or every granular
scope), so the ceiling decides it like any REST read:

- a **user avatar** is part of what reading a user returns (``getUser`` and
  ``getCurrentUser`` hand out its URL), so it needs what they need at least:
  the classic ``read:jira-user``, or the granular ``read:user:jira`` with
  ``read:avatar:jira`` (Atlassian's scope for avatar images, which its own
  avatar-image operations ask for);
- a **project avatar** is part of what reading a project returns
  (``getProject``): the classic ``read:jira-work``, or the granular
  ``read:project:jira`` with ``read:avatar:jira``.

So the "read-only" and "read/write work" presets, which hold both classic
scopes, display every avatar their answers link to; a key whose ceiling does
not reach users (or projects) is refused with the usual ``scope_denied``
naming the missing scope; an unrestricted key passes as for any operation.
Both are reads (all their scopes are ``read:``), so a read-only key may call
them. The methods are GET (and HEAD, matched as GET like the scope table
does); the proxy refuses any other method on these paths before the ceiling
is asked (:mod:`jiragw.gateway.paths`).
"""

from __future__ import annotations

from typing import Final

from jiragw.scopes import Operation

__all__ = ["SERVLET_OPERATIONS", "match_servlet"]

SERVLET_OPERATIONS: Final[tuple[Operation, ...]] = (
    Operation(
        method="GET",
        path="/secure/useravatar",
        operation_id="userAvatarServlet",
        classic_scopes=frozenset({"read:jira-user"}),
        granular_scopes=frozenset({"read:user:jira", "read:avatar:jira"}),
    ),
    Operation(
        method="GET",
        path="/secure/projectavatar",
        operation_id="projectAvatarServlet",
        classic_scopes=frozenset({"read:jira-work"}),
        granular_scopes=frozenset({"read:project:jira", "read:avatar:jira"}),
    ),
)

_BY_PATH: Final = {op.path: op for op in SERVLET_OPERATIONS}


def match_servlet(method: str, path: str) -> Operation | None:
    """The servlet operation ``method path`` is (``path`` decoded, without its query), if any."""
    op = _BY_PATH.get(path.split("?", 1)[0])
    if op is None or method.upper() not in (op.method, "HEAD"):
        return None
    return op
