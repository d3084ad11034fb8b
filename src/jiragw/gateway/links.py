"""Jira's absolute API links in proxied JSON, pointed back at the gateway, sans-IO (issue 5).

Jira's answers carry absolute URLs: every resource's ``self``, ``next``/
``prev`` page links, ``issue.fields.*.self``, and so on. They point at the
upstream: the connection's site URL (``https://acme.atlassian.net``, a DC base
URL) or, for OAuth 2.0 3LO, its API base (``https://api.atlassian.com/ex/jira/
{cloudId}``). A client that follows them (pycontribs ``jira``'s
``Resource.update()``/``delete()`` send to ``self``) would bypass the gateway
and send the *gateway key* to that host. So in JSON answers each such URL is
rewritten to the connection's proxy base, ``{public_url}/jira/{connection}``.

- Only URLs continuing into one of the proxy's API prefixes
  (:data:`jiragw.gateway.paths.API_PREFIXES`) are rewritten: exactly the
  links the proxy can serve. ``/browse/KEY`` pages, avatars and ``baseUrl``
  stay Jira's, since they are for people (with their own Jira session), and
  the proxy would refuse them.
- The longer base is tried first, so an API base that extends the site URL
  is never half-rewritten.
- The proxy base is the configured public URL, not one derived from the
  request's ``Host``: that header is the caller's to choose, and a link must
  not be steerable by it (the OAuth callback is built from the same setting).

The body is the decoded JSON text (bytes); :func:`rewritable` says which
answers may be decoded and rewritten, and everything else is streamed as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from jiragw.gateway.paths import API_PREFIXES

__all__ = ["MAX_REWRITE_BYTES", "LinkRewriter", "rewritable"]

# Larger JSON answers are streamed untouched rather than buffered.
MAX_REWRITE_BYTES: Final = 32 * 1024 * 1024
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
    """Rewrites ``upstream`` base URLs (followed by an API prefix) to ``proxy_base`` in JSON text."""

    def __init__(self, upstream: Iterable[str], proxy_base: str) -> None:
        bases = sorted({base.rstrip("/") for base in upstream if base}, key=len, reverse=True)
        self.proxy_base = proxy_base.rstrip("/").encode("utf-8")
        prefixes = b"|".join(re.escape(prefix.encode("ascii")) for prefix in API_PREFIXES)
        alternatives = b"|".join(re.escape(base.encode("utf-8")) for base in bases)
        self._pattern = re.compile(b"(?:" + alternatives + b")(?=" + prefixes + b")") if bases else None
        # A cheap membership test first: most answers hold no upstream URL at all.
        self._marks = tuple(base.encode("utf-8") for base in bases)

    def rewrite(self, body: bytes) -> bytes:
        if self._pattern is None or not any(mark in body for mark in self._marks):
            return body
        return self._pattern.sub(lambda _: self.proxy_base, body)
