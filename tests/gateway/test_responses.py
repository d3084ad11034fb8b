"""Error bodies: Jira's ErrorCollection for the proxy, ``{"error": ...}`` elsewhere (gateway/responses.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.responses import JSONResponse

from jiragw import errors
from jiragw.errors import (
    JiragwError,
    KeyInvalid,
    MethodNotAllowed,
    PathRejected,
    RateLimited,
    ScopeDenied,
    UpstreamUnavailable,
)
from jiragw.gateway.responses import api_error, jira_error
from jiragw.secrets import Secret

ERROR_CLASSES = sorted(
    (
        cls
        for name in errors.__all__
        if isinstance(cls := getattr(errors, name), type) and issubclass(cls, JiragwError)
    ),
    key=lambda cls: cls.__name__,
)
CANARY = "canary-7f3e9c1d-secret"


def body(response: JSONResponse) -> Any:
    assert response.media_type == "application/json"
    return json.loads(bytes(response.body))


def test_every_error_class_is_covered() -> None:
    assert len(ERROR_CLASSES) > 30
    assert JiragwError in ERROR_CLASSES
    assert KeyInvalid in ERROR_CLASSES


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_jira_error_is_an_error_collection_with_the_stable_code(cls: type[JiragwError]) -> None:
    exc = cls("something went wrong")
    response = jira_error(exc)
    assert response.status_code == cls.status
    got = body(response)
    assert set(got) == {"errorMessages", "errors", "jiragw"}
    assert got["errorMessages"] == [f"something went wrong [jiragw: {cls.code}]"]
    assert got["errors"] == {}
    assert got["jiragw"] == {"code": cls.code}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_api_error_is_the_error_object_with_the_stable_code(cls: type[JiragwError]) -> None:
    response = api_error(cls("something went wrong"))
    assert response.status_code == cls.status
    assert body(response) == {"error": {"code": cls.code, "message": "something went wrong"}}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("render", [api_error, jira_error])
@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_a_401_says_how_to_authenticate_and_nothing_else_does(render: Any, cls: type[JiragwError]) -> None:
    response = render(cls("no"))
    if cls.status == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="jiragw"'
    else:
        assert "www-authenticate" not in response.headers


def test_status_and_code_follow_the_exception() -> None:
    cases = [
        (KeyInvalid("a gateway key is required"), 401, "key_invalid"),
        (ScopeDenied("no"), 403, "scope_denied"),
        (PathRejected("no"), 400, "path_rejected"),
        (RateLimited("slow down", retry_after=3), 429, "rate_limited"),
        (UpstreamUnavailable("Jira could not be reached"), 503, "upstream_unavailable"),
    ]
    for exc, status, code in cases:
        for response in (jira_error(exc), api_error(exc)):
            assert response.status_code == status
        assert body(jira_error(exc))["jiragw"]["code"] == code
        assert body(api_error(exc))["error"]["code"] == code


def test_details_travel_in_both_shapes_only_when_present() -> None:
    exc = ScopeDenied("missing scope", details={"missing": ["write:jira-work"], "operation": "editIssue"})
    jira = body(jira_error(exc))
    assert jira["jiragw"] == {
        "code": "scope_denied",
        "details": {"missing": ["write:jira-work"], "operation": "editIssue"},
    }
    assert jira["errors"] == {}
    api = body(api_error(exc))
    assert api == {
        "error": {
            "code": "scope_denied",
            "message": "missing scope",
            "details": {"missing": ["write:jira-work"], "operation": "editIssue"},
        }
    }
    assert "details" not in body(jira_error(ScopeDenied("x")))["jiragw"]
    assert "details" not in body(api_error(ScopeDenied("x")))["error"]


def test_a_message_with_quotes_and_unicode_stays_valid_json() -> None:
    message = 'the key "jgw_…" is not valid\n<script>'
    got = body(jira_error(KeyInvalid(message)))
    assert got["errorMessages"] == [f"{message} [jiragw: key_invalid]"]
    assert body(api_error(KeyInvalid(message)))["error"]["message"] == message


@pytest.mark.parametrize("render", [api_error, jira_error])
def test_a_secret_in_a_message_is_masked_in_the_body_and_headers(render: Any) -> None:
    secret = Secret(CANARY)
    exc = KeyInvalid(f"key {secret} refused", details={"key": f"{secret}", "tried": repr(secret)})
    response = render(exc)
    raw = bytes(response.body).decode() + json.dumps(dict(response.headers))
    assert CANARY not in raw
    assert "***" in raw


@pytest.mark.parametrize("render", [api_error, jira_error])
def test_a_429_that_knows_when_says_retry_after_in_whole_seconds(render: Any) -> None:
    assert render(RateLimited("slow down", retry_after=2.1)).headers["retry-after"] == "3"
    assert render(RateLimited("slow down", retry_after=4)).headers["retry-after"] == "4"
    assert "retry-after" not in render(RateLimited("slow down")).headers
    assert "retry-after" not in render(ScopeDenied("no")).headers


@pytest.mark.parametrize("render", [api_error, jira_error])
def test_a_405_names_the_allowed_methods(render: Any) -> None:
    response = render(MethodNotAllowed("read-only", allowed=("GET", "HEAD")))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "allow" not in render(MethodNotAllowed("no")).headers
    assert "allow" not in render(PathRejected("no")).headers
