"""Audit filters from a connection or key given by name or id (store/audit_filter.py)."""

from __future__ import annotations

import pytest

from jiragw.errors import InvalidInput, NotFound
from jiragw.store import AuditFilter, Flavor, GrantMethod, Store, resolve_audit_filter
from jiragw.store.keys import ALL


def _seed(store: Store) -> tuple[str, str]:
    """One connection named ``acme`` and one key named ``ci``; their ids."""
    with store.transaction() as tx:
        grant = tx.grants.create(GrantMethod.API_TOKEN, login="me@example.com")
        conn = tx.connections.create(
            name="acme", grant_id=grant.id, flavor=Flavor.DC, site_url="https://j", api_base_url="https://j"
        )
        key = tx.keys.create(
            name="ci",
            key_hash="0" * 64,
            prefix="jgw_abcdefgh",
            scopes=frozenset({ALL}),
            read_only=False,
            connection_ids=[ALL],
            created_by="test",
        )
    return conn.id, key.id


def test_names_resolve_to_ids_and_the_rest_of_the_filter_stays(store: Store) -> None:
    conn_id, key_id = _seed(store)
    given = AuditFilter(actor="admin", action="proxy", outcome="ok", after_id=7)
    with store.transaction() as tx:
        flt = resolve_audit_filter(tx, given, connection="acme", key="ci")
    assert flt == AuditFilter(
        actor="admin", action="proxy", outcome="ok", after_id=7, connection_id=conn_id, key_id=key_id
    )


def test_ids_and_unknown_connection_names_are_taken_as_ids(store: Store) -> None:
    conn_id, key_id = _seed(store)
    with store.transaction() as tx:
        assert resolve_audit_filter(tx, AuditFilter(), connection=conn_id, key=key_id) == AuditFilter(
            connection_id=conn_id, key_id=key_id
        )
        gone = resolve_audit_filter(tx, AuditFilter(), connection="removed-since")
        assert gone.connection_id == "removed-since"


def test_nothing_given_leaves_the_filter_as_it_was(store: Store) -> None:
    given = AuditFilter(key_id="k-raw", connection_id="c-raw")
    with store.transaction() as tx:
        assert resolve_audit_filter(tx, given) == given


def test_an_unknown_key_is_refused_unless_it_may_be_an_id(store: Store) -> None:
    with store.transaction() as tx:
        with pytest.raises(NotFound):
            resolve_audit_filter(tx, AuditFilter(), key="ghost")
        assert resolve_audit_filter(tx, AuditFilter(), key="ghost", key_must_exist=False).key_id == "ghost"


def test_an_ambiguous_key_name_is_refused_unless_it_may_be_an_id(store: Store) -> None:
    with store.transaction() as tx:
        for n in range(2):
            tx.keys.create(
                name="twin",
                key_hash=str(n) * 64,
                prefix=f"jgw_twin{n}xxx",
                scopes=frozenset({ALL}),
                read_only=False,
                connection_ids=[ALL],
                created_by="test",
            )
    with store.transaction() as tx:
        with pytest.raises(InvalidInput):
            resolve_audit_filter(tx, AuditFilter(), key="twin")
        assert resolve_audit_filter(tx, AuditFilter(), key="twin", key_must_exist=False).key_id == "twin"
