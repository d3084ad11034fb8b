"""Rich text conversion between Atlassian Document Format and Jira wiki markup.

REST v3 speaks ADF (``{"type": "doc", "version": 1, ...}``), REST v2 and Data
Center speak wiki markup strings. The sandbox stores text in the format it was
written (:class:`~jiragw.sandbox.state.model.RichText`) and converts on the way out,
as Jira Cloud does: :func:`as_adf` for the v3 view, :func:`as_wiki` for v2.

Covered: paragraphs, hard breaks, headings (``h1.``), text marks (``*strong*``,
``_em_``, ``-strike-``, ``+underline+``, ``^sup^``, ``~sub~``, ``{{code}}``,
``{color}``), links, mentions (``[~accountid:...]``, ``[~name]``), emoticons,
nested bullet/ordered lists, ``{code}``/``{noformat}``, ``{quote}``/``bq.``,
tables, rules, ``{panel}`` and the ``{info}``-style panels. Anything unknown is
kept as text, never dropped. Every ADF produced here validates against the ADF
JSON schema (``adf-schema-full-v1.json``).
"""

from __future__ import annotations

import re
from typing import Any

from ..state.model import RichText

__all__ = ["ADF_REQUIRED", "adf_to_wiki", "as_adf", "as_wiki", "empty_doc", "is_adf_doc", "wiki_to_adf"]

Node = dict[str, Any]

# What Jira answers when a v3 rich-text field gets something other than ADF.
ADF_REQUIRED = "Operation value must be an Atlassian Document"

# Wiki emoticons and the ADF emoji short names Jira maps them to.
EMOTICONS: dict[str, str] = {
    ":)": ":slight_smile:",
    ":(": ":disappointed:",
    ":P": ":stuck_out_tongue:",
    ":D": ":grinning:",
    ";)": ":wink:",
    "(y)": ":thumbsup:",
    "(n)": ":thumbsdown:",
    "(i)": ":info:",
    "(/)": ":check_mark:",
    "(x)": ":cross_mark:",
    "(!)": ":warning:",
    "(?)": ":question:",
    "(on)": ":light_bulb_on:",
    "(off)": ":light_bulb_off:",
    "(*)": ":star:",
}
_EMOTICON_BY_NAME = {v: k for k, v in EMOTICONS.items()}

# Simple marks: wiki delimiter -> ADF mark.
_MARKS: dict[str, Node] = {
    "*": {"type": "strong"},
    "_": {"type": "em"},
    "-": {"type": "strike"},
    "+": {"type": "underline"},
    "^": {"type": "subsup", "attrs": {"type": "sup"}},
    "~": {"type": "subsup", "attrs": {"type": "sub"}},
}

# Panel types and the background colours Jira writes for them in wiki markup.
_PANEL_COLORS = {
    "info": "#deebff",
    "note": "#eae6ff",
    "success": "#e3fcef",
    "warning": "#fffae6",
    "error": "#ffebe6",
    "tip": "#e3fcef",
}
_PANEL_BY_COLOR = {
    "#deebff": "info",
    "#eae6ff": "note",
    "#e3fcef": "success",
    "#fffae6": "warning",
    "#ffebe6": "error",
}
_PANEL_MACROS = {"panel": "info", "info": "info", "note": "note", "tip": "success", "warning": "warning"}

# Block children each container accepts (a subset of the ADF schema's rules).
_LIST_BLOCKS = frozenset({"bulletList", "orderedList"})
_ALLOWED: dict[str, frozenset[str]] = {
    "listItem": frozenset({"paragraph", "codeBlock"}) | _LIST_BLOCKS,
    "blockquote": frozenset({"paragraph", "codeBlock"}) | _LIST_BLOCKS,
    "panel": frozenset({"paragraph", "heading", "codeBlock", "rule"}) | _LIST_BLOCKS,
    "tableCell": frozenset({"paragraph", "heading", "codeBlock", "rule", "blockquote", "panel"})
    | _LIST_BLOCKS,
}


def empty_doc() -> Node:
    return {"type": "doc", "version": 1, "content": []}


