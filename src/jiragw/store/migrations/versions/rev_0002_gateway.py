"""Gateway: inbound keys, admin login links and sessions, richer audit events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("key_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("method", sa.String(16), nullable=True))
        batch.add_column(sa.Column("latency_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("bytes_out", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("error_code", sa.String(64), nullable=True))

    op.create_table(
        "gateway_keys",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("connection_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at"),
        _ts("revoked_at"),
        _ts("last_used_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_gateway_keys_key_hash")),
    )

    op.create_table(
        "admin_tokens",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("principal", sa.String(255), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("used_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admin_tokens_token_hash")),
    )
    op.create_index(op.f("ix_admin_tokens_expires_at"), "admin_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("admin_tokens")
    op.drop_table("gateway_keys")
    with op.batch_alter_table("audit_events") as batch:
        for column in ("error_code", "bytes_out", "latency_ms", "method", "key_id"):
            batch.drop_column(column)
