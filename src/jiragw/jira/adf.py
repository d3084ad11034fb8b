"""Markdown ↔ Atlassian Document Format (ADF), the rich-text format of Jira Cloud's v3 API.

:func:`to_adf` parses CommonMark with markdown-it-py (tables, strikethrough and
task lists via mdit-py-plugins) and builds a ``doc`` that validates against
Atlassian's ADF JSON schema (``adf-schema-full-v1.json``). :func:`to_md`
writes Markdown back. Syntax beyond CommonMark/GFM, recognised by small
markdown-it inline rules and written back the same way:

==================================  =========================================
Markdown                            ADF
==================================  =========================================
``@[Display Name](accountid:ID)``   ``mention`` (``id``, ``text="@Display Name"``)
``:smile:``                         ``emoji`` (``shortName=":smile:"``)
``{date:2024-01-31}``               ``date`` (epoch milliseconds, UTC midnight;
                                    ``{date:1706659200123}`` for other instants)
``{status:IN PROGRESS|blue}``       ``status`` (colour defaults to ``neutral``)
``> [!INFO]`` first line of a quote  ``panel`` (INFO NOTE TIP WARNING ERROR SUCCESS
                                    CUSTOM; GitHub's IMPORTANT/CAUTION read as
                                    note/error)
``![alt](media:ID?collection=C)``   ``mediaSingle`` of a Jira file; any other image
                                    URL is an ``external`` media
``- [ ]`` / ``- [x]`` lists          ``taskList`` / ``taskItem`` (TODO/DONE)
==================================  =========================================

Where ADF's content model is narrower than Markdown's (no heading or quote in
a quote, no table in a list item, code cannot carry other marks), the
offending block is flattened into paragraphs rather than producing invalid
ADF. ADF → Markdown never drops content: a node it does not know is written
as its text content or, failing that, a visible ``[ADF node: type]``
placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = ["PANEL_TYPES", "to_adf", "to_md"]

Node = dict[str, Any]
Mark = dict[str, Any]

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
_PANEL_MD = {"info": "INFO", "note": "NOTE", "tip": "TIP", "warning": "WARNING", "error": "ERROR"}
_PANEL_MD |= {"success": "SUCCESS", "custom": "CUSTOM"}
_PANEL_RE = re.compile(r"\[!([A-Za-z]+)\]\s*")
_MENTION_RE = re.compile(r"@\[((?:\\.|[^\]\\\n])*)\]\(accountid:([^)\s]+)\)")
_EMOJI_RE = re.compile(r":([a-z0-9_+-]+):")
_DATE_RE = re.compile(r"\{date:(\d{4}-\d{2}-\d{2}|\d+)\}")
_STATUS_COLOURS = r"neutral|purple|blue|red|yellow|green|#[0-9a-fA-F]{6}"
_STATUS_RE = re.compile(r"\{status:((?:\\.|[^\\}|\n])+)(?:\|(" + _STATUS_COLOURS + r"))?\}")
_UNESCAPE_RE = re.compile(r"\\(.)")
_DAY_MS = 86_400_000

# What ADF lets each container hold (adf-schema-full-v1.json); anything else is flattened.
_LIST_ITEM_OK = frozenset({"paragraph", "bulletList", "orderedList", "taskList", "mediaSingle", "codeBlock"})
_QUOTE_OK = frozenset({"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle", "mediaGroup"})
_PANEL_OK = frozenset(
    {"paragraph", "heading", "bulletList", "orderedList", "mediaGroup", "mediaSingle", "codeBlock"}
    | {"taskList", "rule"}
)
_MARK_ORDER = {"link": 0, "strong": 1, "em": 2, "strike": 3, "code": 4}


# --- markdown-it inline rules for the Jira-only atoms ------------------------------------------


def _atom_rule(name: str, pattern: re.Pattern[str], first: str, word_start: bool = False) -> Any:
    def rule(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != first:
            return False
        if word_start and state.pos > 0 and state.src[state.pos - 1].isalnum():
            return False
        match = pattern.match(state.src, state.pos)
        if match is None:
            return False
        if not silent:
            token = state.push(name, "", 0)
            token.meta = {"groups": match.groups()}
        state.pos = match.end()
        return True

    return rule


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable(["html_block", "html_inline"])
    md.use(tasklists_plugin)
    md.inline.ruler.before("link", "jira_mention", _atom_rule("jira_mention", _MENTION_RE, "@"))
    md.inline.ruler.before("link", "jira_emoji", _atom_rule("jira_emoji", _EMOJI_RE, ":", word_start=True))
    md.inline.ruler.before("link", "jira_date", _atom_rule("jira_date", _DATE_RE, "{"))
    md.inline.ruler.before("link", "jira_status", _atom_rule("jira_status", _STATUS_RE, "{"))
    return md


_MD = _parser()


# --- Markdown → ADF ------------------------------------------------------------------------------


def to_adf(markdown: str) -> Node:
    """The ADF ``doc`` for ``markdown``."""
    builder = _AdfBuilder(_MD.parse(markdown))
    return {"type": "doc", "version": 1, "content": builder.blocks(None)}


class _AdfBuilder:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.ids = 0

    def local_id(self) -> str:
        self.ids += 1
        return f"task-{self.ids}"

    def blocks(self, close: str | None) -> list[Node]:
        out: list[Node] = []
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if close is not None and tok.type == close:
                self.i += 1
                return out
            out.extend(self.block(tok))
        return out

    def block(self, tok: Token) -> list[Node]:
        kind = tok.type
        self.i += 1
        if kind == "paragraph_open":
            inline = self.inline_of_next()
            self.i += 1  # paragraph_close
            return [_paragraph_or_media(inline)]
        if kind == "heading_open":
            inline = self.inline_of_next()
            self.i += 1
            content = [_image_as_text(n) if n["type"] == "mediaSingle" else n for n in inline]
            return [{"type": "heading", "attrs": {"level": int(tok.tag[1])}, "content": content}]
        if kind in ("fence", "code_block"):
            return [_code_block(tok.content, tok.info.strip().split(" ")[0] if tok.info else "")]
        if kind == "hr":
            return [{"type": "rule"}]
        if kind == "blockquote_open":
            return [self.quote(self.blocks("blockquote_close"))]
        if kind == "bullet_list_open":
            return [self.bullet_list(tok)]
        if kind == "ordered_list_open":
            return [self.ordered_list(tok)]
        if kind == "table_open":
            return [self.table()]
        return []  # closers of constructs handled elsewhere; html is disabled

    def inline_of_next(self) -> list[Node]:
        tok = self.tokens[self.i]
        self.i += 1
        return _inline(tok.children or [])

    def quote(self, content: list[Node]) -> Node:
        first = content[0] if content else None
        if first is not None and first["type"] == "paragraph" and first.get("content"):
            head = first["content"][0]
            match = _PANEL_RE.match(head.get("text", "")) if head["type"] == "text" else None
            if match is not None and match.group(1).upper() in PANEL_TYPES:
                rest = head["text"][match.end() :]
                inline = ([{**head, "text": rest}] if rest else []) + first["content"][1:]
                if inline and inline[0]["type"] == "hardBreak":
                    inline = inline[1:]
                body = ([{"type": "paragraph", "content": inline}] if inline else []) + content[1:]
                panel_type = PANEL_TYPES[match.group(1).upper()]
                body = _fit(body, _PANEL_OK) or [{"type": "paragraph", "content": []}]
                return {"type": "panel", "attrs": {"panelType": panel_type}, "content": body}
        return {"type": "blockquote", "content": _fit(content, _QUOTE_OK) or [_EMPTY_PARAGRAPH]}

    def items(self, close: str) -> Iterator[tuple[Token, list[Node]]]:
        while self.tokens[self.i].type != close:
            item = self.tokens[self.i]
            self.i += 1
            yield item, self.blocks("list_item_close")
        self.i += 1

    def bullet_list(self, tok: Token) -> Node:
        if tok.attrs.get("class") == "contains-task-list":
            return self.task_list()
        content = [_list_item(blocks) for _, blocks in self.items("bullet_list_close")]
        return {"type": "bulletList", "content": content}

    def ordered_list(self, tok: Token) -> Node:
        content = [_list_item(blocks) for _, blocks in self.items("ordered_list_close")]
        start = int(tok.attrs.get("start", 1))
        node: Node = {"type": "orderedList", "content": content}
        if start != 1:
            node["attrs"] = {"order": start}
        return node

    def task_list(self) -> Node:
        content: list[Node] = []
        for item, blocks in self.items("bullet_list_close"):
            is_task = item.attrs.get("class") == "task-list-item"
            inline: list[Node] = []
            state = "TODO"
            nested: list[Node] = []
            for block in blocks:
                if block["type"] == "taskList":
                    nested.append(block)
                    continue
                if not inline and block["type"] == "paragraph" and is_task:
                    inline = block.get("content", [])
                    continue
                inline = _join_inline(inline, _inline_text_of(block))
            if is_task:
                inline, state = _task_state(inline)
            elif inline in ([{"type": "text", "text": "[ ]"}], [{"type": "text", "text": "[x]"}]):
                # An empty task item: Markdown cannot write "- [ ] " with nothing after it.
                state = "DONE" if inline[0]["text"] == "[x]" else "TODO"
                inline = []
            attrs = {"localId": self.local_id(), "state": state}
            content.append({"type": "taskItem", "attrs": attrs, "content": inline})
            for child in nested:
                child["attrs"]["localId"] = self.local_id()
                content.append(child)
        return {"type": "taskList", "attrs": {"localId": self.local_id()}, "content": content}

    def table(self) -> Node:
        rows: list[Node] = []
        cells: list[Node] = []
        while True:
            tok = self.tokens[self.i]
            self.i += 1
            if tok.type == "table_close":
                return {"type": "table", "content": rows}
            if tok.type == "tr_close":
                rows.append({"type": "tableRow", "content": cells})
                cells = []
            elif tok.type in ("th_open", "td_open"):
                inline = [
                    _image_as_text(n) if n["type"] == "mediaSingle" else n for n in self.inline_of_next()
                ]
                self.i += 1  # th_close / td_close
                kind = "tableHeader" if tok.type == "th_open" else "tableCell"
                cells.append({"type": kind, "content": [{"type": "paragraph", "content": inline}]})


_EMPTY_PARAGRAPH: Node = {"type": "paragraph", "content": []}


def _task_state(inline: list[Node]) -> tuple[list[Node], str]:
    state = "TODO"
    if inline and inline[0]["type"] == "_checkbox":
        state = "DONE" if inline[0]["done"] else "TODO"
        inline = inline[1:]
    # The tasklists plugin leaves the text after the checkbox with its separating space.
    if inline and inline[0]["type"] == "text":
        text = inline[0]["text"].lstrip(" ")
        inline = ([{**inline[0], "text": text}] if text else []) + inline[1:]
    return inline, state


def _code_block(content: str, language: str) -> Node:
    text = content[:-1] if content.endswith("\n") else content
    node: Node = {"type": "codeBlock", "content": [{"type": "text", "text": text}] if text else []}
    if language:
        node["attrs"] = {"language": language}
    return node


def _list_item(blocks: list[Node]) -> Node:
    return {
        "type": "listItem",
        "content": _fit(blocks, _LIST_ITEM_OK) or [{"type": "paragraph", "content": []}],
    }


def _paragraph_or_media(inline: list[Node]) -> Node:
    if len(inline) == 1 and inline[0]["type"] == "mediaSingle":
        return dict(inline[0])
    content = [_image_as_text(n) if n["type"] == "mediaSingle" else n for n in inline]
    return {"type": "paragraph", "content": content}


def _image_as_text(node: Node) -> Node:
    media = node["content"][0]["attrs"]
    href = media.get("url") or f"media:{media['id']}"
    return {
        "type": "text",
        "text": media.get("alt") or href,
        "marks": [{"type": "link", "attrs": {"href": href}}],
    }


def _fit(blocks: list[Node], allowed: frozenset[str]) -> list[Node]:
    """``blocks`` with every node a container may not hold flattened into paragraphs."""
    out: list[Node] = []
    for block in blocks:
        if block["type"] in allowed:
            out.append(block)
        elif block["type"] in ("blockquote", "panel"):
            out.extend(_fit(block["content"], allowed))
        elif block["type"] == "heading":
            out.append({"type": "paragraph", "content": block.get("content", [])})
        else:
            out.append({"type": "paragraph", "content": _inline_text_of(block)})
    return out


def _inline_text_of(block: Node) -> list[Node]:
    """A block's inline content, its textblocks joined by hard breaks (for flattening)."""
    if block["type"] in ("paragraph", "heading", "taskItem"):
        return list(block.get("content", []))
    if block["type"] == "codeBlock":
        text = "".join(n.get("text", "") for n in block.get("content", []))
        return [{"type": "text", "text": text, "marks": [{"type": "code"}]}] if text else []
    if block["type"] == "rule":
        return [{"type": "text", "text": "---"}]
    if block["type"] == "mediaSingle":
        return [_image_as_text(block)]
    out: list[Node] = []
    for child in block.get("content", []):
        out = _join_inline(out, _inline_text_of(child))
    return out


