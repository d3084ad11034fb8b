"""ADF <-> wiki markup conversion: shapes, round trips, and ADF schema validity."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from jiragw.sandbox.rendering.richtext import adf_to_wiki, as_adf, as_wiki, is_adf_doc, wiki_to_adf
from jiragw.sandbox.state.model import RichText
from tests.conftest import SPEC_DIR, need_shared

WIKI_SAMPLES = [
    "",
    "plain text",
    "line one\nline two\n\nsecond paragraph",
    "h1. Title\nh3. *Bold* heading",
    "*bold* _em_ -strike- +under+ ^sup^ ~sub~ {{code}}",
    "*{{bold code}}* and {color:#ff0000}red{color} and {color:red}named{color}",
    "[a link|https://example.com] and [https://example.org] and [~accountid:5b10ac] and [~bob]",
    "smile :) thumbs (y) check (/) warn (!)",
    "* one\n** nested\n*# mixed\n* two\n# first\n# second",
    "{code:python}\ndef f():\n    return 1\n{code}",
    "{noformat}\nraw *text*\n{noformat}",
    "{code}one-liner{code}",
    "bq. a quote",
    "{quote}\nquoted para\nh2. heading inside\n* list inside\n{quote}",
    "before\n----\nafter",
    "||H1||H2||\n|c1|[x|http://z]|\n|*b*| |",
    "{panel:title=T|bgColor=#fffae6}\npanel *text*\n{panel}",
    "{info}\ninfo body\n{info}\n{warning}\nwatch out\n{warning}",
    "{unknown}stuff{unknown} and {panel}",
    "forced\\\\break",
]


@pytest.fixture(scope="module")
def adf_validator() -> Any:
    schema = json.loads(need_shared(SPEC_DIR / "adf-schema-full-v1.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@pytest.mark.parametrize("wiki", WIKI_SAMPLES)
def test_wiki_to_adf_is_valid_adf(wiki: str, adf_validator: Any) -> None:
    doc = wiki_to_adf(wiki)
    errors = [e.message for e in adf_validator.iter_errors(doc)]
    assert errors == []
    assert is_adf_doc(doc)


@pytest.mark.parametrize("wiki", WIKI_SAMPLES)
def test_round_trip_is_stable(wiki: str, adf_validator: Any) -> None:
    """wiki -> ADF -> wiki -> ADF gives the same document as the first conversion."""
    doc = wiki_to_adf(wiki)
    again = wiki_to_adf(adf_to_wiki(doc))
    assert again == doc
    assert adf_validator.is_valid(again)


def _only(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["content"]) == 1, doc
    node: dict[str, Any] = doc["content"][0]
    return node


def test_heading_and_marks() -> None:
    h = _only(wiki_to_adf("h2. Hello *world*"))
    assert h["type"] == "heading"
    assert h["attrs"] == {"level": 2}
    assert h["content"] == [
        {"type": "text", "text": "Hello "},
        {"type": "text", "text": "world", "marks": [{"type": "strong"}]},
    ]


def test_link_mention_and_emoji() -> None:
    p = _only(wiki_to_adf("[docs|https://x.io] [~accountid:abc] (y)"))
    kinds = [n["type"] for n in p["content"]]
    assert kinds == ["text", "text", "mention", "text", "emoji"]
    assert p["content"][0]["marks"] == [{"type": "link", "attrs": {"href": "https://x.io"}}]
    assert p["content"][2]["attrs"]["id"] == "abc"
    assert p["content"][4]["attrs"]["shortName"] == ":thumbsup:"


def test_nested_lists() -> None:
    doc = wiki_to_adf("* a\n** b\n* c")
    lst = _only(doc)
    assert lst["type"] == "bulletList"
    first = lst["content"][0]
    assert first["content"][1]["type"] == "bulletList"
    assert first["content"][1]["content"][0]["content"][0]["content"][0]["text"] == "b"
    assert adf_to_wiki(doc) == "* a\n** b\n* c"


def test_code_block_language_kept() -> None:
    block = _only(wiki_to_adf("{code:java}\nint x;\n{code}"))
    assert block == {
        "type": "codeBlock",
        "attrs": {"language": "java"},
        "content": [{"type": "text", "text": "int x;"}],
    }
    assert adf_to_wiki({"type": "doc", "version": 1, "content": [block]}) == "{code:java}\nint x;\n{code}"


def test_table_header_cells() -> None:
    table = _only(wiki_to_adf("||A||B||\n|1|2|"))
    assert [c["type"] for c in table["content"][0]["content"]] == ["tableHeader", "tableHeader"]
    assert [c["type"] for c in table["content"][1]["content"]] == ["tableCell", "tableCell"]
    assert adf_to_wiki({"type": "doc", "version": 1, "content": [table]}) == "||A||B||\n|1|2|"


def test_panel_type_from_colour_and_macro() -> None:
    assert _only(wiki_to_adf("{panel:bgColor=#ffebe6}\nx\n{panel}"))["attrs"] == {"panelType": "error"}
    assert _only(wiki_to_adf("{note}\nx\n{note}"))["attrs"] == {"panelType": "note"}


def test_unknown_macro_kept_as_text() -> None:
    p = _only(wiki_to_adf("{toc} {status:colour=Green}"))
    assert "".join(n.get("text", "") for n in p["content"]) == "{toc} {status:colour=Green}"


def test_adf_to_wiki_shapes() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [
                {"type": "text", "text": "hi", "marks": [{"type": "em"}]},
                {"type": "hardBreak"},
                {"type": "mention", "attrs": {"id": "acc-1", "text": "@Ann"}},
            ]},
            {"type": "rule"},
            {"type": "blockquote", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "q"}]}]},
            {"type": "panel", "attrs": {"panelType": "info"}, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "p"}]}]},
        ],
    }  # fmt: skip
    assert adf_to_wiki(doc) == (
        "_hi_\n[~accountid:acc-1]\n\n----\n\n{quote}\nq\n{quote}\n\n{panel:bgColor=#deebff}\np\n{panel}"
    )


def test_unknown_adf_nodes_are_never_dropped() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "expand", "attrs": {"title": "More"}, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "hidden text"}]}]},
            {"type": "paragraph", "content": [
                {"type": "status", "attrs": {"text": "DONE", "color": "green"}},
                {"type": "inlineCard", "attrs": {"url": "https://card.example"}},
                {"type": "futureInline", "attrs": {"text": "future"}},
            ]},
        ],
    }  # fmt: skip
    wiki = adf_to_wiki(doc)
    for fragment in ("hidden text", "DONE", "https://card.example", "future"):
        assert fragment in wiki


def test_as_adf_and_as_wiki_choose_stored_format() -> None:
    adf = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}],
    }
    from_adf = RichText.from_adf(adf)
    from_wiki = RichText.from_wiki("*y*")
    assert as_adf(from_adf) == adf
    assert as_wiki(from_adf) == "x"
    assert as_wiki(from_wiki) == "*y*"
    assert as_adf(from_wiki)["content"][0]["content"][0]["marks"] == [{"type": "strong"}]


@pytest.mark.parametrize(
    "value", ["text", None, {"type": "doc"}, {"type": "paragraph", "version": 1, "content": []}]
)
def test_is_adf_doc_rejects_non_documents(value: Any) -> None:
    assert not is_adf_doc(value)
