"""Markdown → ADF: :func:`to_adf`, the reading half of :mod:`.adf` (which documents the syntax).

CommonMark is parsed with markdown-it-py (tables, strikethrough and task lists
via mdit-py-plugins), plus small inline rules for the Jira-only atoms
(mentions, emoji, dates, statuses). The ``doc`` built validates against
Atlassian's ADF JSON schema (``adf-schema-full-v1.json``): a block that a
container may not hold is flattened into paragraphs.
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

from .adf_nodes import (
    EMOJI_RE,
    MARK_ORDER,
    PANEL_TYPES,
    Mark,
    Node,
    image_as_text,
    inline_text_of,
    join_inline,
)

__all__ = ["to_adf"]

_PANEL_RE = re.compile(r"\[!([A-Za-z]+)\]\s*")
_MENTION_RE = re.compile(r"@\[((?:\\.|[^\]\\\n])*)\]\(accountid:([^)\s]+)\)")
_DATE_RE = re.compile(r"\{date:(\d{4}-\d{2}-\d{2}|\d+)\}")
_STATUS_COLOURS = r"neutral|purple|blue|red|yellow|green|#[0-9a-fA-F]{6}"
_STATUS_RE = re.compile(r"\{status:((?:\\.|[^\\}|\n])+)(?:\|(" + _STATUS_COLOURS + r"))?\}")
_UNESCAPE_RE = re.compile(r"\\(.)")

# What ADF lets each container hold (adf-schema-full-v1.json); anything else is flattened.
_LIST_ITEM_OK = frozenset({"paragraph", "bulletList", "orderedList", "taskList", "mediaSingle", "codeBlock"})
_QUOTE_OK = frozenset({"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle", "mediaGroup"})
_PANEL_OK = frozenset(
    {"paragraph", "heading", "bulletList", "orderedList", "mediaGroup", "mediaSingle", "codeBlock"}
    | {"taskList", "rule"}
)


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
    md.inline.ruler.before("link", "jira_emoji", _atom_rule("jira_emoji", EMOJI_RE, ":", word_start=True))
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
            content = [image_as_text(n) if n["type"] == "mediaSingle" else n for n in inline]
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
                inline = join_inline(inline, inline_text_of(block))
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
                    image_as_text(n) if n["type"] == "mediaSingle" else n for n in self.inline_of_next()
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
    content = [image_as_text(n) if n["type"] == "mediaSingle" else n for n in inline]
    return {"type": "paragraph", "content": content}


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
            out.append({"type": "paragraph", "content": inline_text_of(block)})
    return out


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
    ordered = sorted(marks, key=lambda m: MARK_ORDER[m["type"]])
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
