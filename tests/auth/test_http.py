from __future__ import annotations

import pytest

from jiragw.auth.http import HttpRequest, base_url, form_request, header, json_request, retry_after_seconds
from jiragw.errors import InvalidInput

from .conftest import CANARIES, assert_clean


def test_repr_masks_authorization_and_secret_bodies() -> None:
    request = json_request(
        "POST",
        "https://auth.example/oauth/token",
        {"client_secret": CANARIES["client_secret"]},
        secret_body=True,
        headers={"Authorization": f"Bearer {CANARIES['access_token']}", "Cookie": CANARIES["password"]},
    )
    assert_clean(request)
    assert "Bearer ***" in repr(request)
    assert request.body is not None
    assert CANARIES["client_secret"].encode() in request.body


def test_repr_shows_public_bodies() -> None:
    request = form_request("POST", "https://x.example/t", {"a": "b"}, secret_body=False)
    assert "b'a=b'" in repr(request)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_request_is_frozen() -> None:
    request = HttpRequest("GET", "https://x.example/")
    with pytest.raises(AttributeError):
        request.url = "https://evil.example/"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.atlassian.net/", "https://acme.atlassian.net"),
        ("http://127.0.0.1:9000/sites/acme", "http://127.0.0.1:9000/sites/acme"),
    ],
)
def test_base_url_keeps_context_path(url: str, expected: str) -> None:
    assert base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://acme.example",
        "acme.atlassian.net",
        "https://user:pw@acme.example",
        "https://acme.example/?x=1",
        "https://acme.example/#f",
        "https://acme.example/\r\nX: y",
        "https:///nohost",
    ],
)
def test_base_url_rejects(url: str) -> None:
    with pytest.raises(InvalidInput):
        base_url(url)


def test_header_lookup_is_case_insensitive() -> None:
    assert header({"retry-AFTER": "3"}, "Retry-After") == "3"
    assert header({}, "Retry-After") is None


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), ("-1", None), ("soon", None)])
def test_retry_after(value: str, expected: float | None) -> None:
    assert retry_after_seconds({"Retry-After": value}) == expected
