"""ADF → Jira wiki markup: :func:`adf_to_wiki`, the writing half of :mod:`.wiki` (which has the table).

Text is escaped wherever it would otherwise read as wiki syntax, so that
:func:`.wiki_to_adf.wiki_to_adf` reads back what was written. Unknown ADF
nodes are written as their text or a visible ``[ADF node: type]`` placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .adf_nodes import EMOJI_RE, INLINE_TYPES, Node
from .wiki_syntax import BACKSLASH, MARK_CHARS, PANEL_MACROS, TASK_RE

__all__ = ["adf_to_wiki", "flat_block"]

_SPECIAL = re.compile(r"([*_\-+{}\[\]|!^~?#])")
_WIKI_MARK = {"strong": "*", "em": "_", "strike": "-"}


def adf_to_wiki(doc: Node) -> str:
    """Wiki markup for the ADF node ``doc``."""
    content = doc.get("content", []) if doc.get("type") == "doc" else [doc]
    text = _blocks(content)
    return text + "\n" if text else ""


def _blocks(blocks: Sequence[Node]) -> str:
    return "\n\n".join(t for t in (_block(b) for b in blocks) if t)


def _block(node: Node) -> str:
    kind = node.get("type", "")
    content: list[Node] = node.get("content", [])
    attrs: dict[str, Any] = node.get("attrs") or {}
    if kind == "paragraph":
        return _inline(content)
    if kind == "heading":
        return f"h{int(attrs.get('level', 1))}. {_one_line(_inline(content))}".rstrip()
    if kind == "codeBlock":
        code = "".join(n.get("text", "") for n in content)
        language = attrs.get("language")
        if "{code}" in code:  # wiki has no escape inside a code block; noformat can hold {code}
            return "{noformat}\n" + code.replace("{noformat}", "{noformat\u200b}") + "\n{noformat}"
        return ("{code:" + str(language) + "}" if language else "{code}") + "\n" + code + "\n{code}"
    if kind == "rule":
        return "----"
    if kind == "blockquote":
        return "{quote}\n" + _blocks(content) + "\n{quote}"
    if kind == "panel":
        panel_type = str(attrs.get("panelType", "info"))
        body = _blocks(content)
        if panel_type in PANEL_MACROS:
            return "{" + panel_type + "}\n" + body + "\n{" + panel_type + "}"
        return "{panel:panelType=" + panel_type + "}\n" + body + "\n{panel}"
    if kind in ("bulletList", "orderedList", "taskList"):
        return "\n".join(_list_lines(node, ""))
    if kind == "table":
        return _table(node)
    if kind in ("mediaSingle", "mediaGroup"):
        return "\n\n".join(_media(n) for n in content if n.get("type") == "media")
    content_text = _blocks(content) if content and not _all_inline(content) else _inline(content)
    if content_text:
        return content_text
    text = attrs.get("text") or node.get("text")
    return _escape(str(text)) if text else _escape(f"[ADF node: {kind or '?'}]")


def _all_inline(nodes: list[Node]) -> bool:
    return all(n.get("type") in INLINE_TYPES or "text" in n for n in nodes)


def _list_lines(node: Node, prefix: str) -> list[str]:
    kind = node.get("type")
    lines: list[str] = []
    if kind == "taskList":
        for child in node.get("content", []):
            if child.get("type") == "taskList":
                lines.extend(_list_lines(child, prefix + "*"))
                continue
            box = "(/)" if (child.get("attrs") or {}).get("state") == "DONE" else "( )"
            lines.append(f"{prefix}* {box} {_one_line(_inline(child.get('content', [])))}".rstrip())
        return lines
    marker = prefix + ("#" if kind == "orderedList" else "*")
    for item in node.get("content", []):
        first = True
        for block in item.get("content", []):
            if block.get("type") in ("bulletList", "orderedList", "taskList"):
                lines.extend(_list_lines(block, marker))
            elif first:
                text = flat_block(block)
                if TASK_RE.fullmatch(text):  # would read back as a task
                    text = "\\" + text
                lines.append(f"{marker} {text}".rstrip())
                first = False
            else:
                lines[-1] += "\\\\" + flat_block(block)
        if first:
            lines.append(marker)
    return lines


def flat_block(block: Node) -> str:
    """A block inside a list item or table cell, on one logical line (the reader flattens with it too)."""
    if block.get("type") in ("paragraph", "heading"):
        return _one_line(_inline(block.get("content", [])))
    if block.get("type") == "codeBlock":
        return "{{" + _escape("".join(n.get("text", "") for n in block.get("content", []))) + "}}"
    return _one_line(_block(block))


def _one_line(text: str) -> str:
    """``text`` for a line-bound construct (list item, heading, cell): breaks as ``\\\\``."""
    return text.replace("\n", "\\\\")


def _table(node: Node) -> str:
    lines: list[str] = []
    for row in node.get("content", []):
        cells = []
        for cell in row.get("content", []):
            sep = "||" if cell.get("type") == "tableHeader" else "|"
            text = "\\\\".join(flat_block(b) for b in cell.get("content", []))
            cells.append(sep + (text or " "))
        last = "||" if row.get("content") and row["content"][-1].get("type") == "tableHeader" else "|"
        lines.append("".join(cells) + last)
    return "\n".join(lines)


def _media(node: Node) -> str:
    attrs = node.get("attrs") or {}
    target = attrs.get("url") if attrs.get("type") == "external" else attrs.get("id")
    return f"!{target}!" if target else _escape(f"[ADF node: media {attrs.get('alt', '')}]".strip())


def _escape(text: str) -> str:
    # A backslash cannot escape itself: ``\\`` is wiki's forced line break; an entity can.
    return BACKSLASH.join(_SPECIAL.sub(r"\\\1", part) for part in text.split("\\"))


def _inline(nodes: Sequence[Node]) -> str:
    out: list[str] = []
    for k, node in enumerate(nodes):
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "text":
            after = nodes[k + 1] if k + 1 < len(nodes) else {}
            tight = bool(out and out[-1][-1:].isalnum()) or (
                after.get("type") == "text"
                and not after.get("marks")
                and str(after.get("text", ""))[:1].isalnum()
            )
            out.append(_text(node, tight))
        elif kind == "hardBreak":
            # A second newline in a row would end the paragraph; \\ is the same break.
            out.append("\\\\" if out and out[-1].endswith("\n") else "\n")
        elif kind == "mention":
            out.append(f"[~accountid:{attrs.get('id', '')}]")
        elif kind == "emoji":
            short = str(attrs.get("shortName", ""))
            out.append(short if EMOJI_RE.fullmatch(short) else _escape(str(attrs.get("text") or short)))
        elif kind == "date":
            out.append(_date(str(attrs.get("timestamp", "0"))))
        elif kind == "status":
            out.append(_escape(f"[{attrs.get('text', '')}]"))
        elif kind == "inlineCard":
            out.append(f"[{attrs.get('url', '')}]")
        else:
            out.append(_block(node))
    # A line that starts like a block (bq., h1.) must stay paragraph text.
    return _BLOCK_START.sub(r"\1\2\\.", "".join(out).strip(" "))


_BLOCK_START = re.compile(r"(?m)^(\s*)(bq|h[1-6])\.")


def _text(node: Node, tight: bool) -> str:
    """A text node; ``tight``: a word character touches it, so marks need Jira's ``{*}`` form."""
    text = str(node.get("text", "")).replace("\n", " ")
    marks = {m.get("type"): m for m in node.get("marks", [])}
    if "code" in marks:
        body = "{{" + _escape(text) + "}}"
    else:
        core = text.strip(" ")
        if not core:
            return text
        lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")) :]
        body = _escape(core)
        for name in ("strike", "em", "strong"):
            if name in marks:
                body = _WIKI_MARK[name] + body + _WIKI_MARK[name]
        if tight and body[:1] in MARK_CHARS and not lead and not trail:
            delimiter = "{" + body[0] + "}"
            body = delimiter + body[1:-1] + delimiter
        body = lead + body + trail
    if "link" in marks:
        href = str((marks["link"].get("attrs") or {}).get("href", ""))
        stripped = body.strip(" ")
        return body.replace(stripped, f"[{stripped}|{href}]", 1)
    return body


def _date(timestamp: str) -> str:
    if not timestamp.isdigit():
        return timestamp
    return datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC).strftime("%Y-%m-%d")
