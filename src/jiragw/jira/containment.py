"""Path containment, sans-IO: a request to Jira stays inside the connection's API base.

The upstream host and context path come only from the connection (the
architecture's invariants); what a caller adds must stay a path inside one of
Jira's REST API prefixes after *every* decoding a server on the way might
apply. Two doors check it with these functions: the proxy on the raw request
target it forwards (:mod:`jiragw.gateway.paths`, stricter: it also refuses
encoded separators), and the SDK's transport on the final URL of every request
it sends, after httpx built it (:func:`contain_url`), which covers MCP and the
CLI too.

- The path is percent-decoded repeatedly until stable (at most
  :data:`MAX_DECODES` rounds), so ``%2e%2e`` and ``%252e`` are dots too.
- The decoded path may not hold a dot segment (``.``, ``..``, Tomcat's
  ``..;x``), splitting on ``/`` and ``\\`` alike, nor an empty segment before
  its end (``//``, which a URL parser may read as a host).
- It must start with the connection's base path followed by one of
  :data:`SDK_PREFIXES` (for the proxy, :data:`API_PREFIXES`).

Refusals are :class:`~jiragw.errors.PathRejected` with a message that never
echoes the hostile input.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote, urlsplit

from jiragw.errors import PathRejected

__all__ = [
    "API_PREFIXES",
    "DEVOPS_PREFIXES",
    "MAX_DECODES",
    "SDK_PREFIXES",
    "allowed_prefixes",
    "check_segments",
    "contain_url",
    "decode_fully",
    "under_base",
]

MAX_DECODES: Final = 4

# What Jira clients legitimately call under an instance root. Not here on purpose:
# /rest/auth (session cookies), /rest/oauth2 and /plugins/servlet/oauth (token endpoints),
# /rest/pat (creating personal access tokens would mint credentials through the gateway).
API_PREFIXES: Final[tuple[str, ...]] = (
    "/rest/api/2/",
    "/rest/api/3/",
    "/rest/api/latest/",
    "/rest/agile/1.0/",
    "/rest/agile/latest/",
    "/rest/servicedeskapi/",
    "/rest/greenhopper/1.0/",
    "/rest/dev-status/1.0/",
    "/rest/dev-status/latest/",
)

# Jira Software's DevOps APIs, which the API gateway serves beside the sites it fronts
# (``{api}/jira/builds/0.1/cloud/{cloudId}/...``), and a site serves at its root.
DEVOPS_PREFIXES: Final[tuple[str, ...]] = ("/jira/builds/0.1/", "/jira/deployments/0.1/")

# Everything the SDK sends: the REST APIs and the DevOps APIs.
SDK_PREFIXES: Final[tuple[str, ...]] = API_PREFIXES + DEVOPS_PREFIXES

_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)
_SEGMENT_SPLIT = re.compile(r"[/\\]")
# The API gateway fronts a Cloud site at {api}/ex/jira/{cloudId}; its DevOps APIs live at {api}/jira/...
_EX_JIRA = re.compile(r"^(?P<api>.*)/ex/jira/[^/]+$")


def decode_fully(raw: str, *, allow_encoded_separators: bool = False) -> str:
    """``raw`` percent-decoded until stable; an encoded ``/`` or ``\\`` is refused unless allowed.

    The proxy refuses encoded separators (they would split or merge segments
    differently upstream than here); the SDK encodes a ``/`` inside an id as
    ``%2F`` on purpose, and checks the segments of the fully decoded path.
    """
    current = raw
    for _ in range(MAX_DECODES):
        if not allow_encoded_separators and _ENCODED_SEPARATOR.search(current):
            raise PathRejected("encoded '/' or '\\' is not allowed in a proxied path")
        try:
            decoded = unquote(current, errors="strict")
        except UnicodeDecodeError as exc:
            raise PathRejected("the request path does not decode to UTF-8") from exc
        if decoded == current:
            return decoded
        current = decoded
    raise PathRejected(f"the request path is still percent-encoded after {MAX_DECODES} decodings")


def check_segments(decoded: str) -> None:
    """Refuse a decoded path holding a dot segment or an empty segment before its end."""
    segments = _SEGMENT_SPLIT.split(decoded[1:] if decoded.startswith("/") else decoded)
    if any(seg.split(";", 1)[0] in {".", ".."} for seg in segments):
        raise PathRejected("dot segments ('.', '..') are not allowed in a request path")
    if any(not seg for seg in segments[:-1]):
        raise PathRejected("empty path segments ('//') are not allowed in a request path")


def under_base(base: str, url: str) -> bool:
    """Whether ``url`` keeps ``base``'s scheme, host and port, and its path lies below ``base``'s path."""
    want, got = urlsplit(base.rstrip("/")), urlsplit(url)
    same_origin = (got.scheme.lower(), got.netloc.lower()) == (want.scheme.lower(), want.netloc.lower())
    return same_origin and got.path.startswith(want.path + "/")


def allowed_prefixes(base: str, prefixes: tuple[str, ...] = SDK_PREFIXES) -> tuple[str, ...]:
    """The decoded path prefixes a request under ``base`` may start with: each of ``prefixes`` below
    ``base``'s path, and for a site fronted by the API gateway (``{api}/ex/jira/{cloudId}``) the
    DevOps APIs below the gateway's root, where they live."""
    path = unquote(urlsplit(base.rstrip("/")).path)
    found = _EX_JIRA.match(path)
    beside = [found.group("api") + p for p in prefixes if p in DEVOPS_PREFIXES] if found else []
    return tuple(path + p for p in prefixes) + tuple(beside)


def contain_url(base: str, url: str, prefixes: tuple[str, ...] = SDK_PREFIXES) -> str:
    """The decoded path of ``url`` when it stays inside ``base``'s APIs; :class:`PathRejected` otherwise.

    ``url`` is the final URL as it goes on the wire (after httpx built and
    normalised it); ``base`` is the connection's instance root.
    """
    want, got = urlsplit(base.rstrip("/")), urlsplit(url)
    if (got.scheme.lower(), got.netloc.lower()) != (want.scheme.lower(), want.netloc.lower()):
        raise PathRejected("the request would leave the connection's host")
    raw = got.path
    if not raw.isascii() or not raw.isprintable() or " " in raw:
        raise PathRejected("the request path holds characters that must be percent-encoded")
    decoded = decode_fully(raw, allow_encoded_separators=True)
    if not decoded.isprintable():
        raise PathRejected("the request path may not contain control characters")
    check_segments(decoded)
    if decoded.startswith(allowed_prefixes(base, prefixes)):
        return decoded
    raise PathRejected("the request would leave the connection's API base")
