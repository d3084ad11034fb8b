"""The one helper that puts ids into URL paths: each value is exactly one encoded segment."""

from __future__ import annotations

import pytest

from jiragw.errors import InvalidInput
from jiragw.jira.urlpath import path, segment


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("ABC-12", "ABC-12"),
        (10001, "10001"),
        ("X-1/../../pat", "X-1%2F..%2F..%2Fpat"),
        ("a?b#c", "a%3Fb%23c"),
        ("50%", "50%25"),
        ("%2e%2e", "%252e%252e"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a;b", "a%3Bb"),
        ("a\\b", "a%5Cb"),
        ("ü", "%C3%BC"),
        ("\r\n", "%0D%0A"),
    ],
)
def test_a_value_becomes_one_encoded_segment(value: str | int, encoded: str) -> None:
    assert segment(value) == encoded


def test_an_empty_value_is_refused() -> None:
    with pytest.raises(InvalidInput):
        segment("")


def test_path_fills_each_placeholder_with_one_segment() -> None:
    assert path("/issue/{}/comment/{}", "PRJ-1/../PRJ-2", 7) == "/issue/PRJ-1%2F..%2FPRJ-2/comment/7"
    with pytest.raises(TypeError):
        path("/issue/{}", "A-1", "extra")
