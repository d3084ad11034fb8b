"""Path containment, sans-IO: tables of raw targets and what becomes of them."""

from __future__ import annotations

import pytest

from jiragw.errors import MethodNotAllowed, PathRejected
from jiragw.gateway.paths import (
    API_PREFIXES,
    AVATAR_PATHS,
    audit_target,
    contain,
    query_carries_key,
    redirect_inside,
    split_proxy_path,
    upstream_url,
)

BASE = "http://jira.test/sites/acme"

ACCEPTED = [
    ("/rest/api/2/issue/PRJ-1", "/rest/api/2/issue/PRJ-1"),
    ("/rest/api/3/search/jql", "/rest/api/3/search/jql"),
    ("/rest/api/latest/serverInfo", "/rest/api/latest/serverInfo"),
    ("/rest/agile/1.0/board", "/rest/agile/1.0/board"),
    ("/rest/api/2/issue/", "/rest/api/2/issue/"),
    ("/rest/api/2/project/FOO%20BAR", "/rest/api/2/project/FOO BAR"),
    ("/rest/api/2/%69ssue/PRJ-1", "/rest/api/2/issue/PRJ-1"),  # decoded for the scope check
    ("/rest/api/3/issue/PRJ-1/properties/my:key", "/rest/api/3/issue/PRJ-1/properties/my:key"),
    ("/rest/api/2/user/properties/a...b", "/rest/api/2/user/properties/a...b"),
    # Jira's avatar images, which the rewritten avatarUrls point at.
    ("/secure/useravatar", "/secure/useravatar"),
    ("/secure/projectavatar", "/secure/projectavatar"),
    ("/secure/%75seravatar", "/secure/useravatar"),
]

REJECTED = [
    "",
    "rest/api/2/issue",
    "/rest/api/2/../../admin",
    "/rest/api/2/./issue",
    "/rest/api/2/%2e%2e/%2e%2e/x",
    "/rest/api/2/%2E%2E/x",
    "/rest/api/2/%252e%252e/x",
    "/rest/api/2/%25252e%25252e/x",
    "/rest/api/2/.%2e/x",
    "/rest/api/2/..%2fx",
    "/rest/api/2/a%2Fb",
    "/rest/api/2/a%252Fb",
    "/rest/api/2/a%5Cb",
    "/rest/api/2/a%255cb",
    "/rest/api/2/a\\b",
    "/rest/api/2/issue;jsessionid=1",
    "/rest/api/2/..;/x",
    "/rest/api/2/issue%3bx",
    "/rest/api/2/issue%00",
    "/rest/api/2/issue%0d%0aX-Injected:%201",
    "/rest/api/2/issue%250a",
    "/rest/api/2/issue%09x",
    "/rest/api/2/issue%7fx",
    "/rest/api/2/issue%e2%80%a8x",  # U+2028, a line separator
    "/rest/api/2/issue%ff",  # not UTF-8
    "/rest/api/2//issue",
    "//evil.example/rest/api/2/issue",
    "/rest/api/2/user@evil.example",
    "/rest/api/2/issue%40evil",
    "/rest/api/2/issue%3Fx=1",
    "/rest/api/2/issue%23frag",
    "/rest/api/2/issue%zz",
    "/rest/api/2/100%",
    "/http://evil.example/rest/api/2/issue",
    "/rest/auth/1/session",
    "/rest/oauth2/latest/token",
    "/rest/pat/latest/tokens",
    "/plugins/servlet/oauth/access-token",
    "/secure/Dashboard.jspa",
    "/rest/api/4/issue",
    "/rest/api/2",
    "/rest/api/2/issue\u00e9",
    "/rest/api/2/issue x",
    "/rest/api/2/%2525252525252e",
    # Under /secure/ only the avatar servlets themselves, nothing beside or below them.
    "/secure/",
    "/secure",
    "/secure/admin/ViewApplicationProperties.jspa",
    "/secure/useravatar/",
    "/secure/useravatar/x",
    "/secure/useravatarx",
    "/secure/UserAvatar",
    "/secure/useravatar/../admin",
    "/secure/useravatar/%2e%2e/admin",
    "/secure/useravatar/%252e%252e/%252e%252e/secure/admin",
    "/secure/useravatar%2f..%2fadmin",
    "/secure/useravatar%252f..%252fadmin",
    "/secure/useravatar%5c..%5cadmin",
    "/secure/useravatar;jsessionid=1",
    "/secure/useravatar..;/admin",
    "/secure/projectavatar/..;/..;/admin",
    "/secure/useravatar%3Fx=1",
    "/secure/useravatar%00",
    "/secure/./useravatar",
    "/rest/api/2/../../secure/useravatar",
]


@pytest.mark.parametrize(("raw", "decoded"), ACCEPTED)
def test_contained_paths(raw: str, decoded: str) -> None:
    path = contain(raw)
    assert path.raw == raw
    assert path.decoded == decoded


@pytest.mark.parametrize("raw", REJECTED)
def test_rejected_paths(raw: str) -> None:
    with pytest.raises(PathRejected) as caught:
        contain(raw)
    assert caught.value.code == "path_rejected"
    assert caught.value.status == 400
    # The message never echoes the hostile input.
    assert "evil" not in caught.value.message
    assert "Injected" not in caught.value.message


