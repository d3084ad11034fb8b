"""Opaque, stateless ``nextPageToken`` values for Cloud's enhanced search (``/search/jql``).

Jira Cloud pages ``GET/POST /rest/api/3/search/jql`` with a continuation
token instead of ``startAt``. The sandbox keeps no server-side cursor: a
token carries the offset of the next page and a digest of the query it
belongs to (the JQL and a scope such as the instance), so a token replayed
with another query, a tampered token or garbage is refused (Jira answers a
bad token with a 400) rather than silently read as page one.

Pure functions over data: no request, no clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import orjson

__all__ = ["PageTokenError", "decode_page_token", "encode_page_token"]

_VERSION = 1


class PageTokenError(ValueError):
    """The token is malformed or belongs to another query."""


def _digest(jql: str, scope: str) -> str:
    return hashlib.sha256(f"{scope}\x00{jql}".encode()).hexdigest()[:16]


def encode_page_token(jql: str, offset: int, *, scope: str = "") -> str:
    """A token resuming the search of ``jql`` (within ``scope``) at ``offset``."""
    if offset < 0:
        raise ValueError("offset must not be negative")
    payload = orjson.dumps({"v": _VERSION, "q": _digest(jql, scope), "o": offset})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_page_token(token: str, jql: str, *, scope: str = "") -> int:
    """The offset ``token`` resumes at; :class:`PageTokenError` unless it was made for ``jql``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise PageTokenError("malformed page token") from exc
    if not isinstance(data, dict) or data.get("v") != _VERSION:
        raise PageTokenError("malformed page token")
    offset = data.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise PageTokenError("malformed page token")
    if data.get("q") != _digest(jql, scope):
        raise PageTokenError("page token belongs to another query")
    return offset
