"""``jiragw.gateway.links``: which answers are rewritten, and how."""

from __future__ import annotations

import pytest

from jiragw.gateway.links import MAX_REWRITE_BYTES, LinkRewriter, rewritable

SITE = "https://acme.atlassian.net"
API = "https://api.atlassian.com/ex/jira/0f0e-cloud"
PROXY = "https://gw.example.com/jira/acme"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"content-type", b"application/json")], True),
        ([(b"content-type", b"application/json;charset=UTF-8")], True),
        ([(b"content-type", b"Application/JSON ; charset=utf-8")], True),
        ([(b"content-type", b"application/vnd.api+json")], True),
        ([(b"content-type", b"application/json"), (b"content-encoding", b"gzip")], True),
        ([(b"content-type", b"application/json"), (b"content-encoding", b"identity")], True),
        ([(b"content-type", b"application/json"), (b"content-encoding", b"br")], False),
        ([(b"content-type", b"application/json"), (b"content-encoding", b"gzip, zstd")], False),
        ([(b"content-type", b"application/json"), (b"content-length", b"12")], True),
        (
            [
                (b"content-type", b"application/json"),
                (b"content-length", str(MAX_REWRITE_BYTES + 1).encode()),
            ],
            False,
        ),
        ([(b"content-type", b"application/json"), (b"content-length", b"lots")], False),
        ([(b"content-type", b"text/html")], False),
        ([(b"content-type", b"application/jsonp")], False),
        ([(b"content-type", b"image/png")], False),
        ([], False),
    ],
)
def test_rewritable(headers: list[tuple[bytes, bytes]], expected: bool) -> None:
    assert rewritable(headers) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'{{"self":"{SITE}/rest/api/3/issue/1"}}', f'{{"self":"{PROXY}/rest/api/3/issue/1"}}'),
        (f'{{"self":"{API}/rest/api/3/issue/1"}}', f'{{"self":"{PROXY}/rest/api/3/issue/1"}}'),
        (f'"{API}/rest/agile/1.0/board/3"', f'"{PROXY}/rest/agile/1.0/board/3"'),
        (f'"{SITE}/rest/api/2/search?jql=a&startAt=50"', f'"{PROXY}/rest/api/2/search?jql=a&startAt=50"'),
        # People's links, and the bases without an API path, stay Jira's.
        (f'"{SITE}/browse/PRJ-1"', f'"{SITE}/browse/PRJ-1"'),
        (f'"{SITE}/secure/useravatar?id=1"', f'"{SITE}/secure/useravatar?id=1"'),
        (f'{{"baseUrl":"{SITE}"}}', f'{{"baseUrl":"{SITE}"}}'),
        (f'"{SITE}/rest/auth/1/session"', f'"{SITE}/rest/auth/1/session"'),
        # Another host that merely starts like the site is not the site.
        (f'"{SITE}.evil.test/rest/api/3/x"', f'"{SITE}.evil.test/rest/api/3/x"'),
        (
            '{"self":"https://other.atlassian.net/rest/api/3/x"}',
            '{"self":"https://other.atlassian.net/rest/api/3/x"}',
        ),
        ("Ünïcödé and no link", "Ünïcödé and no link"),
    ],
)
def test_rewrite(text: str, expected: str) -> None:
    rewriter = LinkRewriter([SITE, API + "/"], PROXY + "/")
    assert rewriter.rewrite(text.encode()).decode() == expected


def test_the_longer_base_wins() -> None:
    """A base extending another (a DC context path) is rewritten whole, never half."""
    rewriter = LinkRewriter(["https://jira.corp", "https://jira.corp/jira"], PROXY)
    body = b'["https://jira.corp/jira/rest/api/2/issue/1", "https://jira.corp/rest/api/2/issue/2"]'
    assert rewriter.rewrite(body) == (
        f'["{PROXY}/rest/api/2/issue/1", "{PROXY}/rest/api/2/issue/2"]'.encode()
    )


def test_no_bases_leaves_the_body_alone() -> None:
    body = b'{"self":"https://x/rest/api/2/issue/1"}'
    assert LinkRewriter(["", ""], PROXY).rewrite(body) is body
