from __future__ import annotations

import json
from datetime import timedelta

import pytest

from jiragw.auth.client_credentials import (
    bulk_request,
    bulk_url,
    cache_valid,
    parse_tenant_info,
    parse_token_response,
    tenant_info_request,
    token_request,
)
from jiragw.errors import InvalidInput, NotFound, UpstreamError

from .conftest import CANARIES, NOW, assert_clean, secret

API = "https://api.atlassian.com"
CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421"


def test_token_request() -> None:
    request = token_request(API, client_id="cid", client_secret=secret("client_secret"))
    assert (request.method, request.url) == ("POST", "https://api.atlassian.com/oauth/token")
    assert request.body is not None
    assert json.loads(request.body) == {
        "audience": "api.atlassian.com",
        "grant_type": "client_credentials",
        "client_id": "cid",
        "client_secret": CANARIES["client_secret"],
    }
    assert_clean(request)
    with pytest.raises(InvalidInput):
        token_request(API, client_id="", client_secret=secret("client_secret"))


def test_cache_validity_until_expires_in_less_margin() -> None:
    body = json.dumps(
        {"access_token": CANARIES["access_token"], "expires_in": 900, "token_type": "Bearer"}
    ).encode()
    token = parse_token_response(200, {}, body, now=NOW)
    assert token.refresh_token is None
    assert cache_valid(token, NOW + timedelta(seconds=869))
    assert not cache_valid(token, NOW + timedelta(seconds=870))
    assert cache_valid(token, NOW + timedelta(seconds=899), margin=timedelta(0))
    assert not cache_valid(token, NOW + timedelta(seconds=900), margin=timedelta(0))
    assert_clean(token)


def test_tenant_info() -> None:
    request = tenant_info_request("https://acme.atlassian.net/")
    assert (request.method, request.url) == ("GET", "https://acme.atlassian.net/_edge/tenant_info")
    assert "Authorization" not in request.headers
    assert parse_tenant_info(200, {}, json.dumps({"cloudId": CLOUD_ID}).encode()) == CLOUD_ID


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (404, b"", NotFound),
        (500, b"", UpstreamError),
        (200, b"{}", UpstreamError),
        (200, b"[]", UpstreamError),
        (200, b"<html>", UpstreamError),
        (200, b'{"cloudId": "../../admin"}', UpstreamError),
        (200, b'{"cloudId": "a/b"}', UpstreamError),
        (200, b'{"cloudId": 7}', UpstreamError),
    ],
)
def test_tenant_info_errors(status: int, body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_tenant_info(status, {}, body)


def test_devops_urls() -> None:
    assert bulk_url(API, CLOUD_ID, "builds") == f"{API}/jira/builds/0.1/cloud/{CLOUD_ID}/bulk"
    assert bulk_url(API + "/", CLOUD_ID, "deployments") == f"{API}/jira/deployments/0.1/cloud/{CLOUD_ID}/bulk"
    with pytest.raises(InvalidInput):
        bulk_url(API, "../x", "builds")
    with pytest.raises(InvalidInput):
        bulk_url(API, CLOUD_ID, "issues")  # type: ignore[arg-type]


def test_bulk_request_carries_the_token() -> None:
    request = bulk_request(API, CLOUD_ID, "builds", secret("access_token"), {"builds": []})
    assert request.headers["Authorization"] == f"Bearer {CANARIES['access_token']}"
    assert request.body == b'{"builds":[]}'
    assert_clean(request)