def _join_inline(a: list[Node], b: list[Node]) -> list[Node]:
    return [*a, {"type": "hardBreak"}, *b] if a and b else a + b


def _inline(tokens: Sequence[Token]) -> list[Node]:
    out: list[Node] = []
    marks: list[Mark] = []
    for tok in tokens:
        kind = tok.type
        if kind in ("text", "softbreak"):
            _add_text(out, tok.content if kind == "text" else " ", marks)
        elif kind == "code_inline":
            link = [m for m in marks if m["type"] == "link"]
            _add_text(out, tok.content, [*link, {"type": "code"}])
        elif kind == "hardbreak":
            out.append({"type": "hardBreak"})
        elif kind.endswith("_open") and kind[:-5] in _OPEN_MARKS:
            marks.append(_OPEN_MARKS[kind[:-5]](tok))
        elif kind.endswith("_close") and kind[:-6] in _OPEN_MARKS:
            name = _MARK_NAMES[kind[:-6]]
            for k in range(len(marks) - 1, -1, -1):
                if marks[k]["type"] == name:
                    del marks[k]
                    break
        elif kind == "image":
            out.append(_image(tok))
        elif kind == "html_inline" and "task-list-item-checkbox" in tok.content:
            out.append({"type": "_checkbox", "done": 'checked="checked"' in tok.content})
        elif kind == "jira_mention":
            name, account = tok.meta["groups"]
            text = "@" + _UNESCAPE_RE.sub(r"\1", name)
            out.append({"type": "mention", "attrs": {"id": account, "text": text}})
        elif kind == "jira_emoji":
            out.append({"type": "emoji", "attrs": {"shortName": f":{tok.meta['groups'][0]}:"}})
        elif kind == "jira_date":
            out.append({"type": "date", "attrs": {"timestamp": _timestamp(tok.meta["groups"][0])}})
        elif kind == "jira_status":
            text, colour = tok.meta["groups"]
            attrs = {"text": _UNESCAPE_RE.sub(r"\1", text), "color": colour or "neutral"}
            out.append({"type": "status", "attrs": attrs})
    return out


