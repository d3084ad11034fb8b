"""Errors as MCP tool errors: the stable code, the message, and one actionable sentence.

The same exception tree the REST doors map (STYLE.md §3) becomes a
``CallToolResult`` with ``isError`` set: the text reads
``error[<code>]: <message> <what to do>``, and the structured content is the
REST error object ``{"error": {"code", "message", "hint", "details"}}`` so
clients can branch on the code. Where the protocol has no tool result to
carry the error (``tools/list``), :func:`protocol_error` gives the same text
and object as a JSON-RPC error. ``invalid_jql`` keeps Jira's own message and
adds the position Jira gave (line, character); ``reauth_required`` names the
admin page where a human re-authorizes the connection. Details never carry
URLs (they could name internal hosts) and never secrets.
"""

from __future__ import annotations

import re
from typing import Any

import mcp.types as types
from mcp.shared.exceptions import MCPError

from jiragw.errors import JiragwError, RateLimited

__all__ = ["hint_for", "protocol_error", "tool_error"]

_POSITION = re.compile(r"line (\d+), character (\d+)")
_SAFE_DETAILS = (
    "errorMessages",
    "errors",
    "available",
    "field",
    "suggestions",
    "candidates",
    "missing",
    "missing_scopes",
    "operation",
    "choices",
    "connection",
    "issue",
    "status",
)

_HINTS: dict[str, str] = {
    "invalid_jql": "Fix the query where Jira points; search_fields lists field names and their JQL clauses.",
    "scope_denied": (
        "The gateway key's scope ceiling does not allow this; ask an admin for a key with that scope."
    ),
    "read_only": "This session is read-only; use a key (or a session) without the read-only flag to write.",
    "operation_unknown": (
        "Only an unrestricted gateway key may call operations outside Jira's documented API."
    ),
    "connection_denied": "Use one of the connections the connections tool lists.",
    "not_found": "Check the key or id; search_issues and the list tools show what exists.",
    "permission_denied": "Jira refused: the connected account lacks the permission in that project.",
    "invalid_input": "Correct the arguments named in the message and call the tool again.",
    "conflict": "Re-read the current state and retry with up-to-date values.",
    "revoked": "An operator revoked this connection; ask an admin to connect it again.",
    "unauthenticated": "Jira refused the connection's credential; ask an admin to test the connection.",
    "upstream_unavailable": "Jira could not be reached; retry in a minute.",
    "upstream_error": "Jira failed to answer; retry, and report it to an admin if it persists.",
    "store_busy": "The gateway's database is busy; retry shortly.",
}


def hint_for(exc: JiragwError, public_url: str | None) -> str:
    """The sentence telling the agent (or its human) what to do next."""
    if exc.code == "reauth_required":
        if public_url:
            return f"A human must re-authorize the connection on the admin page {public_url}/ (Connections)."
        return "A human must connect it again: run `jiragw connect ...` for this connection."
    if isinstance(exc, RateLimited):
        wait = f" after {exc.retry_after:.0f} seconds" if exc.retry_after else " shortly"
        return f"Jira is rate-limiting this connection; retry{wait}."
    for cls in type(exc).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in _HINTS:
            return _HINTS[code]
    return "Retry, or report the code to an admin."


def _details(exc: JiragwError) -> dict[str, Any]:
    out = {
        k: exc.details[k] for k in _SAFE_DETAILS if k in exc.details and exc.details[k] not in ({}, [], None)
    }
    if exc.code == "invalid_jql":
        found = _POSITION.search(exc.message)
        if found:
            out["position"] = {"line": int(found.group(1)), "character": int(found.group(2))}
    return out


def _text_and_body(exc: JiragwError, public_url: str | None) -> tuple[str, dict[str, Any]]:
    hint = hint_for(exc, public_url)
    message = exc.message.rstrip(".")
    choices = exc.details.get("available") or exc.details.get("choices")
    if isinstance(choices, list) and choices and not any(str(c) in message for c in choices):
        message += f" (choose from: {', '.join(str(c) for c in choices)})"
    body: dict[str, Any] = {"code": exc.code, "message": exc.message, "hint": hint}
    details = _details(exc)
    if details:
        body["details"] = details
    return f"error[{exc.code}]: {message}. {hint}", body


def tool_error(exc: JiragwError, public_url: str | None) -> types.CallToolResult:
    text, body = _text_and_body(exc, public_url)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content={"error": body},
        is_error=True,
    )


def protocol_error(exc: JiragwError, public_url: str | None) -> MCPError:
    """``exc`` as a JSON-RPC error (internal error code; the message and ``data`` as in a tool error)."""
    text, body = _text_and_body(exc, public_url)
    return MCPError(code=types.INTERNAL_ERROR, message=text, data={"error": body})
