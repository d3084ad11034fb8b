"""Plain text out of the sandbox's rich text, for JQL text search (``~``).

:func:`plain_text` flattens a :class:`~jiragw.sandbox.state.model.RichText`: an ADF
document is walked node by node (text, plus the visible text of mentions,
emoji, status lozenges, dates and cards); a wiki string loses its most common
markup (``*bold*``, ``h1.``, ``{code}``, ``[label|url]``, ``[~user]``, ...).
:func:`issue_text` is the lower-cased text ``text ~`` searches: summary,
description, environment, comment bodies and text custom fields, cached on
``issue.text_cache`` (set it to ``None`` after an edit and it is rebuilt).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..state.model import Issue, RichText

__all__ = ["issue_text", "plain_text", "plain_text_lower"]

# ADF nodes whose visible text lives in an attribute, not in child text nodes.
_ATTR_TEXT: dict[str, tuple[str, ...]] = {
    "mention": ("text",),
    "emoji": ("text", "shortName"),
    "status": ("text",),
    "inlineCard": ("url",),
    "blockCard": ("url",),
    "embedCard": ("url",),
    "placeholder": ("text",),
}
# Block nodes end a line, so words of adjacent paragraphs never run together.
_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "codeBlock",
        "blockquote",
        "listItem",
        "tableCell",
        "tableHeader",
        "panel",
        "rule",
        "mediaSingle",
        "expand",
        "nestedExpand",
    }
)

# Wiki markup stripped before searching: (pattern, replacement), applied in order.
_WIKI_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\{(?:code|noformat|quote|panel|color)(?::[^}]*)?\}"), " "),
    (re.compile(r"\{\{(.*?)\}\}"), r"\1"),
    (re.compile(r"\[~(?:accountid:)?([^\]]+)\]"), r"\1"),
    (re.compile(r"\[([^|\]]*)\|[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]*)\]"), r"\1"),
    (re.compile(r"![^!\s]+!"), " "),
    (re.compile(r"^\s*(?:h[1-6]\.|bq\.|[*#-]+\s)", re.MULTILINE), " "),
    (re.compile(r"\|\|?"), " "),
    (re.compile(r"(?<!\w)[*_+\-^~]([^\s*_+\-^~][^*_+^~]*?)[*_+\-^~](?!\w)"), r"\1"),
    (re.compile(r"\?\?(.*?)\?\?"), r"\1"),
)


def _walk(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, out)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        text = node.get("text")
        if isinstance(text, str):
            out.append(text)
    elif kind == "hardBreak":
        out.append("\n")
    elif kind == "date":
        out.append(_adf_date(node.get("attrs")))
    elif isinstance(kind, str) and kind in _ATTR_TEXT:
        attrs = node.get("attrs")
        if isinstance(attrs, dict):
            for name in _ATTR_TEXT[kind]:
                value = attrs.get(name)
                if isinstance(value, str) and value:
                    out.append(value)
                    break
    _walk(node.get("content"), out)
    if kind in _BLOCKS:
        out.append("\n")


def _adf_date(attrs: Any) -> str:
    """An ADF date node's ``timestamp`` (epoch milliseconds, as a string) as ``yyyy-mm-dd``."""
    if not isinstance(attrs, dict):
        return ""
    try:
        millis = int(str(attrs.get("timestamp")))
        return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return ""


def strip_wiki(text: str) -> str:
    """``text`` with the most common Jira wiki markup removed."""
    for pattern, replacement in _WIKI_RULES:
        text = pattern.sub(replacement, text)
    return text


def plain_text(rt: RichText | str | None) -> str:
    """The plain text of rich text (ADF walked, wiki markup stripped); ``""`` for None."""
    if rt is None:
        return ""
    if isinstance(rt, str):
        return strip_wiki(rt)
    doc = rt.adf_doc()
    if doc is not None:
        out: list[str] = []
        _walk(doc, out)
        return "".join(out).strip()
    return strip_wiki(rt.wiki or "")


@lru_cache(maxsize=65536)
def plain_text_lower(rt: RichText | str) -> str:
    """Lower-cased :func:`plain_text`, memoised (rich text values are immutable)."""
    return plain_text(rt).lower()


def _custom_text(value: Any) -> str | None:
    if isinstance(value, RichText):
        return plain_text(value)
    if isinstance(value, str):
        return value
    return None


def issue_text(issue: Issue) -> str:
    """The lower-cased searchable text of ``issue`` (rebuilt when ``text_cache`` is None)."""
    cached = issue.text_cache
    if cached is not None:
        return cached
    parts = [issue.summary, plain_text(issue.description), plain_text(issue.environment)]
    parts.extend(plain_text(c.body) for c in issue.comments)
    for value in issue.custom.values():
        text = _custom_text(value)
        if text:
            parts.append(text)
    cached = "\n".join(p for p in parts if p).lower()
    issue.text_cache = cached
    return cached
