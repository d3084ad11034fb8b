"""Jira wiki markup → ADF: :func:`wiki_to_adf`, the reading half of :mod:`.wiki` (which has the table).

Blocks are read line by line (macros, headings, ``bq.``, rules, tables, lists,
images, paragraphs), then inline text with its emphasis, links, mentions,
code and emoji. What ADF does not let a quote or panel hold is flattened into
paragraphs through the writer (:func:`.adf_to_wiki.flat_block`).
"""

from __future__ import annotations

import re
from typing import Any

from .adf_nodes import EMOJI_RE, MARK_ORDER, Node
from .adf_to_wiki import flat_block
from .wiki_syntax import BACKSLASH, MARK_CHARS, PANEL_MACROS, TASK_RE

__all__ = ["wiki_to_adf"]

_HEADING = re.compile(r"h([1-6])\.\s*(.*)")
_LIST = re.compile(r"([*#-]+)(?:\s+(.*)|\s*)")
_MACRO = re.compile(r"\{(code|noformat|quote|panel|info|note|tip|warning)(?::([^}]*))?\}")
_RULE = re.compile(r"-{4,}\s*")


def wiki_to_adf(wiki: str) -> Node:
    """The ADF ``doc`` for wiki markup ``wiki``."""
    return {"type": "doc", "version": 1, "content": _parse_blocks(wiki.replace("\r\n", "\n").split("\n"))}


def _parse_blocks(lines: list[str]) -> list[Node]:
    out: list[Node] = []
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append({"type": "paragraph", "content": _parse_inline("\n".join(paragraph))})
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        macro = _MACRO.match(stripped)
        if not stripped:
            flush()
            i += 1
        elif macro is not None and macro.start() == 0:
            flush()
            name, params = macro.group(1), macro.group(2) or ""
            closer = "{" + name + "}"
            body: list[str] = []
            rest = stripped[macro.end() :]
            i += 1
            if closer in rest:  # one-line macro: {quote}text{quote}
                body.append(rest[: rest.index(closer)])
            else:
                if rest:
                    body.append(rest)
                while i < len(lines) and closer not in lines[i]:
                    i = _take_line(lines, i, body, code=name in ("code", "noformat"))
                if i < len(lines):
                    tail = lines[i][: lines[i].index(closer)]
                    if tail.strip():
                        body.append(tail)
                    i += 1
            out.append(_macro(name, params, body))
        elif (heading := _HEADING.fullmatch(stripped)) is not None:
            flush()
            content = _parse_inline(heading.group(2))
            out.append({"type": "heading", "attrs": {"level": int(heading.group(1))}, "content": content})
            i += 1
        elif stripped.startswith("bq. "):
            flush()
            para = {"type": "paragraph", "content": _parse_inline(stripped[4:])}
            out.append({"type": "blockquote", "content": [para]})
            i += 1
        elif _RULE.fullmatch(stripped):
            flush()
            out.append({"type": "rule"})
            i += 1
        elif stripped.startswith("|"):
            flush()
            rows: list[str] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            out.append(_parse_table(rows))
        elif _LIST.fullmatch(stripped) and not paragraph:
            items: list[tuple[str, str]] = []
            while i < len(lines) and (item := _LIST.fullmatch(lines[i].strip())) is not None:
                items.append((item.group(1).replace("-", "*"), item.group(2) or ""))
                i += 1
            out.extend(_parse_list(items, 1))
        elif (
            stripped.startswith("!") and stripped.endswith("!") and len(stripped) > 2 and " " not in stripped
        ):
            flush()
            media = {"type": "external", "url": stripped[1:-1]}
            out.append(
                {
                    "type": "mediaSingle",
                    "attrs": {"layout": "center"},
                    "content": [{"type": "media", "attrs": media}],
                }
            )
            i += 1
        else:
            paragraph.append(line)
            i += 1
    flush()
    return out


def _take_line(lines: list[str], i: int, body: list[str], code: bool) -> int:
    """Add ``lines[i]`` to a macro's body; a code block inside is taken whole, closer and all."""
    inner = _MACRO.match(lines[i].strip())
    body.append(lines[i])
    i += 1
    if code or inner is None or inner.group(1) not in ("code", "noformat"):
        return i
    inner_closer = "{" + inner.group(1) + "}"
    if inner_closer in lines[i - 1].strip()[inner.end() :]:
        return i
    while i < len(lines) and inner_closer not in lines[i]:
        body.append(lines[i])
        i += 1
    if i < len(lines):
        body.append(lines[i])
        i += 1
    return i


