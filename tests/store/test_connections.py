from __future__ import annotations

import pytest

from jiragw.errors import Conflict, InvalidInput, NotFound
from jiragw.store import Flavor, GrantMethod, Store

from .conftest import FakeClock

BAD_NAMES = ["", "-lead", ".", "..", "a/b", "a b", "a%2Fb", "x" * 65, "ünï", "a\n"]


def _grant(store: Store) -> str:
    with store.transaction() as tx:
        return tx.grants.create(GrantMethod.API_TOKEN, login="me@example.com").id


def _create(store: Store, grant_id: str, name: str = "acme") -> str:
    with store.transaction() as tx:
        return tx.connections.create(
            name=name,
            grant_id=grant_id,
            flavor=Flavor.CLOUD,
            site_url="https://acme.atlassian.net",
            api_base_url="https://acme.atlassian.net",
            site_name="acme",
            cloud_id="c-1",
            scopes=["read:jira-work"],
            account_id="557058:abc",
            account_email="me@example.com",
            account_name="Me",
        ).id


def test_create_get_list(store: Store, clock: FakeClock) -> None:
    grant_id = _grant(store)
    connection_id = _create(store, grant_id)
    _create(store, grant_id, "acme-2")
    with store.transaction() as tx:
        by_name = tx.connections.get_by_name("acme")
        assert tx.connections.get(connection_id) == by_name
        assert [c.name for c in tx.connections.list()] == ["acme", "acme-2"]
        assert [c.name for c in tx.connections.list(grant_id=grant_id)] == ["acme", "acme-2"]
        assert tx.connections.list(grant_id="other") == []
    assert by_name.flavor is Flavor.CLOUD
    assert by_name.scopes == ("read:jira-work",)
    assert by_name.account_id == "557058:abc"
    assert by_name.created_at == clock.now


def test_duplicate_name_is_a_conflict_and_the_transaction_survives(store: Store) -> None:
    grant_id = _grant(store)
    _create(store, grant_id)
    with store.transaction() as tx:
        with pytest.raises(Conflict, match="already exists"):
            tx.connections.create(
                name="acme",
                grant_id=grant_id,
                flavor=Flavor.DC,
                site_url="https://j",
                api_base_url="https://j",
            )
        tx.connections.create(
            name="corp", grant_id=grant_id, flavor=Flavor.DC, site_url="https://j", api_base_url="https://j"
        )
    with store.transaction() as tx:
        assert [c.name for c in tx.connections.list()] == ["acme", "corp"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names(store: Store, name: str) -> None:
    grant_id = _grant(store)
    with pytest.raises(InvalidInput, match="connection name"):
        _create(store, grant_id, name)


def test_unknown_grant(store: Store) -> None:
    with pytest.raises(NotFound, match="grant"):
        _create(store, "no-such-grant")


def test_usage_errors_rename_delete(store: Store, clock: FakeClock) -> None:
    connection_id = _create(store, _grant(store))
    clock.advance(seconds=10)
    with store.transaction() as tx:
        tx.connections.record_error(connection_id, "upstream said 500 " + "x" * 5000)
    with store.transaction() as tx:
        failed = tx.connections.get(connection_id)
        assert failed.last_error is not None
        assert len(failed.last_error) == 2000
        assert failed.last_error_at == clock.now
        tx.connections.mark_used(connection_id)
        used = tx.connections.get(connection_id)
        assert used.last_used_at == clock.now
        assert used.last_error is None
        tx.connections.create(
            name="taken",
            grant_id=used.grant_id,
            flavor=Flavor.DC,
            site_url="https://j",
            api_base_url="https://j",
        )
        with pytest.raises(Conflict):
            tx.connections.rename(connection_id, "taken")
        assert tx.connections.rename(connection_id, "renamed").name == "renamed"
        tx.connections.delete(connection_id)
        with pytest.raises(NotFound):
            tx.connections.get_by_name("renamed")
