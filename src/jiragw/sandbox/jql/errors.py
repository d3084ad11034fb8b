"""JQL errors worded like Jira's.

Parse errors read ``Error in the JQL Query: <what>. (line L, character C)``
with a 1-based character position of the offending token; validation errors
(unknown field, value, function or operator) carry no position, and all of
a query's validation errors are reported together, as Jira does.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..http.errors import JiraHttpError

__all__ = ["VALID_OPERATORS", "JqlError", "parse_error", "position"]

VALID_OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
)


class JqlError(JiraHttpError):
    """An invalid JQL query: HTTP 400 with Jira's ErrorCollection messages."""

    def __init__(self, messages: Iterable[str]) -> None:
        super().__init__(400, messages)


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, character), both 1-based, of ``offset`` in ``text``."""
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def parse_error(text: str, offset: int, what: str) -> JqlError:
    line, char = position(text, offset)
    return JqlError([f"Error in the JQL Query: {what} (line {line}, character {char})"])
