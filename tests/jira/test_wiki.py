"""Jira wiki markup ↔ ADF ↔ Markdown: examples per construct, schema validity, round-trip properties."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiragw.jira.wiki import adf_to_wiki, md_to_wiki, wiki_to_adf, wiki_to_md
from tests.conftest import SPEC_DIR, need_shared

Node = dict[str, Any]


@functools.cache
def _load_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(need_shared(SPEC_DIR / "adf-schema-full-v1.json").read_text("utf-8"))
    return jsonschema.Draft7Validator(schema)


def strip_ids(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: strip_ids({a: b for a, b in v.items() if a != "localId"} if k == "attrs" else v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [strip_ids(n) for n in node]
    return node


@pytest.mark.parametrize(
    ("md", "wiki"),
    [
        ("## Title", "h2. Title"),
        ("**b** *e* ~~s~~ `c`", "*b* _e_ -s- {{c}}"),
        ("[text](https://x.test/a)", "[text|https://x.test/a]"),
        ("@[Ada](accountid:5b10)", "[~accountid:5b10]"),
        ("- a\n  - b\n- c", "* a\n** b\n* c"),
        ("1. a\n   - b", "# a\n#* b"),
        ("- [ ] todo\n- [x] done", "* ( ) todo\n* (/) done"),
        ("```python\nx = 1\n```", "{code:python}\nx = 1\n{code}"),
        ("> quoted", "{quote}\nquoted\n{quote}"),
        ("> [!TIP]\n> hint", "{tip}\nhint\n{tip}"),
        ("> [!SUCCESS]\n> yay", "{panel:panelType=success}\nyay\n{panel}"),
        ("| h | i |\n|---|---|\n| c | d |", "||h||i||\n|c|d|"),
        ("---", "----"),
        ("a\\\nb", "a\nb"),
        ("![](https://img.test/x.png)", "!https://img.test/x.png!"),
        (":smile: and a*b a-b [x]", ":smile: and a\\*b a\\-b \\[x\\]"),
    ],
)
def test_markdown_to_wiki_and_back(md: str, wiki: str) -> None:
    assert md_to_wiki(md) == wiki + "\n"
    assert md_to_wiki(wiki_to_md(wiki)) == wiki + "\n"


def test_dates_and_statuses_become_readable_text() -> None:
    assert md_to_wiki("{date:2024-01-31} {status:DONE|green}") == "2024-01-31 \\[DONE\\]\n"


@pytest.mark.parametrize(
    ("wiki", "md"),
    [
        ("bq. a quote", "> a quote"),
        ("{noformat}\nraw *text*\n{noformat}", "```\nraw *text*\n```"),
        ("- dash bullet", "- dash bullet"),
        ("line\\\\forced", "line\\\nforced"),
        ("{warning}careful{warning}", "> [!WARNING]\n> careful"),
        ("[https://x.test]", "[https://x.test](https://x.test)"),
        ("snake_case_name and 10-20-30", "snake\\_case\\_name and 10-20-30"),
        ("*unclosed bold", "\\*unclosed bold"),
    ],
)
def test_wiki_forms_jira_also_accepts(wiki: str, md: str) -> None:
    assert wiki_to_md(wiki) == md + "\n"


@pytest.mark.parametrize(
    "wiki",
    [
        "{quote}\nh1. heading in quote\n||t||\n{quote}",
        "{panel}\n{quote}nested{quote}\n{panel}",
        "{code}\nnever closed",
        "|a|b|\n|c|",
        "* \n# mixed\n## deeper",
        "{info}\n{info}",
        "!image.png!",
    ],
)
def test_odd_wiki_still_gives_valid_adf(wiki: str) -> None:
    _load_validator().validate(wiki_to_adf(wiki))


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"type": "somethingNew"}, "[ADF node: somethingNew]"),
        (
            {
                "type": "expand",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "inner"}]}],
            },
            "inner",
        ),
        ({"type": "paragraph", "content": [{"type": "placeholder", "attrs": {"text": "hint"}}]}, "hint"),
    ],
)
def test_unknown_adf_nodes_stay_visible(node: Node, expected: str) -> None:
    wiki = adf_to_wiki({"type": "doc", "version": 1, "content": [node]})
    assert expected in wiki.replace("\\", "")


_word = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,7}", fullmatch=True)


def _text(text: str, *marks: str) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


_piece = st.one_of(
    _word.map(_text),
    st.tuples(_word, st.sampled_from([("strong",), ("em",), ("strike",), ("code",), ("strong", "em")])).map(
        lambda t: _text(t[0], *t[1])
    ),
    st.tuples(_word, _word).map(
        lambda t: {
            "type": "text",
            "text": t[0],
            "marks": [{"type": "link", "attrs": {"href": f"https://x.test/{t[1]}"}}],
        }
    ),
    _word.map(lambda w: {"type": "mention", "attrs": {"id": w, "text": f"@{w}"}}),
    _word.map(lambda w: {"type": "emoji", "attrs": {"shortName": f":{w.lower()}:"}}),
)


def _join(pieces: list[Node]) -> list[Node]:
    out: list[Node] = []
    for piece in pieces:
        if out:
            if out[-1]["type"] == "text" and "marks" not in out[-1]:
                out[-1] = _text(out[-1]["text"] + " ")
            else:
                out.append(_text(" "))
        if (
            piece["type"] == "text"
            and "marks" not in piece
            and out
            and out[-1]["type"] == "text"
            and "marks" not in out[-1]
        ):
            out[-1] = _text(out[-1]["text"] + piece["text"])
        else:
            out.append(piece)
    return out


_inline = st.lists(_piece, min_size=1, max_size=5).map(_join)
_para = _inline.map(lambda c: {"type": "paragraph", "content": c})
_block = st.one_of(
    _para,
    st.tuples(st.integers(1, 6), _inline).map(
        lambda t: {"type": "heading", "attrs": {"level": t[0]}, "content": t[1]}
    ),
    st.tuples(st.sampled_from(["python", "sql"]), _word).map(
        lambda t: {"type": "codeBlock", "attrs": {"language": t[0]}, "content": [_text(t[1] + "\n  *x*")]}
    ),
    st.lists(_para, min_size=1, max_size=3).map(
        lambda ps: {"type": "bulletList", "content": [{"type": "listItem", "content": [p]} for p in ps]}
    ),
    st.lists(_para, min_size=1, max_size=3).map(
        lambda ps: {"type": "orderedList", "content": [{"type": "listItem", "content": [p]} for p in ps]}
    ),
    st.lists(st.tuples(st.sampled_from(["TODO", "DONE"]), _inline), min_size=1, max_size=3).map(
        lambda items: {
            "type": "taskList",
            "attrs": {"localId": "l"},
            "content": [
                {"type": "taskItem", "attrs": {"localId": "i", "state": s}, "content": c} for s, c in items
            ],
        }
    ),
    _para.map(lambda p: {"type": "blockquote", "content": [p]}),
    st.tuples(st.sampled_from(["info", "note", "tip", "warning", "error", "success"]), _para).map(
        lambda t: {"type": "panel", "attrs": {"panelType": t[0]}, "content": [t[1]]}
    ),
    st.just({"type": "rule"}),
    st.lists(st.lists(_word, min_size=2, max_size=2), min_size=1, max_size=3).map(
        lambda rows: {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {
                            "type": "tableHeader" if r == 0 else "tableCell",
                            "content": [{"type": "paragraph", "content": [_text(w)]}],
                        }
                        for w in row
                    ],
                }
                for r, row in enumerate(rows)
            ],
        }
    ),
    st.tuples(_inline, _inline).map(
        lambda t: {"type": "paragraph", "content": [*t[0], {"type": "hardBreak"}, *t[1]]}
    ),
)


def _separate_lists(blocks: list[Node]) -> list[Node]:
    """Wiki cannot write two adjacent lists of one kind: they read back as one."""
    out: list[Node] = []
    for block in blocks:
        if (
            out
            and block["type"] in ("bulletList", "orderedList", "taskList")
            and out[-1]["type"]
            in (
                "bulletList",
                "orderedList",
                "taskList",
            )
        ):
            out.append({"type": "rule"})
        out.append(block)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_block, min_size=1, max_size=5).map(_separate_lists))
def test_adf_survives_a_trip_through_wiki(blocks: list[Node]) -> None:
    doc = {"type": "doc", "version": 1, "content": blocks}
    _load_validator().validate(doc)
    assert strip_ids(wiki_to_adf(adf_to_wiki(doc))) == strip_ids(doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab *_-+{}[]|!#~:\\\n()/.h1", max_size=60))
def test_any_wiki_text_gives_valid_adf_and_a_fixed_point(wiki: str) -> None:
    doc = wiki_to_adf(wiki)
    _load_validator().validate(doc)
    wiki2 = adf_to_wiki(doc)
    assert adf_to_wiki(wiki_to_adf(wiki2)) == wiki2