def is_adf_doc(value: Any) -> bool:
    """Whether ``value`` looks like an ADF document, the way Jira checks a v3 body."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


def as_adf(rt: RichText) -> Node:
    """The v3 view of stored rich text."""
    doc = rt.adf_doc()
    return doc if doc is not None else wiki_to_adf(rt.wiki or "")


def as_wiki(rt: RichText) -> str:
    """The v2 view of stored rich text."""
    if rt.wiki is not None:
        return rt.wiki
    doc = rt.adf_doc()
    return adf_to_wiki(doc) if doc is not None else ""


# ---------------------------------------------------------------------------
# wiki -> ADF
# ---------------------------------------------------------------------------

_INLINE = re.compile(
    r"""
      \{\{(?P<code>.+?)\}\}
    | \{color:(?P<color>[^}]+)\}(?P<ctext>.*?)\{color\}
    | \[~accountid:(?P<acc>[^\]\s]+)\]
    | \[~(?P<name>[^\]\s]+)\]
    | \[(?P<ltext>[^\]|\[]*)\|(?P<lhref>[^\]\s]+)\]
    | \[(?P<url>(?:https?|ftp|mailto|file):[^\]\s]+)\]
    | (?P<br>\\\\)
    | (?<!\w)(?P<m>[*_\-+^~])(?=\S)(?P<inner>.+?)(?<=\S)(?P=m)(?!\w)
    | (?P<emo>:\)|:\(|:P|:D|;\)|\(y\)|\(n\)|\(i\)|\(/\)|\(x\)|\(!\)|\(\?\)|\(on\)|\(off\)|\(\*\))
    """,
    re.VERBOSE,
)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAMED_COLORS = {
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "black": "#000000",
    "gray": "#808080",
}


def _text(text: str, marks: list[Node] | None = None) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node


def _add_mark(nodes: list[Node], mark: Node) -> list[Node]:
    """Apply ``mark`` to the text nodes of ``nodes`` (code text only takes links, per ADF)."""
    for node in nodes:
        if node["type"] != "text":
            continue
        marks = node.setdefault("marks", [])
        if mark["type"] != "link" and any(m["type"] == "code" for m in marks):
            continue
        if all(m["type"] != mark["type"] for m in marks):
            marks.append(mark)
    return nodes


def _inline(text: str) -> list[Node]:
    """Inline wiki markup -> ADF inline nodes."""
    out: list[Node] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(_text(text[pos : m.start()]))
        pos = m.end()
        g = m.groupdict()
        if g["code"] is not None:
            out.append(_text(g["code"], [{"type": "code"}]))
        elif g["color"] is not None:
            color = _NAMED_COLORS.get(g["color"].lower(), g["color"])
            inner = _inline(g["ctext"])
            out.extend(
                _add_mark(inner, {"type": "textColor", "attrs": {"color": color}})
                if _HEX.match(color)
                else inner
            )
        elif g["acc"] is not None or g["name"] is not None:
            ident = g["acc"] or g["name"]
            out.append({"type": "mention", "attrs": {"id": ident, "text": "@" + ident}})
        elif g["lhref"] is not None:
            label = g["ltext"] or g["lhref"]
            out.extend(_add_mark(_inline(label), {"type": "link", "attrs": {"href": g["lhref"]}}))
        elif g["url"] is not None:
            out.append(_text(g["url"], [{"type": "link", "attrs": {"href": g["url"]}}]))
        elif g["br"] is not None:
            out.append({"type": "hardBreak"})
        elif g["m"] is not None:
            out.extend(_add_mark(_inline(g["inner"]), dict(_MARKS[g["m"]])))
        else:
            out.append({"type": "emoji", "attrs": {"shortName": EMOTICONS[g["emo"]], "text": g["emo"]}})
    if pos < len(text):
        out.append(_text(text[pos:]))
    return [n for n in out if n["type"] != "text" or n["text"]]


def _paragraph(lines: list[str]) -> Node:
    content: list[Node] = []
    for i, line in enumerate(lines):
        if i:
            content.append({"type": "hardBreak"})
        content.extend(_inline(line))
    node: Node = {"type": "paragraph"}
    if content:
        node["content"] = content
    return node


_MACRO_OPEN = re.compile(r"^\{(code|noformat|quote|panel|info|note|tip|warning)(?::([^}]*))?\}(.*)$")
_HEADING = re.compile(r"^h([1-6])\.\s*(.*)$")
_BQ = re.compile(r"^bq\.\s+(.*)$")
_RULE = re.compile(r"^-{4,}$")
_LIST_ITEM = re.compile(r"^([*#-]+)\s+(.*)$")


def wiki_to_adf(text: str) -> Node:
    """A wiki markup string -> an ADF document."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {"type": "doc", "version": 1, "content": _blocks(lines)}


