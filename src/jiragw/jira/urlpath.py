"""Ids into URL paths: every value a resource puts into a path becomes exactly one encoded segment.

Resources build their paths with :func:`path` (``path("/issue/{}/comment/{}",
key, comment_id)``), never with an f-string: each value is percent-encoded as
one segment (:func:`segment`), so an id holding ``/``, ``?``, ``#``, ``%`` or a
dot segment cannot add segments, end the path, or climb out of the API. The
transport then checks the final URL (:mod:`.containment`), so a path built any
other way is still refused before it is sent.
"""

from __future__ import annotations

from urllib.parse import quote

from jiragw.errors import InvalidInput

__all__ = ["path", "segment"]


def segment(value: str | int) -> str:
    """``value`` as one percent-encoded path segment (RFC 3986 unreserved characters kept).

    An empty value is refused (it would drop the segment); a value of only
    dots (``.``, ``..``) has its dots encoded, so no client normalises it away.
    """
    text = str(value)
    if not text:
        raise InvalidInput("an id in a URL path cannot be empty")
    encoded = quote(text, safe="")
    if encoded in {".", ".."}:
        encoded = encoded.replace(".", "%2E")
    return encoded


def path(template: str, *values: str | int) -> str:
    """``template`` with each ``{}`` replaced by the next value as one encoded :func:`segment`."""
    if template.count("{}") != len(values):
        raise TypeError(f"{template!r} takes {template.count('{}')} values, not {len(values)}")
    return template.format(*(segment(v) for v in values))
