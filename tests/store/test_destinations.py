"""Address seals: a grant's or connection's address changed in the database fails closed.

Whoever can write the database but holds no key must not be able to point a
credential at their own host. Both backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, insert, select, update

from jiragw.errors import DecryptionFailed, DestinationChanged, MasterKeyMissing, VaultError
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod, Store, Tx, make_engine, migrate
from jiragw.store.destinations import check_canary
from jiragw.store.types import utcnow
from jiragw.vault import Keyring, peek_kid

EVIL = "https://evil.example"


def _fill(store: Store, name: str = "acme") -> tuple[str, str]:
    with store.transaction() as tx:
        grant = tx.grants.create(
            GrantMethod.OAUTH2_3LO,
            auth_url="https://auth.atlassian.com",
            api_url="https://api.atlassian.com",
            client_id="cid",
            secrets={"client_secret": Secret("canary-cs"), "refresh_token": Secret("canary-rt")},
        )
        conn = tx.connections.create(
            name=name,
            grant_id=grant.id,
            flavor=Flavor.CLOUD,
            site_url=f"https://{name}.atlassian.net",
            api_base_url=f"https://api.atlassian.com/ex/jira/{name}-cloud",
            cloud_id=f"{name}-cloud",
        )
    return grant.id, conn.id


def _tamper(store: Store, table: str, row_id: str, **values: Any) -> None:
    t = Table(table, MetaData(), autoload_with=store.engine)
    with store.engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == row_id).values(**values))


def _read(store: Store, fn: Callable[[Tx], object]) -> object:
    with store.transaction() as tx:
        return fn(tx)


def _clean(exc: BaseException, *ids: str) -> None:
    text = str(exc)
    for secret in ("canary-cs", "canary-rt"):
        assert secret not in text
    for internal in ids:
        assert internal not in text
    assert "destination_enc" not in text


def test_untouched_rows_verify(store: Store) -> None:
    grant_id, _ = _fill(store)
    with store.transaction() as tx:
        conn = tx.connections.get_verified("acme")
        assert conn.api_base_url.endswith("/ex/jira/acme-cloud")
        assert tx.grants.get(grant_id).refresh_token == Secret("canary-rt")


CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "hostile_tampering.json").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_tampered_address_fails_closed(store: Store, case: dict[str, Any]) -> None:
    grant_id, conn_id = _fill(store)
    other_grant, _ = _fill(store, "other")
    value = case["value"].replace("{other_grant}", other_grant) if case["value"] else case["value"]
    row_id = conn_id if case["table"] == "connections" else grant_id
    _tamper(store, case["table"], row_id, **{case["column"]: value})
    read: Callable[[Tx], object] = (
        (lambda tx: tx.connections.get_verified("acme"))
        if case["table"] == "connections"
        else (lambda tx: tx.grants.get(grant_id))
    )
    with pytest.raises(VaultError) as info:
        _read(store, read)
    assert info.value.code == case["code"]
    _clean(info.value, conn_id, grant_id, other_grant, store.keyring.primary_kid)
    if case["code"] == "destination_changed":
        assert "connection 'acme'" in str(info.value)  # the operator learns which one
    if case["table"] == "connections":
        # Reading it for display still works, so an operator can see and remove it.
        with store.transaction() as tx:
            assert tx.connections.get_by_name("acme").id == conn_id


def test_a_removed_or_copied_seal_fails_closed(store: Store) -> None:
    _, acme = _fill(store)
    _, other = _fill(store, "other")
    _tamper(store, "connections", acme, destination_enc=None, api_base_url=EVIL)
    with pytest.raises(DestinationChanged, match="no seal"), store.transaction() as tx:
        tx.connections.get_verified("acme")
    # Copy another row's addresses *and* seal: the seal is bound to its row.
    t = Table("connections", MetaData(), autoload_with=store.engine)
    with store.engine.begin() as conn:
        row = conn.execute(
            select(t.c.site_url, t.c.api_base_url, t.c.cloud_id, t.c.destination_enc).where(t.c.id == other)
        ).one()
    _tamper(store, "connections", acme, **row._asdict())
    with pytest.raises(DecryptionFailed) as info, store.transaction() as tx:
        tx.connections.get_verified("acme")
    _clean(info.value, acme, other)


def test_moves_through_the_store_reseal(store: Store) -> None:
    grant_id, conn_id = _fill(store)
    with store.transaction() as tx:
        tx.connections.move(conn_id, site_url="https://new.example", api_base_url="https://new.example")
        tx.grants.set_api_url(grant_id, "https://new.example")
    with store.transaction() as tx:
        assert tx.connections.get_verified("acme").api_base_url == "https://new.example"
        assert tx.grants.get(grant_id).api_url == "https://new.example"


def test_rewrap_reseals_and_key_usage_counts_the_seals(
    store: Store, keyring_path: Path, open_store: Callable[[Keyring], Store]
) -> None:
    grant_id, _ = _fill(store)
    old = store.keyring.primary_kid
    # Two secrets + the grant's seal + the connection's seal + the canary.
    assert store.key_usage() == {old: 5}
    assert store.count_by_kid() == {old: 2}
    rotated = Keyring.rotate(keyring_path)
    result = store.with_keyring(rotated).rewrap_all()
    assert result.rebound == 3
    assert store.key_usage() == {rotated.primary_kid: 5}
    Keyring.retire(keyring_path, old, usage=store.key_usage())
    later = open_store(Keyring.load(keyring_path))
    with later.transaction() as tx:
        assert tx.connections.get_verified("acme").name == "acme"
        assert tx.grants.get(grant_id).client_secret == Secret("canary-cs")
        check_canary(tx.session, later.live_keyring)


def _seed_at_0002(url: str) -> tuple[str, str]:
    engine = make_engine(url)
    try:
        migrate(engine, "0002")
        meta = MetaData()
        grants = Table("grants", meta, autoload_with=engine)
        connections = Table("connections", meta, autoload_with=engine)
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(
                insert(grants).values(
                    id="g-1",
                    method="api_token",
                    api_url="https://acme.atlassian.net",
                    login="me@example.com",
                    scopes="",
                    status="active",
                    status_changed_at=now,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(
                insert(connections).values(
                    id="c-1",
                    name="acme",
                    grant_id="g-1",
                    flavor="cloud",
                    site_url="https://acme.atlassian.net",
                    api_base_url="https://acme.atlassian.net",
                    scopes="",
                    created_at=now,
                    updated_at=now,
                )
            )
    finally:
        engine.dispose()
    return "g-1", "c-1"


def test_the_upgrade_seals_existing_rows(fresh_db_url: str, keyring: Keyring) -> None:
    grant_id, _ = _seed_at_0002(fresh_db_url)
    store = Store.open(fresh_db_url, keyring)
    try:
        with store.transaction() as tx:
            assert tx.connections.get_verified("acme").site_url == "https://acme.atlassian.net"
            assert tx.grants.get(grant_id).login == "me@example.com"
        grants = Table("grants", MetaData(), autoload_with=store.engine)
        with store.engine.connect() as conn:
            seal = conn.execute(select(grants.c.destination_enc)).scalar_one()
        assert peek_kid(seal) == keyring.primary_kid
    finally:
        store.dispose()


def test_the_upgrade_of_a_database_with_rows_needs_the_key(fresh_db_url: str) -> None:
    _seed_at_0002(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        with pytest.raises(MasterKeyMissing, match="JIRAGW_MASTER_KEY"):
            migrate(engine)
    finally:
        engine.dispose()
