from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jiragw.auth.callback import MAX_QUERY, STATE_TTL, check_callback, flow_key, hash_state, new_state
from jiragw.errors import OAuthCallbackError, StateMismatch

from .conftest import CANARIES, NOW, assert_clean

HOSTILE = json.loads((Path(__file__).parent / "hostile_callbacks.json").read_text())


def test_new_state_has_256_bits_and_is_stored_hashed() -> None:
    state = new_state()
    value = state.value.reveal()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)  # 32 bytes, base64url
    assert state.hash == hash_state(value)
    assert re.fullmatch(r"[0-9a-f]{64}", state.hash)
    assert value not in repr(state)
    assert new_state().value != state.value


def test_valid_callback_returns_the_code() -> None:
    state = new_state()
    query = f"state={state.value.reveal()}&code={CANARIES['code']}"
    code = check_callback(query, state.hash, now=NOW + STATE_TTL, created_at=NOW, used=False)
    assert code.reveal() == CANARIES["code"]
    assert_clean(code)


def test_mapping_query_is_accepted() -> None:
    state = new_state()
    params = {"state": state.value.reveal(), "code": "abc"}
    assert check_callback(params, state.hash, now=NOW, created_at=NOW, used=False).reveal() == "abc"


def test_corrupt_stored_hash_is_a_mismatch_not_a_crash() -> None:
    state = new_state()
    with pytest.raises(StateMismatch):
        check_callback(f"state={state.value.reveal()}&code=c", "é", now=NOW, created_at=NOW, used=False)


def _query(template: str, state: str, state_hash: str) -> str:
    return (
        template.replace("{STATE_HASH}", state_hash)
        .replace("{STATE_PREFIX}", state[:20])
        .replace("{STATE}", state)
        .replace("{CODE}", CANARIES["code"])
        .replace("{HUGE}", "A" * 5000)
    )


@pytest.mark.parametrize("case", HOSTILE, ids=[c["name"] for c in HOSTILE])
def test_hostile_callbacks(case: dict[str, Any]) -> None:
    state = new_state()
    query = _query(case["query"], state.value.reveal(), state.hash)
    created_at = NOW - timedelta(seconds=case.get("age_seconds", 0))
    with pytest.raises(OAuthCallbackError) as info:
        check_callback(query, state.hash, now=NOW, created_at=created_at, used=case.get("used", False))
    assert info.value.code == case["code"]
    assert 400 <= info.value.status < 500
    assert_clean(info.value)
    assert state.value.reveal() not in str(info.value)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=s1&code=c", "s1"),
        ("oauth_token=t1&oauth_verifier=v", "t1"),
        ("state=&oauth_token=t1", "t1"),
        ("code=c", None),
        ("", None),
    ],
)
def test_flow_key_names_the_pending_flow_by_state_or_oauth_token(query: str, expected: str | None) -> None:
    key = flow_key(query)
    assert (key.reveal() if key is not None else None) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("state=a&state=b", "the callback repeats the parameter 'state'"),
        ("oauth_token=a&x=1&oauth_token=b", "the callback repeats the parameter 'oauth_token'"),
        ("state=" + "a" * MAX_QUERY, "the callback query is too long"),
    ],
)
def test_flow_key_refuses_a_repeated_parameter_or_a_huge_query(query: str, message: str) -> None:
    with pytest.raises(OAuthCallbackError) as refused:
        flow_key(query)
    assert refused.value.message == message