def _macro(name: str, params: str, body: list[str]) -> Node:
    if name in ("code", "noformat"):
        text = "\n".join(body)
        node: Node = {"type": "codeBlock", "content": [{"type": "text", "text": text}] if text else []}
        language = params.split("|")[0].strip() if name == "code" else ""
        if language and "=" not in language:
            node["attrs"] = {"language": language}
        return node
    inner = _parse_blocks(body) or [{"type": "paragraph", "content": []}]
    if name == "quote":
        return {"type": "blockquote", "content": _keep(inner, _QUOTE_OK)}
    panel_type = PANEL_MACROS.get(name, "info")
    if name == "panel":
        for param in params.split("|"):
            key, _, value = param.partition("=")
            if key.strip() == "panelType" and value.strip() in _PANEL_TYPES:
                panel_type = value.strip()
    return {"type": "panel", "attrs": {"panelType": panel_type}, "content": _keep(inner, _PANEL_OK)}


_PANEL_TYPES = frozenset({"info", "note", "tip", "warning", "error", "success", "custom"})
_QUOTE_OK = frozenset({"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle"})
_PANEL_OK = frozenset({"paragraph", "heading", "bulletList", "orderedList", "codeBlock", "taskList", "rule"})
_PANEL_OK |= {"mediaSingle"}


def _keep(blocks: list[Node], allowed: frozenset[str]) -> list[Node]:
    out: list[Node] = []
    for block in blocks:
        if block["type"] in allowed:
            out.append(block)
        elif block["type"] in ("blockquote", "panel"):
            out.extend(_keep(block["content"], allowed))
        else:
            out.append({"type": "paragraph", "content": _parse_inline(flat_block(block))})
    return out or [{"type": "paragraph", "content": []}]


def _parse_table(rows: list[str]) -> Node:
    out: list[Node] = []
    for row in rows:
        cells: list[Node] = []
        for match in re.finditer(r"(\|\|?)((?:\\.|\[[^\]\n]*\]|\{\{.*?\}\}|[^\\|])*)", row):
            sep, text = match.group(1), match.group(2)
            if match.end() == len(row) and not text.strip():
                break
            kind = "tableHeader" if sep == "||" else "tableCell"
            para = {"type": "paragraph", "content": _parse_inline(text.strip())}
            cells.append({"type": kind, "content": [para]})
        if cells:
            out.append({"type": "tableRow", "content": cells})
    return {"type": "table", "content": out or [{"type": "tableRow", "content": []}]}


def _parse_list(items: list[tuple[str, str]], depth: int) -> list[Node]:
    """Items ``(markers, text)`` at ``depth`` and deeper, as consecutive list nodes."""
    out: list[Node] = []
    k = 0
    while k < len(items):
        markers = items[k][0]
        kind = markers[depth - 1] if len(markers) >= depth else "*"
        group: list[Node] = []
        tasks = kind == "*"
        entries: list[tuple[str, list[tuple[str, str]]]] = []
        while k < len(items) and len(items[k][0]) >= depth and items[k][0][depth - 1] == kind:
            text = items[k][1]
            k += 1
            children: list[tuple[str, str]] = []
            while k < len(items) and len(items[k][0]) > depth:
                children.append(items[k])
                k += 1
            entries.append((text, children))
            tasks = tasks and TASK_RE.fullmatch(text) is not None
        if tasks:
            out.append(_task_list(entries, depth))
            continue
        for text, children in entries:
            content: list[Node] = [{"type": "paragraph", "content": _parse_inline(text)}]
            content.extend(_parse_list(children, depth + 1))
            group.append({"type": "listItem", "content": content})
        out.append({"type": "orderedList" if kind == "#" else "bulletList", "content": group})
    return out


def _task_list(entries: list[tuple[str, list[tuple[str, str]]]], depth: int) -> Node:
    content: list[Node] = []
    for text, children in entries:
        match = TASK_RE.fullmatch(text)
        assert match is not None
        state = "DONE" if match.group(1) == "/" else "TODO"
        attrs = {"localId": f"task-{depth}-{len(content)}", "state": state}
        content.append({"type": "taskItem", "attrs": attrs, "content": _parse_inline(match.group(2))})
        for nested in _parse_list(children, depth + 1):
            if nested["type"] == "taskList":
                content.append(nested)
    return {"type": "taskList", "attrs": {"localId": f"list-{depth}-{id(content)}"}, "content": content}


# --- inline wiki ---------------------------------------------------------------------------------


