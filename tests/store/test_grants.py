from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from jiragw.errors import Conflict, NotFound
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod, GrantStatus, Store

from .conftest import FakeClock


def _oauth_grant(store: Store) -> str:
    with store.transaction() as tx:
        return tx.grants.create(
            GrantMethod.OAUTH2_3LO,
            auth_url="https://auth.atlassian.com",
            api_url="https://api.atlassian.com",
            client_id="cid",
            secrets={
                "client_secret": Secret("cs"),
                "access_token": Secret("at1"),
                "refresh_token": Secret("rt1"),
            },
            scopes=["read:jira-work", "offline_access", "read:jira-work"],
        ).id


def test_create_and_read_back(store: Store, clock: FakeClock) -> None:
    grant_id = _oauth_grant(store)
    with store.transaction() as tx:
        grant = tx.grants.get(grant_id)
    assert grant.method is GrantMethod.OAUTH2_3LO
    assert grant.status is GrantStatus.ACTIVE
    assert grant.version == 1
    assert grant.scopes == ("read:jira-work", "offline_access")
    assert grant.client_secret == Secret("cs")
    assert grant.refresh_token == Secret("rt1")
    assert grant.static_secret is None
    assert grant.created_at == clock.now
    assert grant.status_changed_at is not None
    assert grant.status_changed_at.tzinfo is UTC


def test_store_tokens_rotates_keeps_family_and_bumps_version(store: Store, clock: FakeClock) -> None:
    grant_id = _oauth_grant(store)
    with store.transaction() as tx:
        first = tx.grants.store_tokens(
            grant_id,
            access_token=Secret("at2"),
            refresh_token=Secret("rt2"),
            expires_at=clock.now + timedelta(hours=1),
            new_family=True,
            expected_version=1,
        )
    assert first.version == 2
    assert first.refresh_family_started_at == clock.now
    family = clock.now
    clock.advance(hours=2)
    with store.lock_grant(grant_id) as (tx, locked):
        assert locked.refresh_token == Secret("rt2")
        second = tx.grants.store_tokens(
            grant_id,
            access_token=Secret("at3"),
            expires_at=clock.now + timedelta(hours=1),
            expected_version=2,
        )
    # No refresh token in the response: the old one stays; the family start does not move.
    assert second.refresh_token == Secret("rt2")
    assert second.access_token == Secret("at3")
    assert second.refresh_family_started_at == family
    assert second.refreshed_at == clock.now
    assert second.access_expires_at == clock.now + timedelta(hours=1)
    with store.transaction() as tx:
        assert tx.grants.get(grant_id).version == 3


def test_stale_version_is_a_conflict_and_changes_nothing(store: Store, clock: FakeClock) -> None:
    grant_id = _oauth_grant(store)
    with pytest.raises(Conflict, match="changed"), store.transaction() as tx:
        tx.grants.store_tokens(grant_id, access_token=Secret("x"), expires_at=None, expected_version=7)
    with store.transaction() as tx:
        assert tx.grants.get(grant_id).access_token == Secret("at1")


def test_status_changes_are_recorded(store: Store, clock: FakeClock) -> None:
    grant_id = _oauth_grant(store)
    clock.advance(minutes=5)
    with store.transaction() as tx:
        dead = tx.grants.set_status(grant_id, GrantStatus.REAUTH_REQUIRED, reason="invalid_grant")
    assert dead.status is GrantStatus.REAUTH_REQUIRED
    assert dead.status_reason == "invalid_grant"
    assert dead.status_changed_at == clock.now
    clock.advance(minutes=5)
    with store.transaction() as tx:
        alive = tx.grants.store_tokens(grant_id, access_token=Secret("a"), expires_at=None, new_family=True)
        cooled = tx.grants.set_cooldown(grant_id, clock.now + timedelta(seconds=30))
    assert alive.status is GrantStatus.ACTIVE
    assert alive.status_reason is None
    assert cooled.cooldown_until == clock.now + timedelta(seconds=30)


def test_set_secrets_and_list(store: Store) -> None:
    with store.transaction() as tx:
        pat = tx.grants.create(
            GrantMethod.PAT, api_url="https://jira.corp", secrets={"static_secret": Secret("p1")}
        )
        tx.grants.set_secrets(pat.id, {"static_secret": Secret("p2")})
        with pytest.raises(ValueError, match="not a secret field"):
            tx.grants.set_secrets(pat.id, {"login": Secret("x")})  # type: ignore[dict-item]
        with pytest.raises(TypeError, match="Secret"):
            tx.grants.set_secrets(pat.id, {"static_secret": "plain"})  # type: ignore[dict-item]
    with store.transaction() as tx:
        assert [g.static_secret for g in tx.grants.list()] == [Secret("p2")]
        cleared = tx.grants.set_secrets(pat.id, {"static_secret": None})
    assert cleared.static_secret is None


def test_missing_and_delete(store: Store) -> None:
    grant_id = _oauth_grant(store)
    with store.transaction() as tx:
        with pytest.raises(NotFound):
            tx.grants.get("nope")
        tx.connections.create(
            name="acme",
            grant_id=grant_id,
            flavor=Flavor.CLOUD,
            site_url="https://acme.atlassian.net",
            api_base_url="https://api.atlassian.com/ex/jira/c1",
        )
        with pytest.raises(Conflict, match="still used"):
            tx.grants.delete(grant_id)
        tx.connections.delete(tx.connections.get_by_name("acme").id)
        tx.grants.delete(grant_id)
    with store.transaction() as tx, pytest.raises(NotFound):
        tx.grants.get(grant_id)


def test_naive_datetimes_are_refused(store: Store) -> None:
    grant_id = _oauth_grant(store)
    naive = FakeClock().now.replace(tzinfo=None)
    with pytest.raises(Exception, match="timezone-aware"), store.transaction() as tx:
        tx.grants.set_cooldown(grant_id, naive)