def _macro_body(lines: list[str], i: int, first: str, name: str) -> tuple[list[str], int]:
    """Lines inside a ``{name}...{name}`` macro opened on line ``i`` (rest of it = ``first``)."""
    close = "{" + name + "}"
    body: list[str] = []
    current, j = first, i
    while True:
        idx = current.find(close)
        if idx >= 0:
            if current[:idx]:
                body.append(current[:idx])
            return body, j + 1
        if current or j > i:
            body.append(current)
        j += 1
        if j >= len(lines):
            return body, j  # unclosed: Jira runs the macro to the end
        current = lines[j]


def _blocks(lines: list[str]) -> list[Node]:
    out: list[Node] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(_paragraph(para))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        macro = _MACRO_OPEN.match(s)
        if macro:
            flush()
            name, params, rest = macro.group(1), macro.group(2) or "", macro.group(3)
            body, i = _macro_body(lines, i, rest, name)
            out.append(_macro(name, params, body))
            continue
        i += 1
        if not s:
            flush()
        elif h := _HEADING.match(s):
            flush()
            node: Node = {"type": "heading", "attrs": {"level": int(h.group(1))}}
            if inline := _inline(h.group(2)):
                node["content"] = inline
            out.append(node)
        elif bq := _BQ.match(s):
            flush()
            out.append({"type": "blockquote", "content": [_paragraph([bq.group(1)])]})
        elif _RULE.match(s):
            flush()
            out.append({"type": "rule"})
        elif _LIST_ITEM.match(s):
            flush()
            items: list[tuple[str, str]] = []
            i -= 1
            while (
                i < len(lines)
                and (li := _LIST_ITEM.match(lines[i].strip()))
                and not _RULE.match(lines[i].strip())
            ):
                items.append((li.group(1), li.group(2)))
                i += 1
            out.extend(_lists(items))
        elif s.startswith("|"):
            flush()
            rows = [s]
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            out.append(_table(rows))
        else:
            para.append(line)
    flush()
    return out


def _macro(name: str, params: str, body: list[str]) -> Node:
    if name in ("code", "noformat"):
        node: Node = {"type": "codeBlock"}
        lang = params.split("|")[0].strip() if name == "code" else ""
        if lang and "=" not in lang:
            node["attrs"] = {"language": lang}
        if code := "\n".join(body):
            node["content"] = [_text(code)]
        return node
    inner = _blocks(body) or [{"type": "paragraph"}]
    if name == "quote":
        return {"type": "blockquote", "content": _fit(inner, "blockquote")}
    panel_type = _PANEL_MACROS[name]
    for param in params.split("|"):
        key, _, value = param.partition("=")
        if key.strip() == "bgColor":
            panel_type = _PANEL_BY_COLOR.get(value.strip().lower(), panel_type)
    return {"type": "panel", "attrs": {"panelType": panel_type}, "content": _fit(inner, "panel")}


def _fit(nodes: list[Node], container: str) -> list[Node]:
    """Make ``nodes`` acceptable children of ``container``, unwrapping what it cannot hold."""
    allowed = _ALLOWED[container]
    out: list[Node] = []
    for node in nodes:
        kind = node["type"]
        if kind in allowed:
            out.append(node)
        elif kind == "heading":
            para: Node = {"type": "paragraph"}
            if "content" in node:
                para["content"] = node["content"]
            out.append(para)
        elif kind == "rule":
            out.append({"type": "paragraph", "content": [_text("----")]})
        elif kind == "table":
            for row in node["content"]:
                for cell in row["content"]:
                    out.extend(_fit(cell["content"], container))
        else:
            out.extend(_fit(node.get("content", []), container))
    return out or [{"type": "paragraph"}]


