"""Jira's error answers -> the exception tree, with Jira's messages in ``details``."""

from __future__ import annotations

import orjson
import pytest

from jiragw.errors import (
    AuthError,
    Conflict,
    InvalidInput,
    InvalidJql,
    JiragwError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ScopeDenied,
    UpstreamError,
    UpstreamUnavailable,
)
from jiragw.jira.errors_map import error_from_response, is_scope_denial, jira_details

ISSUE = "/rest/api/3/issue/ABC-1"
SEARCH_V3 = "/rest/api/3/search/jql"
SEARCH_V2 = "/dc/corp/rest/api/2/search"
SCOPE_BODY = {"code": 401, "message": "Unauthorized; scope does not match"}


def body(*messages: str, **errors: str) -> bytes:
    return orjson.dumps({"errorMessages": list(messages), "errors": errors})


@pytest.mark.parametrize(
    ("status", "raw", "path", "cls"),
    [
        (404, body("Issue does not exist or you do not have permission to see it."), ISSUE, NotFound),
        (410, body("The requested API has been removed."), "/rest/api/3/search", NotFound),
        (403, body("You do not have permission to edit this issue."), ISSUE, PermissionDenied),
        (403, orjson.dumps(SCOPE_BODY), ISSUE, ScopeDenied),
        (401, orjson.dumps(SCOPE_BODY), ISSUE, ScopeDenied),
        (401, body("You are not authenticated."), ISSUE, AuthError),
        (409, body("A filter with this name already exists."), "/rest/api/3/filter", Conflict),
        (400, body(summary="You must specify a summary of the issue."), ISSUE, InvalidInput),
        (
            400,
            body("Field 'foo' does not exist or you do not have permission to view it."),
            SEARCH_V3,
            InvalidJql,
        ),
        (400, body("Error in the JQL Query: Expecting ')' (line 1, character 9)."), SEARCH_V2, InvalidJql),
        (400, body("The maxResults parameter must be between 1 and 5000."), SEARCH_V3, InvalidInput),
        (400, body("The provided nextPageToken is invalid or has expired."), SEARCH_V3, InvalidInput),
        (429, body("Rate limit exceeded."), ISSUE, RateLimited),
        (500, body("Internal server error."), ISSUE, UpstreamError),
        (502, b"<html>Bad gateway</html>", ISSUE, UpstreamUnavailable),
        (503, body("Service unavailable."), ISSUE, UpstreamUnavailable),
        (504, b"", ISSUE, UpstreamUnavailable),
        (418, b"teapot", ISSUE, InvalidInput),
    ],
)
def test_mapping(status: int, raw: bytes, path: str, cls: type[JiragwError]) -> None:
    error = error_from_response(status, raw, path=path)
    assert type(error) is cls
    assert error.details["status"] == status


def test_details_carry_jira_messages_and_field_errors() -> None:
    raw = body("Something is off.", summary="You must specify a summary of the issue.")
    error = error_from_response(400, raw, path=ISSUE)
    assert error.details["errorMessages"] == ["Something is off."]
    assert error.details["errors"] == {"summary": "You must specify a summary of the issue."}
    assert "Something is off." in error.message
    assert "You must specify a summary" in error.message


def test_parsed_bodies_are_accepted_too() -> None:
    error = error_from_response(404, {"errorMessages": ["Gone fishing."], "errors": {}}, path=ISSUE)
    assert isinstance(error, NotFound)
    assert error.details["errorMessages"] == ["Gone fishing."]


def test_scope_denial_keeps_the_gateway_message() -> None:
    error = error_from_response(401, orjson.dumps(SCOPE_BODY), path=ISSUE)
    assert error.code == "scope_denied"
    assert error.details["message"] == "Unauthorized; scope does not match"
    assert error.message == "Unauthorized; scope does not match"


def test_rate_limited_carries_retry_after() -> None:
    error = error_from_response(429, body("Rate limit exceeded."), path=ISSUE, retry_after=3.0)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 3.0


def test_an_empty_or_foreign_body_still_gives_a_message() -> None:
    error = error_from_response(502, b"<html>oops</html>", path=ISSUE)
    assert error.message == "Jira answered HTTP 502"
    assert error.details == {"status": 502, "errorMessages": [], "errors": {}}


def test_is_scope_denial_only_for_auth_statuses() -> None:
    assert is_scope_denial(401, orjson.dumps(SCOPE_BODY))
    assert not is_scope_denial(400, orjson.dumps(SCOPE_BODY))
    assert not is_scope_denial(401, body("You are not authenticated."))


def test_jira_details_ignores_malformed_members() -> None:
    details = jira_details(400, {"errorMessages": "not a list", "errors": ["not", "a", "dict"]})
    assert details == {"status": 400, "errorMessages": [], "errors": {}}


def test_devops_error_lists_become_messages() -> None:
    raw = b'[{"message": "Issue keys are required"}, {"message": "Bad updateSequenceNumber"}, "junk"]'
    exc = error_from_response(400, raw, path="/jira/builds/0.1/cloud/x/bulk", retry_after=None)
    assert exc.details["errorMessages"] == ["Issue keys are required", "Bad updateSequenceNumber"]
    assert "Issue keys are required" in exc.message
