"""Jira's absolute URLs in proxied JSON, pointed back at the gateway, sans-IO.

Jira's answers carry absolute URLs: every resource's ``self``, ``next``/
``prev`` page links, ``issue.fields.*.self``, ``avatarUrls``, and so on. They
point at the upstream: the connection's site URL (``https://acme.atlassian.net``,
a DC base URL) or, for OAuth 2.0 3LO, its API base (``https://api.atlassian.com/
ex/jira/{cloudId}``). A client that follows them (pycontribs ``jira``'s
``Resource.update()``/``delete()`` send to ``self``) would bypass the gateway
and send the *gateway key* to that host, and a Data Center avatar answers only
a caller signed in to Jira, which the gateway's caller is not. So in JSON
answers each such URL is rewritten to the connection's proxy base,
``{public_url}/jira/{connection}``.

- Rewritten are URLs continuing into one of the proxy's API prefixes
  (:data:`jiragw.gateway.paths.API_PREFIXES`) or into exactly one of Jira's
  avatar servlets (:data:`jiragw.gateway.paths.AVATAR_PATHS`, followed by its
  query or the URL's end): the resources a client fetches with its
  credentials, and exactly what the proxy serves. ``/browse/KEY`` pages and
  ``baseUrl`` stay Jira's: they are for people (with their own Jira session),
  and they are also what rich text links to (an ADF ``inlineCard``), which a
  client may write back to Jira.
- In an error answer (status 400 and up) every mention of the upstream is
  replaced, wherever it stands in a message: the base URLs, their origins
  (``https://jira.corp``) and their paths (``/jira/rest/...`` in "No resource
  found for ..."), so the upstream's host and context path stay out of error
  texts.
- The longer base is tried first, so an API base that extends the site URL
  is never half-rewritten; a host that merely starts like the base
  (``acme.atlassian.net.evil.test``) is not the base.
- The proxy base is the configured public URL, not one derived from the
  request's ``Host``: that header is the caller's to choose, and a link must
  not be steerable by it (the OAuth callback is built from the same setting).

The body is the decoded JSON text (bytes); :func:`rewritable` says which
answers may be decoded and rewritten, and everything else is streamed as is.
A body holding no upstream base at all (most) is returned untouched after one
substring test per base.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from jiragw.gateway.paths import API_PREFIXES, AVATAR_PATHS

__all__ = ["MAX_REWRITE_BYTES", "LinkRewriter", "rewritable"]

# Larger JSON answers are streamed untouched rather than buffered.
MAX_REWRITE_BYTES: Final = 32 * 1024 * 1024
# What may follow an avatar servlet's path: its query, or the end of the URL in JSON text.
_AVATAR_END: Final = rb"(?:\?|\"|$)"
# What may follow a base URL that is not yet its end: more host, port or path characters
# (a dot only when more follows it: "see https://jira.corp." ends a sentence).
_CONTINUES: Final = rb"(?![\w:~%-]|\.[\w-])"
# Content-Encodings httpx decodes without optional packages.
_DECODABLE: Final = frozenset({b"", b"identity", b"gzip", b"x-gzip", b"deflate"})


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


def rewritable(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether an answer with these (lower-case) headers is JSON the proxy can decode and rewrite."""
    json_body = False
    for name, value in headers:
        if name == b"content-type":
            json_body = _is_json(value)
        elif name == b"content-encoding":
            if any(part.strip().lower() not in _DECODABLE for part in value.split(b",")):
                return False
        elif name == b"content-length":
            try:
                if int(value) > MAX_REWRITE_BYTES:
                    return False
            except ValueError:
                return False
    return json_body


class LinkRewriter:
    """Rewrites ``upstream`` base URLs to ``proxy_base`` in JSON text (see the module docstring)."""

    def __init__(self, upstream: Iterable[str], proxy_base: str) -> None:
        bases = sorted({base.rstrip("/") for base in upstream if base}, key=len, reverse=True)
        self.proxy_base = proxy_base.rstrip("/").encode("utf-8")
        proxy = urlsplit(proxy_base.rstrip("/"))
        self._proxy_origin = f"{proxy.scheme}://{proxy.netloc}".encode()
        self._proxy_path = proxy.path.encode("utf-8")
        followed = b"|".join(
            [
                *(re.escape(prefix.encode("ascii")) for prefix in API_PREFIXES),
                *(re.escape(path.encode("ascii")) + _AVATAR_END for path in AVATAR_PATHS),
            ]
        )
        alternatives = b"|".join(re.escape(base.encode("utf-8")) for base in bases)
        self._pattern = re.compile(b"(?:" + alternatives + b")(?=" + followed + b")") if bases else None
        # A cheap membership test first: most answers hold no upstream URL at all.
        self._marks = tuple(base.encode("utf-8") for base in bases)
        self._mentions = _mentions_pattern(bases)

    def rewrite(self, body: bytes, *, error: bool = False) -> bytes:
        """``body`` with the upstream's URLs on the proxy; ``error``: with every mention replaced."""
        if error and self._mentions is not None:
            return self._mentions.sub(self._replace_mention, body)
        if self._pattern is None or not any(mark in body for mark in self._marks):
            return body
        return self._pattern.sub(lambda _: self.proxy_base, body)

    def _replace_mention(self, match: re.Match[bytes]) -> bytes:
        kind = match.lastgroup
        return (
            self.proxy_base if kind == "url" else self._proxy_origin if kind == "origin" else self._proxy_path
        )


def _mentions_pattern(bases: list[str]) -> re.Pattern[bytes] | None:
    """Any mention of ``bases``: whole (longest first), their origins, their paths (``/jira/``)."""
    if not bases:
        return None
    parts = [urlsplit(base) for base in bases]
    origins = sorted({f"{p.scheme}://{p.netloc}" for p in parts} - set(bases), key=len, reverse=True)
    paths = sorted({p.path for p in parts if p.path not in ("", "/")}, key=len, reverse=True)

    def alternation(items: Iterable[str]) -> bytes:
        return b"|".join(re.escape(item.encode("utf-8")) for item in items)

    pattern = b"(?P<url>" + alternation(bases) + b")" + _CONTINUES
    if origins:
        pattern += b"|(?P<origin>" + alternation(origins) + b")" + _CONTINUES
    if paths:
        # A path mention starts a path of its own (after a quote, a space, ...), then continues.
        pattern += rb"|(?<![\w.:~%/-])(?P<path>" + alternation(paths) + b")(?=/)"
    return re.compile(pattern)
