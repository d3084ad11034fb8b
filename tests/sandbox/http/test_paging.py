"""nextPageToken encoding: round trip, and refusal of foreign, tampered or malformed tokens."""

from __future__ import annotations

import base64

import pytest

from jiragw.sandbox.http.paging import PageTokenError, decode_page_token, encode_page_token


def test_round_trip() -> None:
    token = encode_page_token("project = PRJ", 150, scope="site-1")
    assert decode_page_token(token, "project = PRJ", scope="site-1") == 150
    assert "=" not in token  # url-safe and unpadded


@pytest.mark.parametrize(("jql", "scope"), [("project = MOB", "site-1"), ("project = PRJ", "site-2")])
def test_token_is_bound_to_its_query(jql: str, scope: str) -> None:
    token = encode_page_token("project = PRJ", 50, scope="site-1")
    with pytest.raises(PageTokenError):
        decode_page_token(token, jql, scope=scope)


def _forge(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode()


@pytest.mark.parametrize(
    "token",
    [
        "BOGUS",
        "!!!",
        _forge(b"[1, 2]"),
        _forge(b'{"v": 2, "q": "x", "o": 1}'),
        _forge(b'{"v": 1, "o": -5}'),
        _forge(b'{"v": 1, "o": true}'),
        _forge(b"\xff\xfe"),
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(PageTokenError):
        decode_page_token(token, "project = PRJ")


def test_negative_offsets_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="negative"):
        encode_page_token("x", -1)
