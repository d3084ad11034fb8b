from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from jiragw.auth.static import (
    BASIC_PASSWORD_NOTICE,
    Flavor,
    api_token,
    basic_password,
    myself_request,
    myself_url,
    parse_myself,
    personal_access_token,
)
from jiragw.errors import AuthError, InvalidInput, PermissionDenied, RateLimited, UpstreamError
from jiragw.secrets import Secret

from .conftest import CANARIES, NOW, assert_clean, secret


def test_api_token_is_basic_email_token() -> None:
    auth = api_token("me@example.com", secret("api_token"))
    expected = base64.b64encode(f"me@example.com:{CANARIES['api_token']}".encode()).decode()
    assert auth.headers() == {"Authorization": f"Basic {expected}"}
    assert auth.flavor is Flavor.CLOUD
    assert auth.notice is None
    assert expected not in repr(auth)
    assert_clean(auth)


def test_basic_password_is_flagged_discouraged() -> None:
    auth = basic_password("jdoe", secret("password"))
    assert auth.notice is BASIC_PASSWORD_NOTICE
    assert auth.notice.code == "basic_auth_discouraged"
    assert auth.flavor is Flavor.DC
    raw = base64.b64decode(auth.headers()["Authorization"].removeprefix("Basic "))
    assert raw == f"jdoe:{CANARIES['password']}".encode()


def test_basic_is_utf8() -> None:
    auth = basic_password("jürgen", Secret("pässword"))
    assert base64.b64decode(auth.headers()["Authorization"][6:]) == "jürgen:pässword".encode()


def test_pat_is_bearer_with_optional_expiry() -> None:
    auth = personal_access_token(secret("pat"), expires_at=NOW)
    assert auth.headers() == {"Authorization": f"Bearer {CANARIES['pat']}"}
    assert not auth.expired(NOW - timedelta(seconds=1))
    assert auth.expired(NOW)
    assert not personal_access_token(secret("pat")).expired(NOW)
    assert_clean(auth)


@pytest.mark.parametrize(
    ("user", "password"),
    [("a:b", "x"), ("", "x"), ("me\r\n", "x"), ("me", ""), ("me", "x\ny")],
)
def test_basic_rejects_bad_input_without_echoing(user: str, password: str) -> None:
    with pytest.raises(InvalidInput) as info:
        api_token(user, Secret(password))
    assert password not in info.value.message or not password


@pytest.mark.parametrize("pat", ["", "has space", "line\nbreak", "ü"])
def test_pat_rejects_non_bearer_syntax(pat: str) -> None:
    with pytest.raises(InvalidInput):
        personal_access_token(Secret(pat))


def test_myself_urls() -> None:
    assert (
        myself_url("https://acme.atlassian.net/", Flavor.CLOUD)
        == "https://acme.atlassian.net/rest/api/3/myself"
    )
    assert (
        myself_url("http://127.0.0.1:9000/dc/corp", Flavor.DC)
        == "http://127.0.0.1:9000/dc/corp/rest/api/2/myself"
    )
    request = myself_request("https://jira.corp.example", personal_access_token(secret("pat")))
    assert request.method == "GET"
    assert request.url == "https://jira.corp.example/rest/api/2/myself"
    assert request.headers["Authorization"] == f"Bearer {CANARIES['pat']}"
    assert_clean(request)


def test_parse_myself_cloud_and_dc() -> None:
    cloud = parse_myself(
        200, {}, json.dumps({"accountId": "5b10", "displayName": "Ann", "emailAddress": "a@x"}).encode()
    )
    assert (cloud.account_id, cloud.display_name, cloud.email, cloud.name) == ("5b10", "Ann", "a@x", None)
    dc = parse_myself(200, {}, json.dumps({"name": "ann", "key": "JIRAUSER1", "displayName": "Ann"}).encode())
    assert (dc.name, dc.account_id) == ("ann", None)


@pytest.mark.parametrize(
    ("status", "headers", "body", "error"),
    [
        (401, {}, b"", AuthError),
        (403, {}, b"", PermissionDenied),
        (429, {}, b"", RateLimited),
        (502, {}, b"", UpstreamError),
        (200, {}, b"<html>", UpstreamError),
        (200, {}, b"[]", UpstreamError),
        (200, {}, b'{"displayName": "x"}', UpstreamError),
    ],
)
def test_parse_myself_errors(
    status: int, headers: dict[str, str], body: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        parse_myself(status, headers, body)


def test_captcha_is_named() -> None:
    with pytest.raises(AuthError) as info:
        parse_myself(401, {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}, b"")
    assert info.value.details == {"reason": "captcha_required"}
