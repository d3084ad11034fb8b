"""The token store's rules without HTTP: codes, rotation, leeway, family revocation, lifetimes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from jiragw.sandbox.oauth.tokens import (
    ABSOLUTE_LIFETIME,
    CODE_LIFETIME,
    INACTIVITY_LIMIT,
    REUSE_LEEWAY,
    InvalidGrant,
    TokenStore,
)

SCOPES = frozenset({"read:jira-work", "offline_access"})


def _code(store: TokenStore, now: float = 0.0, challenge: str | None = None) -> str:
    return store.issue_code(
        client_id="c",
        redirect_uri="http://cb",
        account_id="acct",
        resources=("cloud",),
        scopes=SCOPES,
        now=now,
        challenge=challenge,
    )


def test_code_is_single_use_and_replay_revokes_its_tokens() -> None:
    store = TokenStore("t")
    code = _code(store)
    issued = store.redeem_code(code, client_id="c", redirect_uri="http://cb", now=1)
    assert issued.refresh_token is not None
    found = store.access(issued.access_token, 2)
    assert found is not None
    assert not found.expired
    with pytest.raises(InvalidGrant):
        store.redeem_code(code, client_id="c", redirect_uri="http://cb", now=3)
    assert store.access(issued.access_token, 4) is None
    with pytest.raises(InvalidGrant):
        store.refresh(issued.refresh_token, client_id="c", now=5)


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "now"),
    [
        pytest.param("other", "http://cb", 1.0, id="other-client"),
        pytest.param("c", "http://cb/other", 1.0, id="other-redirect"),
        pytest.param("c", "http://cb", CODE_LIFETIME + 1, id="expired"),
    ],
)
def test_code_binding(client_id: str, redirect_uri: str, now: float) -> None:
    store = TokenStore("t")
    with pytest.raises(InvalidGrant):
        store.redeem_code(_code(store), client_id=client_id, redirect_uri=redirect_uri, now=now)


def test_pkce_s256() -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    store = TokenStore("t")
    with pytest.raises(InvalidGrant):
        store.redeem_code(
            _code(store, challenge=challenge),
            client_id="c",
            redirect_uri="http://cb",
            now=1,
            verifier="w" * 50,
        )
    issued = store.redeem_code(
        _code(store, challenge=challenge), client_id="c", redirect_uri="http://cb", now=1, verifier=verifier
    )
    assert issued.access_token.startswith("t_at_")


def test_rotation_leeway_then_family_revoked() -> None:
    store = TokenStore("t")
    first = store.redeem_code(_code(store), client_id="c", redirect_uri="http://cb", now=0)
    assert first.refresh_token
    second = store.refresh(first.refresh_token, client_id="c", now=100)
    assert second.refresh_token
    assert second.refresh_token != first.refresh_token
    # The old token again, inside the leeway: tolerated, and answers tokens again.
    third = store.refresh(first.refresh_token, client_id="c", now=100 + REUSE_LEEWAY - 1)
    assert third.refresh_token
    # The first one again, past its leeway: the whole family dies, even the newest tokens.
    with pytest.raises(InvalidGrant, match="Unknown or invalid refresh token"):
        store.refresh(first.refresh_token, client_id="c", now=100 + 2 * REUSE_LEEWAY)
    with pytest.raises(InvalidGrant):
        store.refresh(third.refresh_token, client_id="c", now=100 + 2 * REUSE_LEEWAY + 1)
    assert store.access(third.access_token, 100 + 2 * REUSE_LEEWAY + 1) is None


def test_inactivity_and_absolute_lifetime() -> None:
    store = TokenStore("t")
    issued = store.redeem_code(_code(store), client_id="c", redirect_uri="http://cb", now=0)
    assert issued.refresh_token
    with pytest.raises(InvalidGrant):
        store.refresh(issued.refresh_token, client_id="c", now=INACTIVITY_LIMIT + 1)

    store = TokenStore("t")
    token = store.redeem_code(_code(store), client_id="c", redirect_uri="http://cb", now=0).refresh_token
    now = 0.0
    while now + INACTIVITY_LIMIT / 2 < ABSOLUTE_LIFETIME:
        now += INACTIVITY_LIMIT / 2
        assert token is not None
        token = store.refresh(token, client_id="c", now=now).refresh_token
    assert token is not None
    with pytest.raises(InvalidGrant):
        store.refresh(token, client_id="c", now=ABSOLUTE_LIFETIME + 1)


def test_access_token_expires_and_refresh_needs_offline_access() -> None:
    store = TokenStore("t", access_ttl=5)
    code = store.issue_code(
        client_id="c",
        redirect_uri="http://cb",
        account_id="a",
        resources=("x",),
        scopes=frozenset({"read:jira-work"}),
        now=0,
    )
    issued = store.redeem_code(code, client_id="c", redirect_uri="http://cb", now=0)
    assert issued.refresh_token is None
    assert issued.expires_in == 5
    found = store.access(issued.access_token, 5)
    assert found is not None
    assert found.expired
    assert store.access("t_at_unknown", 0) is None
