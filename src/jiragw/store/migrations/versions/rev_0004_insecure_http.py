"""Connections: the operator's explicit permission to use plain HTTP with a remote host.

Revision ID: 0004_insecure_http
Revises: 0003_vault_binding
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jiragw.secure_urls import is_secure_url

revision = "0004_insecure_http"
down_revision: str | None = "0003_vault_binding"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.add_column(
            sa.Column("allow_insecure_http", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Connections made before the HTTPS rule to a remote plain-HTTP address keep working, and from
    # now on carry the permission, so they are shown with the warning.
    table = sa.table(
        "connections",
        sa.column("id", sa.String),
        sa.column("site_url", sa.String),
        sa.column("api_base_url", sa.String),
        sa.column("allow_insecure_http", sa.Boolean),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.site_url, table.c.api_base_url)).all()
    insecure = [r.id for r in rows if not (is_secure_url(r.site_url) and is_secure_url(r.api_base_url))]
    if insecure:
        bind.execute(table.update().where(table.c.id.in_(insecure)).values(allow_insecure_http=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("allow_insecure_http")
