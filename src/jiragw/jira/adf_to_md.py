"""ADF → Markdown: :func:`to_md`, the writing half of :mod:`.adf` (which documents the syntax).

Writes CommonMark/GFM plus the Jira-only atoms that :func:`.md_to_adf.to_adf`
reads back, escaping text wherever it would otherwise read as syntax. Nothing
is dropped: a node it does not know is written as its text content or, failing
that, a visible ``[ADF node: type]`` placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from .adf_nodes import EMOJI_RE, INLINE_TYPES, MARK_ORDER, PANEL_MD, Mark, Node, inline_text_of, join_inline

__all__ = ["to_md"]

_DAY_MS = 86_400_000


def to_md(doc: Node) -> str:
    """Markdown for the ADF node ``doc`` (normally a ``doc``; any block node works)."""
    content = doc.get("content", []) if doc.get("type") == "doc" else [doc]
    text = _blocks_md(content)
    return text + "\n" if text else ""


def _blocks_md(blocks: Sequence[Node]) -> str:
    return "\n\n".join(text for _, _, text in _rendered_blocks(blocks) if text)


def _rendered_blocks(blocks: Sequence[Node]) -> Iterator[tuple[Node, bool, str]]:
    """Each block, whether it takes its list family's other marker, and its Markdown."""
    previous = ""
    for block in blocks:
        family = _LIST_FAMILY.get(block.get("type", ""), "")
        alternate = bool(family) and family == previous
        yield block, alternate, _block_md(block, alternate)
        previous = "" if alternate else family


# Consecutive lists of one family would merge in Markdown unless the second uses the other marker.
_LIST_FAMILY = {"bulletList": "bullet", "taskList": "bullet", "orderedList": "ordered"}


def _block_md(node: Node, alternate: bool = False) -> str:
    kind = node.get("type", "")
    content: list[Node] = node.get("content", [])
    attrs: dict[str, Any] = node.get("attrs", {}) or {}
    if kind == "paragraph":
        return _inline_md(content)
    if kind == "heading":
        level = int(attrs.get("level", 1))
        text = _inline_md(content)
        text = _CLOSING_HASHES.sub(r"\\\g<0>", text)  # would read as the optional closing sequence
        return ("#" * level + " " + text).rstrip()
    if kind == "codeBlock":
        code = "".join(n.get("text", "") for n in content)
        language = str(attrs.get("language", "") or "")
        tick = "~" if "`" in language else "`"  # a backtick fence's info string cannot hold a backtick
        fence = tick * max(3, _longest_run(code, tick) + 1)
        return f"{fence}{language}\n{code}\n{fence}" if code else f"{fence}{language}\n{fence}"
    if kind == "rule":
        return "---"
    if kind == "blockquote":
        return _prefix(_blocks_md(content), "> ")
    if kind == "panel":
        label = PANEL_MD.get(str(attrs.get("panelType", "info")), "INFO")
        body = _blocks_md(content)
        return _prefix(f"[!{label}]\n{body}" if body else f"[!{label}]", "> ")
    if kind in ("bulletList", "orderedList"):
        return _list_md(node, alternate)
    if kind == "taskList":
        return _task_list_md(node, "*" if alternate else "-")
    if kind == "table":
        return _table_md(node)
    if kind in ("mediaSingle", "mediaGroup"):
        return "\n\n".join(_media_md(n) for n in content if n.get("type") == "media")
    if kind == "media":
        return _media_md(node)
    return _unknown_block_md(node)


def _unknown_block_md(node: Node) -> str:
    content = node.get("content")
    if isinstance(content, list) and content:
        if all(_is_inline(n) for n in content):
            return _inline_md(content)
        return _blocks_md(content)
    text = (node.get("attrs") or {}).get("text") or node.get("text")
    if isinstance(text, str) and text:
        return _escape(text, True)
    return _escape(f"[ADF node: {node.get('type', '?')}]", True)


def _is_inline(node: Node) -> bool:
    return node.get("type") in INLINE_TYPES or "text" in node


def _prefix(text: str, prefix: str) -> str:
    return "\n".join((prefix + line).rstrip() if line else prefix.rstrip() for line in text.split("\n"))


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else "" for line in text.split("\n"))