@pytest.mark.parametrize("path", AVATAR_PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD", "get"])
def test_avatars_are_read(path: str, method: str) -> None:
    assert contain(path, method).decoded == path


@pytest.mark.parametrize("path", [*AVATAR_PATHS, "/secure/%70rojectavatar"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_avatars_refuse_other_methods(path: str, method: str) -> None:
    with pytest.raises(MethodNotAllowed) as caught:
        contain(path, method)
    assert (caught.value.status, caught.value.code) == (405, "method_not_allowed")
    assert caught.value.allowed == ("GET", "HEAD")


def test_a_hostile_avatar_path_is_rejected_whatever_the_method() -> None:
    with pytest.raises(PathRejected):
        contain("/secure/useravatar/../admin", "POST")


def test_rest_paths_take_every_method() -> None:
    for method in ("GET", "POST", "PUT", "DELETE"):
        assert contain("/rest/api/2/issue", method).decoded == "/rest/api/2/issue"


def test_every_avatar_path_has_a_ceiling_rule() -> None:
    """What the proxy lets through it can also scope-check (else only unrestricted keys could read it)."""
    from jiragw.keys import match_servlet

    for path in AVATAR_PATHS:
        op = match_servlet("GET", path)
        assert op is not None
        assert op.path == path


def test_every_prefix_is_accepted_and_ends_with_a_slash() -> None:
    for prefix in API_PREFIXES:
        assert prefix.endswith("/")
        assert contain(prefix + "x").decoded == prefix + "x"


@pytest.mark.parametrize(
    ("raw", "name", "rest"),
    [
        (b"/jira/acme/rest/api/2/issue", "acme", "/rest/api/2/issue"),
        (b"/jira/corp.dc_1-a/rest/api/2/x?y=1", "corp.dc_1-a", "/rest/api/2/x"),
        (b"/jira/acme", "acme", ""),
        (b"/jira/..", None, ""),
        (b"/jira/acme%2Fx/rest/api/2/x", None, "/rest/api/2/x"),
        (b"/jira/-acme/rest", None, "/rest"),
        (b"/jira/acme/rest/a%2fb", "acme", "/rest/a%2fb"),
    ],
)
def test_split_proxy_path(raw: bytes, name: str | None, rest: str) -> None:
    assert split_proxy_path(raw) == (name, rest)


def test_split_proxy_path_with_root_path_and_garbage() -> None:
    assert split_proxy_path(b"/gw/jira/acme/rest/x", "/gw") == ("acme", "/rest/x")
    with pytest.raises(PathRejected):
        split_proxy_path(b"/other/acme/rest")
    with pytest.raises(PathRejected):
        split_proxy_path("/jira/acmé/rest".encode())


@pytest.mark.parametrize(
    ("query", "carries"),
    [
        (b"", False),
        (b"jql=project%20%3D%20PRJ&startAt=0", False),
        (b"jql=summary%20~%20jgw", False),
        (b"api_key=jgw_abc", True),
        (b"x=1&token=jgw_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", True),
        (b"k=%6Agw_abc", True),
        (b"k=%256Agw_abc", True),
        (b"jgw_=1", True),
    ],
)
def test_query_carries_key(query: bytes, carries: bool) -> None:
    assert query_carries_key(query) is carries


def test_upstream_url_keeps_the_base() -> None:
    path = contain("/rest/api/2/search")
    assert upstream_url(BASE, path, b"jql=a%3Db") == BASE + "/rest/api/2/search?jql=a%3Db"
    assert upstream_url(BASE + "/", path, b"") == BASE + "/rest/api/2/search"
    gateway_base = "http://api.test/ex/jira/11111111-2222"
    assert upstream_url(gateway_base, path, b"") == gateway_base + "/rest/api/2/search"


@pytest.mark.parametrize("query", [b"a=1#frag", b"a=\x01", b"a=b c", "a=é".encode()])
def test_upstream_url_refuses_raw_query_characters(query: bytes) -> None:
    with pytest.raises(PathRejected):
        upstream_url(BASE, contain("/rest/api/2/search"), query)


def test_upstream_url_refuses_a_path_that_escapes() -> None:
    from jiragw.gateway.paths import ProxyPath

    # contain() never yields these; upstream_url is the second net.
    for raw in ("@evil.example/rest", "//evil.example/rest", "x/rest"):
        with pytest.raises(PathRejected):
            upstream_url(BASE, ProxyPath(raw, raw), b"")


@pytest.mark.parametrize(
    ("location", "rest"),
    [
        (BASE + "/rest/api/2/issue/PRJ-2", "/rest/api/2/issue/PRJ-2"),
        ("/sites/acme/rest/api/2/issue/PRJ-2?expand=x", "/rest/api/2/issue/PRJ-2?expand=x"),
        ("https://jira.test/sites/acme/rest/api/2/issue/PRJ-2", None),
        ("http://evil.example/sites/acme/rest/api/2/issue", None),
        ("//evil.example/sites/acme/rest/api/2/issue", None),
        (BASE + "/../other/rest/api/2/issue", None),
        ("http://jira.test/sites/acme2/rest/api/2/issue", None),
        ("http://jira.test/sites/other/rest/api/2/issue", None),
        (BASE + "/login.jsp", None),
        (BASE + "/secure/useravatar?avatarId=1", "/secure/useravatar?avatarId=1"),
        (BASE + "/secure/admin", None),
        ("relative/rest", None),
    ],
)
def test_redirect_inside(location: str, rest: str | None) -> None:
    assert redirect_inside(BASE, location) == rest


@pytest.mark.parametrize(
    ("decoded", "target"),
    [
        ("/rest/api/2/issue/PRJ-1", "/rest/api/…"),
        ("/rest/x y/z", "/rest/…"),
        (None, "/…"),
        ("/", "/…"),
    ],
)
def test_audit_target(decoded: str | None, target: str) -> None:
    assert audit_target(decoded) == target
