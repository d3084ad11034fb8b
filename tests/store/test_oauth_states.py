from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from jiragw.errors import StateExpired, StateMismatch, StateMissing, StateReplayed
from jiragw.secrets import Secret
from jiragw.store import GrantMethod, Store
from jiragw.store.models import OAuthState
from jiragw.store.oauth_states import hash_value

from .conftest import FakeClock

SESSION = Secret("session-nonce-1")


def _state(store: Store, **extra: object) -> Secret:
    state = Secret(secrets.token_urlsafe(32))
    with store.transaction() as tx:
        tx.states.create(
            state=state,
            kind=GrantMethod.DC_OAUTH2,
            initiator=SESSION,
            redirect_uri="http://127.0.0.1:8765/v1/outbound/oauth/callback",
            redirect_to="/connections",
            scopes=["WRITE"],
            pkce_verifier=Secret("verifier-" + "v" * 40),
            params={"name": "corp", "base_url": "https://jira.corp"},
            **extra,  # type: ignore[arg-type]
        )
    return state


def test_consume_once(store: Store, clock: FakeClock) -> None:
    state = _state(store)
    with store.transaction() as tx:
        row = tx.session.scalars(select(OAuthState)).one()
        assert row.state_hash == hash_value(state)
        assert state.reveal() not in (row.state_hash, row.initiator_hash)
        record = tx.states.consume(state, initiator=SESSION, kind=GrantMethod.DC_OAUTH2)
    assert record.pkce_verifier == Secret("verifier-" + "v" * 40)
    assert record.params == {"name": "corp", "base_url": "https://jira.corp"}
    assert record.scopes == ("WRITE",)
    assert record.used_at == clock.now
    assert record.expires_at == clock.now + timedelta(minutes=10)
    with pytest.raises(StateReplayed), store.transaction() as tx:
        tx.states.consume(state, initiator=SESSION)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda s: None, StateMissing),
        (lambda s: Secret(""), StateMissing),
        (lambda s: Secret(secrets.token_urlsafe(32)), StateMismatch),
        (lambda s: Secret(s.reveal() + "x"), StateMismatch),
    ],
    ids=["missing", "empty", "unknown", "altered"],
)
def test_bad_states(store: Store, make: object, error: type[Exception]) -> None:
    state = _state(store)
    assert callable(make)
    with pytest.raises(error), store.transaction() as tx:
        tx.states.consume(make(state), initiator=SESSION)


def test_wrong_initiator_or_flow_does_not_burn_the_state(store: Store) -> None:
    state = _state(store)
    with pytest.raises(StateMismatch, match="another session"), store.transaction() as tx:
        tx.states.consume(state, initiator=Secret("attacker-session"))
    with pytest.raises(StateMismatch, match="another kind"), store.transaction() as tx:
        tx.states.consume(state, initiator=SESSION, kind=GrantMethod.OAUTH2_3LO)
    with store.transaction() as tx:
        assert tx.states.consume(state, initiator=SESSION).used_at is not None


def test_expiry_and_purge(store: Store, clock: FakeClock) -> None:
    state = _state(store, ttl=timedelta(minutes=10))
    used = _state(store)
    with store.transaction() as tx:
        tx.states.consume(used, initiator=SESSION)
    clock.advance(minutes=10)
    with pytest.raises(StateExpired), store.transaction() as tx:
        tx.states.consume(state, initiator=SESSION)
    clock.advance(days=2)
    with store.transaction() as tx:
        assert tx.states.purge() == 2
        assert tx.states.purge() == 0


def test_weak_states_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="at least 22"), store.transaction() as tx:
        tx.states.create(state=Secret("short"), kind=GrantMethod.OAUTH2_3LO, initiator="x")