def _list_md(node: Node, alternate: bool) -> str:
    ordered = node["type"] == "orderedList"
    start = int((node.get("attrs") or {}).get("order", 1)) if ordered else 1
    lines: list[str] = []
    for k, item in enumerate(node.get("content", [])):
        marker = (f"{start + k}{')' if alternate else '.'} ") if ordered else ("* " if alternate else "- ")
        body = _item_md(item.get("content", []))
        lines.append(marker + _indent(body, len(marker))[len(marker) :] if body else marker.rstrip())
    return "\n".join(lines)


def _item_md(blocks: list[Node]) -> str:
    out = ""
    for block, alternate, text in _rendered_blocks(blocks):
        if not out:
            out = text
        elif block.get("type") in _LIST_FAMILY and not alternate and _interrupts_paragraph(text):
            out += "\n" + text
        else:
            out += "\n\n" + text
    return out


# A list's first line when it may not interrupt a paragraph (CommonMark): an empty first item, or an
# ordered list not starting at 1. Straight after a paragraph such a line reads as paragraph text or,
# for a lone "-", as a setext heading underline; a blank line in front keeps it a list.
_NO_INTERRUPT = re.compile(r"(?:[-*+]|\d+[.)])|(?!1[.)])\d+[.)] .*")


def _interrupts_paragraph(list_md: str) -> bool:
    return _NO_INTERRUPT.fullmatch(list_md.split("\n", 1)[0]) is None


def _task_list_md(node: Node, bullet: str) -> str:
    lines: list[str] = []
    for child in node.get("content", []):
        if child.get("type") == "taskList":
            lines.append(_indent(_task_list_md(child, "-"), 2))
            continue
        box = "[x]" if (child.get("attrs") or {}).get("state") == "DONE" else "[ ]"
        text = _inline_md(child.get("content", []))
        lines.append(f"{bullet} {box} {text}".rstrip())
    return "\n".join(lines)


def _table_md(node: Node) -> str:
    rows = [
        [_cell_md(cell) for cell in row.get("content", [])]
        for row in node.get("content", [])
        if row.get("type") == "tableRow"
    ]
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return ""
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines.extend("| " + " | ".join(r) + " |" for r in rows[1:])
    return "\n".join(lines)


def _cell_md(cell: Node) -> str:
    inline: list[Node] = []
    for block in cell.get("content", []):
        inline = join_inline(inline, inline_text_of(block))
    flat = [{"type": "text", "text": " "} if n.get("type") == "hardBreak" else n for n in inline]
    return _inline_md(flat).replace("|", "\\|")


def _media_md(node: Node) -> str:
    attrs = node.get("attrs") or {}
    alt = _escape(str(attrs.get("alt", "")), False)
    if attrs.get("type") == "external":
        url = str(attrs.get("url", ""))
    else:
        collection = str(attrs.get("collection", ""))
        url = f"media:{attrs.get('id', '')}" + (f"?collection={collection}" if collection else "")
    return f"![{alt}]({_link_target(url)})"


def _link_target(href: str) -> str:
    if not href or any(c in href for c in " ()<>\\\n") or href != href.strip():
        return "<" + href.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
    return href


# --- inline ----------------------------------------------------------------------------------------

