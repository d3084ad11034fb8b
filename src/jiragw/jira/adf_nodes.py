"""ADF node facts shared by the rich-text converters (:mod:`.adf`, :mod:`.wiki`).

The node and mark types follow Atlassian's ADF JSON schema
(``adf-schema-full-v1.json``): which nodes are inline, the order marks are
written in, the panel types, and how a block is flattened into inline content
where a container cannot hold it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "EMOJI_RE",
    "INLINE_TYPES",
    "MARK_ORDER",
    "PANEL_MD",
    "PANEL_TYPES",
    "Mark",
    "Node",
    "image_as_text",
    "inline_text_of",
    "join_inline",
]

Node = dict[str, Any]
Mark = dict[str, Any]

# ``> [!LABEL]`` label → ADF ``panelType``; GitHub's IMPORTANT/CAUTION read as note/error.
PANEL_TYPES = {
    "INFO": "info",
    "NOTE": "note",
    "TIP": "tip",
    "WARNING": "warning",
    "ERROR": "error",
    "SUCCESS": "success",
    "CUSTOM": "custom",
    "IMPORTANT": "note",
    "CAUTION": "error",
}
# ADF ``panelType`` → the label Markdown writes.
PANEL_MD = {"info": "INFO", "note": "NOTE", "tip": "TIP", "warning": "WARNING", "error": "ERROR"}
PANEL_MD |= {"success": "SUCCESS", "custom": "CUSTOM"}

# An emoji ``shortName`` as Markdown writes it: ``:smile:``.
EMOJI_RE = re.compile(r":([a-z0-9_+-]+):")

# The marks the converters know, in the order they are nested (outermost first).
MARK_ORDER = {"link": 0, "strong": 1, "em": 2, "strike": 3, "code": 4}

INLINE_TYPES = frozenset(
    {"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "mediaInline"}
)


def image_as_text(node: Node) -> Node:
    """A ``mediaSingle`` as a link text node, for places ADF allows no media."""
    media = node["content"][0]["attrs"]
    href = media.get("url") or f"media:{media['id']}"
    return {
        "type": "text",
        "text": media.get("alt") or href,
        "marks": [{"type": "link", "attrs": {"href": href}}],
    }


def inline_text_of(block: Node) -> list[Node]:
    """A block's inline content, its textblocks joined by hard breaks (for flattening)."""
    if block["type"] in ("paragraph", "heading", "taskItem"):
        return list(block.get("content", []))
    if block["type"] == "codeBlock":
        text = "".join(n.get("text", "") for n in block.get("content", []))
        return [{"type": "text", "text": text, "marks": [{"type": "code"}]}] if text else []
    if block["type"] == "rule":
        return [{"type": "text", "text": "---"}]
    if block["type"] == "mediaSingle":
        return [image_as_text(block)]
    out: list[Node] = []
    for child in block.get("content", []):
        out = join_inline(out, inline_text_of(child))
    return out


def join_inline(a: list[Node], b: list[Node]) -> list[Node]:
    """Inline runs ``a`` and ``b`` with a hard break between them when both are non-empty."""
    return [*a, {"type": "hardBreak"}, *b] if a and b else a + b