def _lists(items: list[tuple[str, str]]) -> list[Node]:
    """Consecutive list lines (markers, text) -> nested bullet/ordered lists."""
    roots: list[Node] = []
    stack: list[Node] = []  # the open list node at each depth

    def open_list(kind: str) -> Node:
        new: Node = {"type": kind, "content": []}
        if not stack:
            roots.append(new)
        else:
            parent = stack[-1]
            if not parent["content"]:
                parent["content"].append({"type": "listItem", "content": []})
            parent["content"][-1]["content"].append(new)
        return new

    for markers, text in items:
        while len(stack) > len(markers):
            stack.pop()
        while len(stack) < len(markers):
            stack.append(open_list(_list_kind(markers[len(stack)])))
        kind = _list_kind(markers[-1])
        if stack[-1]["type"] != kind:
            stack.pop()
            stack.append(open_list(kind))
        stack[-1]["content"].append({"type": "listItem", "content": [_paragraph([text])]})
    return roots


def _list_kind(marker: str) -> str:
    return "orderedList" if marker == "#" else "bulletList"


def _split_cells(row: str) -> list[tuple[bool, str]]:
    """``||h||h||`` / ``|c|c|`` -> (is_header, text) cells; ``|`` inside ``[...]`` or ``{...}`` is text."""
    cells: list[tuple[bool, str]] = []
    depth = 0
    i = 0
    header = False
    buf: list[str] = []
    started = False
    while i < len(row):
        ch = row[i]
        if ch in "[{":
            depth += 1
        elif ch in "]}" and depth:
            depth -= 1
        if ch == "|" and not depth:
            if started:
                cells.append((header, "".join(buf).strip()))
            buf = []
            started = True
            header = row.startswith("||", i)
            i += 2 if header else 1
            continue
        buf.append(ch)
        i += 1
    if "".join(buf).strip():
        cells.append((header, "".join(buf).strip()))
    return cells


def _table(rows: list[str]) -> Node:
    content: list[Node] = []
    for row in rows:
        cells: list[Node] = [
            {"type": "tableHeader" if header else "tableCell", "attrs": {}, "content": [_paragraph([text])]}
            for header, text in _split_cells(row)
        ]
        if cells:
            content.append({"type": "tableRow", "content": cells})
    return {
        "type": "table",
        "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
        "content": content,
    }


# ---------------------------------------------------------------------------
# ADF -> wiki
# ---------------------------------------------------------------------------


def adf_to_wiki(doc: Node) -> str:
    """An ADF document (or any ADF node) -> wiki markup."""
    if doc.get("type") == "doc":
        return _blocks_wiki(doc.get("content") or [])
    return _block_wiki(doc)


def _blocks_wiki(nodes: list[Any]) -> str:
    return "\n\n".join(text for n in nodes if isinstance(n, dict) and (text := _block_wiki(n)) != "")


def _block_wiki(node: Node) -> str:
    kind = node.get("type")
    content = node.get("content") or []
    attrs = node.get("attrs") or {}
    if kind == "paragraph":
        return _inline_wiki(content)
    if kind == "heading":
        return f"h{attrs.get('level', 1)}. {_inline_wiki(content)}"
    if kind in ("bulletList", "orderedList"):
        return "\n".join(_list_wiki(node, ""))
    if kind == "codeBlock":
        lang = attrs.get("language")
        opening = f"{{code:{lang}}}" if lang else "{code}"
        return f"{opening}\n{_plain(content)}\n{{code}}"
    if kind == "blockquote":
        return "{quote}\n" + _blocks_wiki(content) + "\n{quote}"
    if kind == "rule":
        return "----"
    if kind == "panel":
        color = _PANEL_COLORS.get(str(attrs.get("panelType")), str(attrs.get("panelColor") or "#deebff"))
        return f"{{panel:bgColor={color}}}\n" + _blocks_wiki(content) + "\n{panel}"
    if kind == "table":
        return "\n".join(_row_wiki(row) for row in content if isinstance(row, dict))
    if kind in ("mediaSingle", "mediaGroup"):
        return " ".join(_media_wiki(m) for m in content if isinstance(m, dict))
    if kind == "media":
        return _media_wiki(node)
    if any(isinstance(c, dict) and c.get("type") in _INLINE_KINDS for c in content):
        return _inline_wiki(content)
    if content:
        return _blocks_wiki(content)
    return _inline_node_wiki(node)  # unknown leaf: keep whatever text it carries


