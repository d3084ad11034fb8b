"""Invariants of Jira responses that the spec's schemas cannot express.

- Users: ``accountId`` on Cloud, ``name``/``key`` on Data Center.
- Links: ``self`` and ``nextPage`` point into the instance and REST version the caller used.
- Pages: a page holds at most ``maxResults`` items, never more than ``total``,
  and ``isLast`` agrees with ``nextPage``.

The spec's ``User`` schema lists both sets (Cloud's deprecated ``name``/``key``
included), so it cannot catch a DC-shaped user on Cloud or the reverse. Real
Cloud stopped returning ``name``/``key`` (the GDPR migration) and DC has no
``accountId``; clients key users on exactly these, so every user object in a
response is checked for its flavor's identity fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.conformance.oas import Problem

__all__ = ["paging_problems", "self_link_problems", "user_identity_problems"]

# (fields a user object must carry, fields it must not) per instance kind.
IDENTITY: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "cloud": (frozenset({"accountId"}), frozenset({"name", "key"})),
    "dc": (frozenset({"name", "key"}), frozenset({"accountId"})),
}


def _users(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        for n, item in enumerate(node):
            yield from _users(item, f"{path}[{n}]")
    elif isinstance(node, dict):
        # Users are the objects with a displayName and avatars (projects have no displayName).
        if "displayName" in node and "avatarUrls" in node:
            yield path, node
        for key, value in node.items():
            yield from _users(value, f"{path}.{key}")


def user_identity_problems(body: Any, kind: str) -> list[Problem]:
    required, forbidden = IDENTITY[kind]
    problems = []
    for where, user in _users(body, "$"):
        missing = sorted(required - user.keys())
        extra = sorted(forbidden & user.keys())
        if missing:
            problems.append(Problem(where, f"{kind} user lacks {missing}", "identity"))
        if extra:
            problems.append(Problem(where, f"{kind} user must not carry {extra}", "identity"))
    return problems


def _selves(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for n, item in enumerate(node):
            yield from _selves(item, f"{path}[{n}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _LINK_KEYS and isinstance(value, str):
                yield f"{path}.{key}", value
            else:
                yield from _selves(value, f"{path}.{key}")


_LINK_KEYS = frozenset({"self", "nextPage"})


def self_link_problems(body: Any, base: str, version: str) -> list[Problem]:
    """``self`` links point into the instance the caller used, in the REST version it used.

    Jira builds them from the request: a v2 caller gets ``/rest/api/2/...``
    links, and a client following one must land on the same instance.
    """
    problems = []
    for where, link in _selves(body, "$"):
        if not link.startswith(base + "/"):
            problems.append(Problem(where, f"link {link!r} is not under {base!r}", "links"))
        elif "/rest/api/" in link:
            used = link.split("/rest/api/", 1)[1].split("/", 1)[0].split("?", 1)[0]
            if used != version:
                problems.append(
                    Problem(where, f"link {link!r} is REST v{used}, the caller used v{version}", "links")
                )
    return problems


# The list a paged answer carries its items in, by Jira's bean (PageBean, SearchResults, comments).
_PAGE_ITEMS = ("values", "issues", "comments", "worklogs", "histories")


def paging_problems(body: Any) -> list[Problem]:
    if not isinstance(body, dict) or "maxResults" not in body:
        return []
    items_key = next((k for k in _PAGE_ITEMS if isinstance(body.get(k), list)), None)
    if items_key is None:
        return []
    items = body[items_key]
    problems = []
    size, start, total = body.get("maxResults"), body.get("startAt", 0), body.get("total")
    if isinstance(size, int) and len(items) > size:
        problems.append(Problem(f"$.{items_key}", f"{len(items)} items, but maxResults is {size}", "paging"))
    # An empty page past the end is fine (startAt beyond total); items past the total are not.
    if items and isinstance(total, int) and isinstance(start, int) and start + len(items) > total:
        problems.append(Problem("$", f"startAt {start} + {len(items)} items exceeds total {total}", "paging"))
    if body.get("isLast") is True and "nextPage" in body:
        problems.append(Problem("$.nextPage", "the last page must not link a next page", "paging"))
    if body.get("isLast") is False and "nextPage" not in body and "self" in body:
        problems.append(Problem("$", "a page that is not the last must link the next one", "paging"))
    return problems
