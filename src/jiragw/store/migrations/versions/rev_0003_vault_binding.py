"""Vault binding: seal each grant's and connection's addresses; the readiness canary table.

Adds ``grants.destination_enc``, ``connections.destination_enc`` (see
:mod:`jiragw.store.destinations`) and the ``vault_canary`` table, and seals
the addresses of every existing row in the same transaction.

Sealing needs the master keyring. :meth:`jiragw.store.Store.open` hands it to
:func:`jiragw.store.engine.migrate`, which puts it in Alembic's
``config.attributes["keyring"]``, so the upgrade happens once, at the first
start of the new version, with the key the gateway runs with. A database that
holds grants or connections cannot be upgraded without it (plain ``alembic
upgrade`` stops with a message saying so), rather than leaving rows unsealed
for a later, weaker trust-on-first-use step; an empty database needs no key.

Revision ID: 0003_vault_binding
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from jiragw.errors import MasterKeyMissing
from jiragw.store.destinations import connection_destination, grant_destination, seal_destination

revision = "0003_vault_binding"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _seal_existing() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    grants = sa.Table("grants", meta, autoload_with=bind)
    connections = sa.Table("connections", meta, autoload_with=bind)
    grant_rows = bind.execute(sa.select(grants.c.id, grants.c.auth_url, grants.c.api_url)).all()
    conn_rows = bind.execute(
        sa.select(
            connections.c.id,
            connections.c.grant_id,
            connections.c.site_url,
            connections.c.api_base_url,
            connections.c.cloud_id,
        )
    ).all()
    if not grant_rows and not conn_rows:
        return
    keyring = context.config.attributes.get("keyring")
    if keyring is None:
        raise MasterKeyMissing(
            "this upgrade seals every connection's address with the master key: run it through "
            "jiragw (any command that opens the store) with JIRAGW_MASTER_KEY or "
            "JIRAGW_MASTER_KEY_FILE set"
        )
    for gid, auth_url, api_url in grant_rows:
        seal = seal_destination(keyring, "grants", gid, grant_destination(auth_url, api_url))
        bind.execute(sa.update(grants).where(grants.c.id == gid).values(destination_enc=seal))
    for cid, grant_id, site_url, api_base_url, cloud_id in conn_rows:
        destination = connection_destination(grant_id, site_url, api_base_url, cloud_id)
        seal = seal_destination(keyring, "connections", cid, destination)
        bind.execute(sa.update(connections).where(connections.c.id == cid).values(destination_enc=seal))


def upgrade() -> None:
    with op.batch_alter_table("grants") as batch:
        batch.add_column(sa.Column("destination_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("destination_enc", sa.Text(), nullable=True))
    op.create_table(
        "vault_canary",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("value_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_canary")),
    )
    _seal_existing()


def downgrade() -> None:
    op.drop_table("vault_canary")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("destination_enc")
    with op.batch_alter_table("grants") as batch:
        batch.drop_column("destination_enc")
