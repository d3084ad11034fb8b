"""The rich-text check: ADF on v3, strings on v2, only where Jira puts rich text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conformance.richtext import rich_text_problems
from tests.conftest import SPEC_DIR, need_shared

pytestmark = pytest.mark.spec

DOC = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}],
}


@pytest.fixture(scope="module")
def adf() -> Path:
    return need_shared(SPEC_DIR / "adf-schema-full-v1.json")


def issue(description: Any, comment_body: Any = None) -> dict[str, Any]:
    comments = [] if comment_body is None else [{"id": "1", "author": {}, "body": comment_body}]
    return {
        "id": "10001",
        "key": "PRJ-1",
        "fields": {"description": description, "comment": {"comments": comments}},
    }


def test_v3_accepts_adf_and_null(adf: Path) -> None:
    assert rich_text_problems(issue(DOC, DOC), v3=True, adf_schema=adf) == []
    assert rich_text_problems(issue(None), v3=True, adf_schema=adf) == []


def test_v3_rejects_strings_and_invalid_adf(adf: Path) -> None:
    bad_adf = {"type": "doc", "version": 1, "content": [{"type": "nope"}]}
    found = rich_text_problems(issue("wiki *text*", bad_adf), v3=True, adf_schema=adf)
    paths = [p.path for p in found]
    assert "$.fields.description" in paths
    assert any(p.startswith("$.fields.comment.comments[0].body") for p in paths)
    assert all(p.message.startswith(("REST v3", "ADF:")) for p in found)


def test_v2_wants_strings(adf: Path) -> None:
    assert rich_text_problems(issue("text", "comment"), v3=False, adf_schema=adf) == []
    found = rich_text_problems(issue(DOC), v3=False, adf_schema=adf)
    assert [p.path for p in found] == ["$.fields.description"]


def test_metadata_fields_are_not_rich_text(adf: Path) -> None:
    # A createmeta issue type has "fields" keyed by field id, holding metadata objects.
    createmeta = {
        "projects": [{"issuetypes": [{"id": "10001", "fields": {"description": {"required": False}}}]}]
    }
    assert rich_text_problems(createmeta, v3=True, adf_schema=adf) == []
    rendered = {"key": "PRJ-1", "fields": {}, "renderedFields": {"description": "<p>x</p>"}}
    assert rich_text_problems(rendered, v3=True, adf_schema=adf) == []
