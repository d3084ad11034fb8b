"""Path containment for the Jira-compatible proxy, sans-IO.

The proxy forwards ``/jira/{connection}/{rest}`` to the connection's API base
plus ``{rest}``. The upstream host comes only from the connection (the
architecture's invariants), so ``{rest}`` must stay a plain path inside an
API prefix after *every* decoding a server on the way might apply:

- it is read from the raw request target (the ASGI ``raw_path``), never from
  the server's already-decoded ``path``;
- it is percent-decoded repeatedly until stable (at most :data:`MAX_DECODES`
  rounds), and an encoded ``/`` or ``\\`` at any round is refused: either would
  split or merge segments differently upstream than here. The decoding, the
  dot- and empty-segment rules and :data:`API_PREFIXES` live in
  :mod:`jiragw.jira.containment`, which the SDK (and so MCP and the CLI)
  applies to every URL it sends;
- the decoded path may not hold dot segments, empty segments (``//``, which a
  URL parser reads as a host), ``;`` path parameters (Tomcat's ``..;/``), ``@``,
  ``\\``, ``?``, ``#``, a stray ``%``, NUL, CR/LF or any other non-printable
  character;
- it must start with one of :data:`API_PREFIXES` (Jira's REST APIs; the
  session-cookie and OAuth endpoints are deliberately absent), or be exactly
  one of :data:`AVATAR_PATHS` (Jira's avatar images, which its answers link
  to and the proxy's rewritten ``avatarUrls`` point at), read with
  :data:`AVATAR_METHODS` only: any other method there is
  :class:`~jiragw.errors.MethodNotAllowed` (405). Nothing else under
  ``/secure/`` (Jira's web pages and actions) is reachable;
- the final URL is checked to keep the base's scheme, host, port and path prefix.

The decoded path is what the scope ceiling is checked against, so an encoded
literal segment (``%69ssue``) cannot dodge the operation table.
Every other refusal is :class:`~jiragw.errors.PathRejected` (400 ``path_rejected``)
with a message that never echoes the hostile input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote_plus, urlsplit

from jiragw.errors import MethodNotAllowed, PathRejected
from jiragw.jira.containment import API_PREFIXES, MAX_DECODES, check_segments, decode_fully, under_base

__all__ = [
    "API_PREFIXES",
    "AVATAR_METHODS",
    "AVATAR_PATHS",
    "MAX_DECODES",
    "ProxyPath",
    "audit_target",
    "contain",
    "query_carries_key",
    "redirect_inside",
    "split_proxy_path",
    "upstream_url",
]

PROXY_PREFIX: Final = "/jira/"

# Jira's avatar servlets (Data Center, and Cloud's legacy project avatars), which answer an
# image for ``?avatarId=...&size=...`` (or ``?ownerId=``/``?pid=``) on exactly these paths.
# Nothing else under /secure/ is forwarded: the rest of it is Jira's web pages and actions.
AVATAR_PATHS: Final[tuple[str, ...]] = ("/secure/useravatar", "/secure/projectavatar")
AVATAR_METHODS: Final = ("GET", "HEAD")

_FORBIDDEN = frozenset("\\;@?#%")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,64}")
_KEY_MARK = "jgw_"


@dataclass(frozen=True, slots=True)
class ProxyPath:
    """A contained API path: ``raw`` is forwarded as sent, ``decoded`` is matched and audited."""

    raw: str
    decoded: str


def split_proxy_path(raw_path: bytes, root_path: str = "") -> tuple[str | None, str]:
    """``(connection name, raw rest)`` of a ``/jira/{connection}/{rest}`` target.

    The name is None when it is not a valid connection name (such a connection
    cannot exist, so the caller answers as for an unknown one). The rest keeps
    its leading ``/`` and its percent-encoding.
    """
    try:
        text = raw_path.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PathRejected("the request path must be ASCII (percent-encode other characters)") from exc
    text = text.split("?", 1)[0]
    if root_path and text.startswith(root_path):
        text = text[len(root_path) :]
    if not text.startswith(PROXY_PREFIX):
        raise PathRejected("the proxy serves /jira/{connection}/rest/...")
    name, slash, rest = text[len(PROXY_PREFIX) :].partition("/")
    return (name if _NAME.fullmatch(name) else None), slash + rest


def contain(raw: str, method: str = "GET") -> ProxyPath:
    """The API path ``raw`` (as sent, percent-encoded) if it stays inside an API prefix.

    ``method`` matters only on an avatar path, which is read-only.
    """
    if not raw.startswith("/") or raw.startswith("//"):
        raise PathRejected("the proxied path must be /rest/... under the connection")
    if not raw.isascii() or not raw.isprintable() or " " in raw:
        raise PathRejected("the proxied path holds characters that must be percent-encoded")
    decoded = decode_fully(raw)
    if not decoded.isprintable() or any(ch in _FORBIDDEN for ch in decoded):
        raise PathRejected(
            "the proxied path may not contain control characters, '\\', ';', '@', '?', '#' or a stray '%'"
        )
    check_segments(decoded)
    if decoded in AVATAR_PATHS:
        if method.upper() not in AVATAR_METHODS:
            raise MethodNotAllowed(
                "Jira's avatar images are read-only: only GET and HEAD are allowed", allowed=AVATAR_METHODS
            )
        return ProxyPath(raw, decoded)
    if not decoded.startswith(API_PREFIXES):
        raise PathRejected(
            "the proxy forwards only Jira REST API paths (/rest/api/2|3|latest/..., /rest/agile/1.0/..., ...)"
        )
    return ProxyPath(raw, decoded)


def query_carries_key(query: bytes) -> bool:
    """Whether a raw query string holds something like a gateway key (``jgw_``), however encoded."""
    try:
        current = query.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        return True
    for _ in range(MAX_DECODES + 1):
        if _KEY_MARK in current:
            return True
        decoded = unquote_plus(current, encoding="latin-1")
        if decoded == current:
            return False
        current = decoded
    return True


def upstream_url(base: str, path: ProxyPath, query: bytes) -> str:
    """``base`` + the raw path (+ query), checked to keep the base's origin and path prefix."""
    try:
        query_text = query.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PathRejected("the query string must be ASCII (percent-encode other characters)") from exc
    if not query_text.isprintable() or " " in query_text or "#" in query_text:
        raise PathRejected("the query string holds characters that must be percent-encoded")
    if not path.raw.startswith("/") or path.raw.startswith("//"):
        raise PathRejected("the proxied path must be /rest/... under the connection")
    base = base.rstrip("/")
    url = base + path.raw + ("?" + query_text if query_text else "")
    if not under_base(base, url):
        raise PathRejected("the proxied path would leave the connection's API base")
    return url


def redirect_inside(base: str, location: str) -> str | None:
    """The path under ``base`` a redirect's ``Location`` points to, or None when it leaves the base.

    A relative ``Location`` is taken relative to the base's origin. The result
    is the raw rest (``/rest/...?...``) to put after the proxy's own prefix.
    """
    want = urlsplit(base.rstrip("/"))
    got = urlsplit(location)
    if got.scheme or got.netloc:
        if (got.scheme, got.netloc) != (want.scheme, want.netloc):
            return None
    elif not location.startswith("/") or location.startswith("//"):
        return None
    prefix = want.path + "/"
    if not got.path.startswith(prefix):
        return None
    rest = got.path[len(want.path) :]
    try:
        contain(rest)
    except PathRejected:
        return None
    return rest + ("?" + got.query if got.query else "")


def audit_target(decoded: str | None) -> str:
    """A path summary safe to audit when no operation matched: the first two plain segments + ``/…``."""
    if not decoded:
        return "/…"
    kept = []
    for seg in decoded.split("/")[1:3]:
        if not _PLAIN_SEGMENT.fullmatch(seg):
            break
        kept.append(seg)
    return "/" + "/".join(kept) + "/…" if kept else "/…"