def _list_wiki(node: Node, prefix: str) -> list[str]:
    marker = prefix + ("#" if node.get("type") == "orderedList" else "*")
    lines: list[str] = []
    for item in node.get("content") or []:
        if not isinstance(item, dict):
            continue
        text_parts: list[str] = []
        nested: list[str] = []
        for child in item.get("content") or []:
            if not isinstance(child, dict):
                continue
            if child.get("type") in ("bulletList", "orderedList"):
                nested.extend(_list_wiki(child, marker))
            else:
                text_parts.append(_block_wiki(child))
        if text_parts or not nested:
            lines.append(f"{marker} " + "\n".join(text_parts))
        lines.extend(nested)
    return lines


def _row_wiki(row: Node) -> str:
    out = ""
    sep = "|"
    for cell in row.get("content") or []:
        if not isinstance(cell, dict):
            continue
        sep = "||" if cell.get("type") == "tableHeader" else "|"
        text = _blocks_wiki(cell.get("content") or []).replace("\n\n", "\n")
        out += f"{sep}{text or ' '}"
    return out + sep


def _media_wiki(node: Node) -> str:
    attrs = node.get("attrs") or {}
    return f"!{attrs.get('alt') or attrs.get('id') or attrs.get('url') or 'attachment'}!"


_INLINE_KINDS = frozenset(
    {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "mediaInline"}
)

# Mark order, innermost first, so wiki delimiters nest the way Jira writes them.
_MARK_WIKI = {"strong": "*", "em": "_", "strike": "-", "underline": "+"}


def _inline_wiki(nodes: list[Any]) -> str:
    return "".join(_inline_node_wiki(n) for n in nodes if isinstance(n, dict))


def _inline_node_wiki(node: Node) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "text":
        return _marked(str(node.get("text", "")), node.get("marks") or [])
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        return f"[~accountid:{attrs.get('id', '')}]"
    if kind == "emoji":
        short = str(attrs.get("shortName", ""))
        return _EMOTICON_BY_NAME.get(short) or str(attrs.get("text") or short)
    if kind in ("inlineCard", "blockCard", "embedCard"):
        url = attrs.get("url")
        return f"[{url}]" if url else ""
    if kind == "date":
        return str(attrs.get("timestamp", ""))
    if kind == "status":
        return str(attrs.get("text", ""))
    if node.get("content"):
        return _inline_wiki(node["content"])
    return str(attrs.get("text") or attrs.get("url") or node.get("text") or "")


def _marked(text: str, marks: list[Any]) -> str:
    link: str | None = None
    for mark in marks:
        if not isinstance(mark, dict):
            continue
        kind = mark.get("type")
        attrs = mark.get("attrs") or {}
        if kind == "code":
            text = "{{" + text + "}}"
        elif kind in _MARK_WIKI:
            text = _MARK_WIKI[kind] + text + _MARK_WIKI[kind]
        elif kind == "subsup":
            delim = "^" if attrs.get("type") == "sup" else "~"
            text = delim + text + delim
        elif kind == "textColor":
            text = f"{{color:{attrs.get('color', '')}}}{text}{{color}}"
        elif kind == "link":
            link = str(attrs.get("href", ""))
    if link is not None:
        return f"[{link}]" if text == link else f"[{text}|{link}]"
    return text


def _plain(nodes: list[Any]) -> str:
    return "".join(str(n.get("text", "")) for n in nodes if isinstance(n, dict))
