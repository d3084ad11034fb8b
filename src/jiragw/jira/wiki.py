"""Markdown ↔ Jira wiki markup, the rich-text format of Jira Data Center's v2 API.

Both directions go through ADF (:mod:`.adf`): Markdown is parsed with
markdown-it-py into ADF there, and :func:`adf_to_wiki` writes wiki markup
from ADF; :func:`wiki_to_adf` reads wiki markup into ADF, which :func:`.adf.to_md`
writes as Markdown. So the same constructs are covered, where wiki has them
(Jira's text-formatting notation, https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa):

=====================================  ==============================
ADF / Markdown                         wiki
=====================================  ==============================
heading level n                        ``hn. text``
strong / em / strike / code            ``*b*`` ``_e_`` ``-s-`` ``{{code}}``
link                                   ``[text|url]`` (``[url]``)
mention                                ``[~accountid:ID]``
bullet / ordered / nested lists        ``*`` ``#`` ``**`` ``#*`` ...
task list                              ``* (/) done`` / ``* ( ) todo``
code block with language               ``{code:lang}...{code}`` (``{noformat}`` read)
blockquote                             ``{quote}...{quote}`` (``bq.`` read)
panel info/note/tip/warning            ``{info}`` ``{note}`` ``{tip}`` ``{warning}``
panel error/success/custom             ``{panel:panelType=error}``
table                                  ``||h||h||`` / ``|c|c|``
rule                                   ``----``
hard break                             a newline in a paragraph; ``\\\\`` in a list item, heading or cell
media                                  ``!url!`` / ``!file-id!``
emoji                                  ``:smile:``
=====================================  ==============================

Wiki has no date or status lozenge: dates are written as ISO dates and
statuses as ``[STATUS]`` text, which read back as text. Unknown ADF nodes are
written as their text or a visible ``[ADF node: type]`` placeholder, as in
:mod:`.adf`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .adf import to_adf, to_md

__all__ = ["adf_to_wiki", "md_to_wiki", "wiki_to_adf", "wiki_to_md"]

Node = dict[str, Any]

_PANEL_MACROS = {"info": "info", "note": "note", "tip": "tip", "warning": "warning"}
_SPECIAL = re.compile(r"([*_\-+{}\[\]|!^~?#])")
_MARK_CHARS = {"*": "strong", "_": "em", "-": "strike"}
_WIKI_MARK = {"strong": "*", "em": "_", "strike": "-"}
_EMOJI_RE = re.compile(r":([a-z0-9_+-]+):")


def md_to_wiki(markdown: str) -> str:
    """Wiki markup for ``markdown``."""
    return adf_to_wiki(to_adf(markdown))


def wiki_to_md(wiki: str) -> str:
    """Markdown for wiki markup ``wiki``."""
    return to_md(wiki_to_adf(wiki))


# --- ADF → wiki ------------------------------------------------------------------------------------


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
        if panel_type in _PANEL_MACROS:
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
    return all(n.get("type") in _INLINE or "text" in n for n in nodes)


_INLINE = frozenset({"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "mediaInline"})


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
                text = _flat(block)
                if _TASK.fullmatch(text):  # would read back as a task
                    text = "\\" + text
                lines.append(f"{marker} {text}".rstrip())
                first = False
            else:
                lines[-1] += "\\\\" + _flat(block)
        if first:
            lines.append(marker)
    return lines


def _flat(block: Node) -> str:
    """A block inside a list item or table cell, on one logical line."""
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
            text = "\\\\".join(_flat(b) for b in cell.get("content", []))
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
    return _BACKSLASH.join(_SPECIAL.sub(r"\\\1", part) for part in text.split("\\"))


_BACKSLASH = "&#92;"


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
            out.append(short if _EMOJI_RE.fullmatch(short) else _escape(str(attrs.get("text") or short)))
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
        if tight and body[:1] in _MARK_CHARS and not lead and not trail:
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


# --- wiki → ADF ------------------------------------------------------------------------------------

_HEADING = re.compile(r"h([1-6])\.\s*(.*)")
_LIST = re.compile(r"([*#-]+)(?:\s+(.*)|\s*)")
_MACRO = re.compile(r"\{(code|noformat|quote|panel|info|note|tip|warning)(?::([^}]*))?\}")
_RULE = re.compile(r"-{4,}\s*")
_TASK = re.compile(r"\((/| )\)\s*(.*)", re.DOTALL)


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
    panel_type = _PANEL_MACROS.get(name, "info")
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
            out.append({"type": "paragraph", "content": _parse_inline(_flat(block))})
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
            tasks = tasks and _TASK.fullmatch(text) is not None
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
        match = _TASK.fullmatch(text)
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


_ORDER = {"link": 0, "strong": 1, "em": 2, "strike": 3, "code": 4}


def _with(marks: list[dict[str, Any]], mark: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted([*marks, mark], key=lambda m: _ORDER[m["type"]])


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
        if text.startswith(_BACKSLASH, i):
            buf.append("\\")
            i += len(_BACKSLASH)
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
            and (emoji := _EMOJI_RE.match(text, i)) is not None
            and (i == 0 or not text[i - 1].isalnum())
        ):
            flush()
            out.append({"type": "emoji", "attrs": {"shortName": emoji.group(0)}})
            i = emoji.end()
            continue
        if ch == "{" and text[i + 1 : i + 2] in _MARK_CHARS and text[i + 2 : i + 3] == "}":
            delimiter = text[i : i + 3]
            end = text.find(delimiter, i + 3)
            if end > i + 3:
                flush()
                _inline_into(text[i + 3 : end], _with(marks, {"type": _MARK_CHARS[text[i + 1]]}), out)
                i = end + 3
                continue
        at_word_start = i == 0 or not text[i - 1].isalnum()
        if ch in _MARK_CHARS and at_word_start and (end := _closer(text, i, ch)) > 0:
            flush()
            _inline_into(text[i + 1 : end], _with(marks, {"type": _MARK_CHARS[ch]}), out)
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