_CLOSING_HASHES = re.compile(r"(?<=\s)#+$")
_ESCAPE_CHARS = re.compile(r"([\\`*_\[\]<>|~{}])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_EMOJI_LIKE = re.compile(r":(?=[a-z0-9_+-]+:)")


def _escape(text: str, line_start: bool) -> str:
    text = _ESCAPE_CHARS.sub(r"\\\1", text)
    text = _ENTITY.sub("\\&", text)
    text = _EMOJI_LIKE.sub("\\:", text)
    if line_start:
        match = _LINE_START.match(text)
        if match is not None:
            if match.group(2).isdigit():
                end = match.end()
                text = text[:end] + "\\" + text[end:]
            else:
                text = text[: match.start(2)] + "\\" + text[match.start(2) :]
    return text


def _longest_run(text: str, ch: str) -> int:
    return max((len(m) for m in re.findall(re.escape(ch) + "+", text)), default=0)


def _code_span(text: str) -> str:
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    if text.strip(" ") == "":
        pad = ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _open(mark: Mark) -> str:
    return {"link": "[", "strong": "**", "em": "*", "strike": "~~"}.get(mark["type"], "")


def _close(mark: Mark) -> str:
    if mark["type"] == "link":
        attrs = mark.get("attrs") or {}
        title = attrs.get("title")
        suffix = ' "' + str(title).replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
        return f"]({_link_target(str(attrs.get('href', '')))}{suffix})"
    return _open(mark)


class _InlineWriter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.stack: list[Mark] = []

    def text(self) -> str:
        return "".join(self.out)

    def at_line_start(self) -> bool:
        joined = self.text()
        return not joined or joined.endswith("\n")

    def close_to(self, keep: list[Mark]) -> None:
        while self.stack and not all(m in keep for m in self.stack):
            mark = self.stack.pop()
            joined = self.text()
            body = joined.rstrip(" ")
            self.out = [body, _close(mark), " " * (len(joined) - len(body))]

    def open(self, marks: list[Mark], text: str, split: bool) -> str:
        lead = text[: len(text) - len(text.lstrip(" "))] if split else ""
        self.out.append(lead)
        for mark in marks:
            if mark not in self.stack and mark["type"] != "code":
                if mark["type"] == "link" and self.text().endswith(("!", "@")):
                    # "![" would open an image and "@[" a mention.
                    joined = self.text()
                    self.out = [joined[:-1], "\\", joined[-1]]
                self.stack.append(mark)
                self.out.append(_open(mark))
        return text[len(lead) :]

    def close_all(self) -> None:
        self.close_to([])


def _inline_md(nodes: Sequence[Node]) -> str:
    writer = _InlineWriter()
    for node in nodes:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "text":
            text = str(node.get("text", "")).replace("\n", " ")
            marks = [m for m in node.get("marks", []) if m.get("type") in MARK_ORDER]
            is_code = any(m["type"] == "code" for m in marks)
            if writer.at_line_start() and not is_code:
                text = text.lstrip(" ")  # Markdown drops a line's leading spaces anyway
            if not text.strip(" ") and not is_code:
                writer.close_to(marks)
                writer.out.append(text)
                continue
            writer.close_to(marks)
            line_start = writer.at_line_start()
            rest = writer.open(marks, text, split=not is_code)
            if is_code:
                writer.out.append(_code_span(rest))
            else:
                writer.out.append(_escape(rest, line_start))
            continue
        writer.close_all()
        if kind == "hardBreak":
            writer.out.append("\\\n")
        elif kind == "mention":
            name = str(attrs.get("text", "")).removeprefix("@")
            name = name.replace("\\", "\\\\").replace("]", "\\]")
            writer.out.append(f"@[{name}](accountid:{attrs.get('id', '')})")
        elif kind == "emoji":
            short = str(attrs.get("shortName", ""))
            if EMOJI_RE.fullmatch(short):
                writer.out.append(short)
            else:
                writer.out.append(_escape(str(attrs.get("text") or short), False))
        elif kind == "date":
            writer.out.append("{date:" + _date_md(str(attrs.get("timestamp", "0"))) + "}")
        elif kind == "status":
            text = re.sub(r"([\\}|])", r"\\\1", str(attrs.get("text", "")))
            colour = str(attrs.get("color", "neutral"))
            writer.out.append("{status:" + text + ("" if colour == "neutral" else "|" + colour) + "}")
        elif kind == "inlineCard":
            url = str(attrs.get("url", ""))
            writer.out.append(f"[{_escape(url, False)}]({_link_target(url)})")
        else:
            writer.out.append(_unknown_block_md(node))
    writer.close_all()
    return writer.text().strip(" ")


def _date_md(timestamp: str) -> str:
    if timestamp.isdigit() and int(timestamp) % _DAY_MS == 0:
        return datetime.fromtimestamp(int(timestamp) // 1000, tz=UTC).strftime("%Y-%m-%d")
    return timestamp if timestamp.isdigit() else "0"