def _parse_inline(text: str) -> list[Node]:
    out: list[Node] = []
    _inline_into(text.strip(), [], out)
    # Spaces at either end of a paragraph or beside a line break show nothing, nor do line breaks at
    # either end: drop them, so that what is read is what writing it back would give.
    size = -1
    while size != len(out):  # dropping a blank node can bring more text beside a break
        size = len(out)
        for k, node in enumerate(out):
            if node["type"] == "text" and {"type": "code"} not in node.get("marks", []):
                if k == size - 1 or out[k + 1]["type"] == "hardBreak":
                    node["text"] = node["text"].rstrip(" ")
                if k == 0 or out[k - 1]["type"] == "hardBreak":
                    node["text"] = node["text"].lstrip(" ")
        out = [n for n in out if n["type"] != "text" or n["text"]]
    while out and out[0]["type"] == "hardBreak":
        out.pop(0)
    while out and out[-1]["type"] == "hardBreak":
        out.pop()
    return out


def _add(out: list[Node], text: str, marks: list[dict[str, Any]]) -> None:
    if not text:
        return
    last = out[-1] if out else None
    if last is not None and last["type"] == "text" and last.get("marks", []) == marks:
        last["text"] += text
        return
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [dict(m) for m in marks]
    out.append(node)


def _with(marks: list[dict[str, Any]], mark: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted([*marks, mark], key=lambda m: MARK_ORDER[m["type"]])


def _closer(text: str, i: int, ch: str) -> int:
    """Index of the ``ch`` closing an emphasis opened at ``text[i]``, or -1."""
    j = i + 1
    if j >= len(text) or text[j] in " \n" or text[j] == ch:
        return -1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == ch and text[j - 1] not in " \n" and (j + 1 == len(text) or not text[j + 1].isalnum()):
            return j
        j += 1
    return -1


def _inline_into(text: str, marks: list[dict[str, Any]], out: list[Node]) -> None:
    i = 0
    buf: list[str] = []

    def flush() -> None:
        _add(out, "".join(buf), marks)
        buf.clear()

    while i < len(text):
        ch = text[i]
        if text.startswith(BACKSLASH, i):
            buf.append("\\")
            i += len(BACKSLASH)
            continue
        if ch == "\\" and i + 1 < len(text):
            if text[i + 1] == "\\":  # \\ is a forced line break
                flush()
                out.append({"type": "hardBreak"})
            else:
                buf.append(text[i + 1])
            i += 2
            continue
        if ch == "\n":
            flush()
            out.append({"type": "hardBreak"})
            i += 1
            continue
        if text.startswith("{{", i) and (end := text.find("}}", i + 2)) > i + 2:
            flush()
            code = re.sub(r"\\(.)", r"\1", text[i + 2 : end])
            link = [m for m in marks if m["type"] == "link"]
            _add(out, code, [*link, {"type": "code"}])
            i = end + 2
            continue
        if ch == "[" and (end := _bracket_end(text, i)) > 0:
            flush()
            _link(text[i + 1 : end], marks, out)
            i = end + 1
            continue
        if (
            ch == ":"
            and (emoji := EMOJI_RE.match(text, i)) is not None
            and (i == 0 or not text[i - 1].isalnum())
        ):
            flush()
            out.append({"type": "emoji", "attrs": {"shortName": emoji.group(0)}})
            i = emoji.end()
            continue
        if ch == "{" and text[i + 1 : i + 2] in MARK_CHARS and text[i + 2 : i + 3] == "}":
            delimiter = text[i : i + 3]
            end = text.find(delimiter, i + 3)
            if end > i + 3:
                flush()
                _inline_into(text[i + 3 : end], _with(marks, {"type": MARK_CHARS[text[i + 1]]}), out)
                i = end + 3
                continue
        at_word_start = i == 0 or not text[i - 1].isalnum()
        if ch in MARK_CHARS and at_word_start and (end := _closer(text, i, ch)) > 0:
            flush()
            _inline_into(text[i + 1 : end], _with(marks, {"type": MARK_CHARS[ch]}), out)
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    flush()


def _bracket_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "]":
            return j
        if text[j] == "[":
            return -1
        j += 1
    return -1


def _link(inner: str, marks: list[dict[str, Any]], out: list[Node]) -> None:
    if inner.startswith("~"):
        ident = inner[1:]
        account = ident.removeprefix("accountid:")
        out.append({"type": "mention", "attrs": {"id": account, "text": "@" + account}})
        return
    label, sep, href = _split_link(inner)
    if not sep:
        href, label = inner, inner
    link = {"type": "link", "attrs": {"href": href.strip()}}
    if sep:
        _inline_into(label, _with(marks, link), out)
    else:
        _add(out, re.sub(r"\\(.)", r"\1", label), _with(marks, link))


def _split_link(inner: str) -> tuple[str, str, str]:
    j = 0
    while j < len(inner):
        if inner[j] == "\\":
            j += 2
            continue
        if inner[j] == "|":
            return inner[:j], "|", inner[j + 1 :]
        j += 1
    return inner, "", ""