_OPEN_MARKS: dict[str, Any] = {
    "strong": lambda tok: {"type": "strong"},
    "em": lambda tok: {"type": "em"},
    "s": lambda tok: {"type": "strike"},
    "link": lambda tok: {"type": "link", "attrs": {"href": str(tok.attrs["href"])}},
}
_MARK_NAMES = {"strong": "strong", "em": "em", "s": "strike", "link": "link"}


def _add_text(out: list[Node], text: str, marks: list[Mark]) -> None:
    if not text:
        return
    if any(m["type"] == "code" for m in marks):
        marks = [m for m in marks if m["type"] in ("code", "link")]
    ordered = sorted(marks, key=lambda m: _MARK_ORDER[m["type"]])
    deduped = [m for k, m in enumerate(ordered) if m not in ordered[:k]]
    last = out[-1] if out else None
    if last is not None and last["type"] == "text" and last.get("marks", []) == deduped:
        last["text"] += text
        return
    node: Node = {"type": "text", "text": text}
    if deduped:
        node["marks"] = deduped
    out.append(node)


def _image(tok: Token) -> Node:
    src = str(tok.attrs.get("src", ""))
    alt = tok.content
    media: Node
    if src.startswith("media:"):
        ident, _, query = src[6:].partition("?collection=")
        media = {"type": "file", "id": ident or "unknown", "collection": query}
    else:
        media = {"type": "external", "url": src}
    if alt:
        media["alt"] = alt
    return {
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [{"type": "media", "attrs": media}],
    }


def _timestamp(value: str) -> str:
    if value.isdigit():
        return value
    day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    return str(int(day.timestamp()) * 1000)


# --- ADF → Markdown ------------------------------------------------------------------------------


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
        label = _PANEL_MD.get(str(attrs.get("panelType", "info")), "INFO")
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
    return node.get("type") in _INLINE_TYPES or "text" in node


_INLINE_TYPES = frozenset(
    {"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "mediaInline"}
)


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
        elif block.get("type") in ("bulletList", "orderedList", "taskList") and not alternate:
            out += "\n" + text
        else:
            out += "\n\n" + text
    return out


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
        inline = _join_inline(inline, _inline_text_of(block))
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
            marks = [m for m in node.get("marks", []) if m.get("type") in _MARK_ORDER]
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
            if _EMOJI_RE.fullmatch(short):
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
