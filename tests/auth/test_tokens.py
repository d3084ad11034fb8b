from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jiragw.auth.tokens import TokenSet, parse_token_response
from jiragw.errors import JiragwError, RateLimited, ReauthRequired, TokenEndpointUnavailable
from jiragw.secrets import Secret

from .conftest import CANARIES, NOW, assert_clean, secret

HOSTILE = json.loads((Path(__file__).parent / "hostile_token_responses.json").read_text())


def _body(case: dict[str, Any]) -> bytes:
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"])
    return str(case["body"]).encode()


def _ok(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_full_response_with_rotation() -> None:
    body = _ok(
        access_token=CANARIES["access_token"],
        refresh_token=CANARIES["refresh_token"],
        expires_in=3600,
        scope="read:jira-work offline_access",
        token_type="Bearer",
    )
    tokens = parse_token_response(200, {}, body, now=NOW, previous_refresh_token=Secret("old-refresh"))
    assert tokens.access_token.reveal() == CANARIES["access_token"]
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.reveal() == CANARIES["refresh_token"]
    assert tokens.rotated is True
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    assert tokens.issued_at == NOW
    assert tokens.scopes == ("read:jira-work", "offline_access")
    assert tokens.token_type == "Bearer"
    assert_clean(tokens)


def test_refresh_token_is_kept_when_not_rotated() -> None:
    old = secret("refresh_token")
    tokens = parse_token_response(
        200, {}, _ok(access_token="a", token_type="bearer"), now=NOW, previous_refresh_token=old
    )
    assert tokens.refresh_token == old
    assert tokens.rotated is False
    assert tokens.expires_at is None
    assert tokens.scopes == ()


def test_first_exchange_is_not_a_rotation() -> None:
    tokens = parse_token_response(200, {}, _ok(access_token="a", refresh_token="r"), now=NOW)
    assert tokens.rotated is False
    assert tokens.refresh_token == Secret("r")


def test_valid_at_honours_margin() -> None:
    tokens = parse_token_response(200, {}, _ok(access_token="a", expires_in=100), now=NOW)
    assert tokens.valid_at(NOW + timedelta(seconds=99))
    assert not tokens.valid_at(NOW + timedelta(seconds=100))
    assert not tokens.valid_at(NOW + timedelta(seconds=71), timedelta(seconds=30))
    assert isinstance(tokens, TokenSet)


@pytest.mark.parametrize("case", HOSTILE, ids=[c["name"] for c in HOSTILE])
def test_hostile_token_responses(case: dict[str, Any]) -> None:
    with pytest.raises(JiragwError) as info:
        parse_token_response(
            case["status"], {}, _body(case), now=NOW, previous_refresh_token=secret("refresh_token")
        )
    assert info.value.code == case["code"]
    assert_clean(info.value)
    if info.value.__cause__ is not None:
        # The chained oauthlib exception is ours to keep out of messages, not to print.
        assert CANARIES["client_secret"] not in info.value.message


def test_invalid_grant_is_reauth_and_not_retryable() -> None:
    body = b'{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}'
    with pytest.raises(ReauthRequired) as info:
        parse_token_response(403, {}, body, now=NOW)
    assert not isinstance(info.value, TokenEndpointUnavailable)
    assert info.value.details == {"oauth_error": "invalid_grant"}
    assert "Unknown or invalid" not in info.value.message


def test_rate_limit_carries_retry_after() -> None:
    with pytest.raises(RateLimited) as info:
        parse_token_response(429, {"Retry-After": "7"}, b"", now=NOW)
    assert info.value.retry_after == 7.0
