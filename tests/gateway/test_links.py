"""``jiragw.gateway.links``: which answers are rewritten, and how."""

from __future__ import annotations

import json

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
        # Avatars are fetched with the caller's credentials: onto the proxy too.
        (f'"{SITE}/secure/useravatar?id=1"', f'"{PROXY}/secure/useravatar?id=1"'),
        (f'"{API}/secure/projectavatar?pid=1"', f'"{PROXY}/secure/projectavatar?pid=1"'),
        # People's links, and the bases without an API path, stay Jira's.
        (f'"{SITE}/browse/PRJ-1"', f'"{SITE}/browse/PRJ-1"'),
        (f'"{SITE}/secure/Dashboard.jspa"', f'"{SITE}/secure/Dashboard.jspa"'),
        (f'"{SITE}/secure/useravatar"', f'"{PROXY}/secure/useravatar"'),
        # Only the avatar servlets themselves, as the proxy serves nothing below or beside them.
        (f'"{SITE}/secure/useravatar/x?id=1"', f'"{SITE}/secure/useravatar/x?id=1"'),
        (f'"{SITE}/secure/useravatarx?id=1"', f'"{SITE}/secure/useravatarx?id=1"'),
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


DC = "https://jira.corp/jira"
DC_PROXY = "https://gw.example.com/jira/corp"


def test_avatars_and_nested_links_anywhere_in_the_document() -> None:
    rewriter = LinkRewriter([DC], DC_PROXY)
    document = {
        "self": f"{DC}/rest/api/2/issue/10001",
        "fields": {
            "assignee": {
                "self": f"{DC}/rest/api/2/user?username=bob",
                "avatarUrls": {
                    size: f"{DC}/secure/useravatar?size={size}&avatarId=10122" for size in ("16x16", "48x48")
                },
            },
            "project": {"avatarUrls": {"48x48": f"{DC}/secure/projectavatar?pid=10000&avatarId=10011"}},
            "comment": {
                "comments": [{"author": {"avatarUrls": {"24x24": f"{DC}/secure/useravatar?avatarId=1"}}}]
            },
            "priority": {"iconUrl": f"{DC}/images/icons/priorities/major.svg"},
        },
    }
    text = json.dumps(document).encode()
    out = json.loads(rewriter.rewrite(text))
    assignee = out["fields"]["assignee"]
    assert assignee["self"] == f"{DC_PROXY}/rest/api/2/user?username=bob"
    assert assignee["avatarUrls"] == {
        size: f"{DC_PROXY}/secure/useravatar?size={size}&avatarId=10122" for size in ("16x16", "48x48")
    }
    assert out["fields"]["project"]["avatarUrls"]["48x48"].startswith(f"{DC_PROXY}/secure/projectavatar?")
    assert out["fields"]["comment"]["comments"][0]["author"]["avatarUrls"]["24x24"].startswith(DC_PROXY)
    # Static icons need no credentials and the proxy does not serve them: they stay Jira's.
    assert out["fields"]["priority"]["iconUrl"] == f"{DC}/images/icons/priorities/major.svg"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Jira's own "No resource found" names the path under its context path.
        (
            "No resource found for /jira/rest/api/2/nope",
            "No resource found for /jira/corp/rest/api/2/nope",
        ),
        (f"see {DC}/browse/PRJ-1 or {DC}", f"see {DC_PROXY}/browse/PRJ-1 or {DC_PROXY}"),
        ("upstream https://jira.corp is down", "upstream https://gw.example.com is down"),
        (f"Gone from {DC}.", f"Gone from {DC_PROXY}."),
        # Not the upstream: another port, another host, a longer path, a longer host.
        ("https://jira.corp:8443/jira/rest/x", "https://jira.corp:8443/jira/rest/x"),
        ("https://jira.corp.evil.test/jira/rest/x", "https://jira.corp.evil.test/jira/rest/x"),
        ("see /jirax/rest/x and /other/jira/rest/x", "see /jirax/rest/x and /other/jira/rest/x"),
        ('{"self":"https://other.example/jira/secure/useravatar"}', None),
    ],
)
def test_error_texts_lose_the_upstream(text: str, expected: str | None) -> None:
    rewriter = LinkRewriter([DC], DC_PROXY)
    body = json.dumps({"errorMessages": [text], "errors": {"field": text}}).encode()
    out = json.loads(rewriter.rewrite(body, error=True))
    assert out == {"errorMessages": [expected or text], "errors": {"field": expected or text}}


def test_success_texts_keep_the_upstream_in_prose() -> None:
    """Outside an error only links are rewritten: text that mentions the base keeps it."""
    rewriter = LinkRewriter([DC], DC_PROXY)
    body = f'{{"description":"moved from /jira/rest/api/2/x, see {DC}"}}'.encode()
    assert rewriter.rewrite(body) == body


def test_error_answers_of_a_root_base() -> None:
    """A base without a path: only whole-URL mentions are replaced, never a bare path."""
    rewriter = LinkRewriter([SITE], PROXY)
    body = f'{{"errorMessages":["No resource found for /rest/api/3/x at {SITE}/rest/api/3/x"]}}'.encode()
    assert rewriter.rewrite(body, error=True) == (
        f'{{"errorMessages":["No resource found for /rest/api/3/x at {PROXY}/rest/api/3/x"]}}'.encode()
    )
