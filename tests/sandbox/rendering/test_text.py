"""Plain text from ADF and wiki rich text, and the cached searchable issue text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jiragw.sandbox.rendering.text import issue_text, plain_text
from jiragw.sandbox.state.model import Comment, Issue, RichText

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_adf_walks_every_node_kind() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Title"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Hi ", "marks": [{"type": "strong"}]},
                    {"type": "mention", "attrs": {"id": "abc", "text": "@Alice"}},
                    {"type": "hardBreak"},
                    {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
                    {"type": "status", "attrs": {"text": "BLOCKED", "color": "red"}},
                    {"type": "date", "attrs": {"timestamp": "1706659200000"}},
                    {"type": "inlineCard", "attrs": {"url": "https://example.com/x"}},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}],
                    }
                ],
            },
            {"type": "codeBlock", "content": [{"type": "text", "text": "print(1)"}]},
        ],
    }
    text = plain_text(RichText.from_adf(doc))
    for part in (
        "Title",
        "Hi",
        "@Alice",
        "😄",
        "BLOCKED",
        "2024-01-31",
        "https://example.com/x",
        "one",
        "print(1)",
    ):
        assert part in text
    assert "Titlehi" not in text.replace("\n", "")  # blocks never run together
    assert "Title\n" in text


@pytest.mark.parametrize(
    ("wiki", "expected"),
    [
        ("*bold* and _italic_", "bold and italic"),
        ("h1. Heading", "Heading"),
        ("see [the docs|https://x.test] now", "see the docs now"),
        ("ping [~alice]", "ping alice"),
        ("{code:python}x = 1{code}", "x = 1"),
        ("use {{monospace}}", "use monospace"),
        ("!screenshot.png! done", "done"),
        ("|| a || b ||", "a b"),
        ("plain words", "plain words"),
    ],
)
def test_wiki_markup_is_stripped(wiki: str, expected: str) -> None:
    assert " ".join(plain_text(RichText.from_wiki(wiki)).split()) == expected


def test_none_and_plain_strings() -> None:
    assert plain_text(None) == ""
    assert plain_text("already plain") == "already plain"
    assert plain_text(RichText()) == ""


def test_issue_text_covers_all_sources_and_is_cached() -> None:
    issue = Issue(
        id=1,
        key="A-1",
        project_id=1,
        issue_type_id="1",
        summary="Summary WORD",
        status_id="1",
        reporter=None,
        creator=None,
        created=T0,
        updated=T0,
        description=RichText.from_wiki("*Description* here"),
        environment=RichText.from_wiki("Linux box"),
        custom={
            "customfield_1": RichText.from_wiki("criteria text"),
            "customfield_2": "team name",
            "customfield_3": 5,
            "customfield_4": {"value": "High"},
        },
    )
    issue.comments.append(Comment(1, 1, "u", RichText.from_wiki("a comment"), T0, T0, "u"))
    text = issue_text(issue)
    for part in ("summary word", "description here", "linux box", "a comment", "criteria text", "team name"):
        assert part in text
    assert issue.text_cache == text
    issue.summary = "changed"
    assert issue_text(issue) == text  # cached until invalidated
    issue.text_cache = None
    assert "changed" in issue_text(issue)
