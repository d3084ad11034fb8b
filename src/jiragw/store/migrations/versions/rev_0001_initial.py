"""Initial schema: grants, connections, oauth_states, audit_events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

A frozen snapshot: enum values are spelled out here rather than imported from
the models, so later model changes cannot silently alter this migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_METHODS = ("api_token", "basic", "pat", "oauth2_3lo", "client_credentials", "oauth1", "dc_oauth2")
_STATUSES = ("active", "refreshing", "reauth_required", "revoked")
_FLAVORS = ("cloud", "dc")
_URL = 2048


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _secret(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("method", _enum(_METHODS, "grant_method"), nullable=False),
        sa.Column("auth_url", sa.String(_URL), nullable=True),
        sa.Column("api_url", sa.String(_URL), nullable=True),
        sa.Column("client_id", sa.String(255), nullable=True),
        sa.Column("login", sa.String(255), nullable=True),
        _secret("client_secret_enc"),
        _secret("access_token_enc"),
        _secret("refresh_token_enc"),
        _secret("static_secret_enc"),
        _secret("oauth1_private_key_enc"),
        _secret("oauth1_token_secret_enc"),
        sa.Column("token_type", sa.String(32), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        _ts("access_expires_at"),
        _ts("refresh_family_started_at"),
        _ts("refreshed_at"),
        _ts("cooldown_until"),
        sa.Column("status", _enum(_STATUSES, "grant_status"), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        _ts("status_changed_at", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )

    op.create_table(
        "connections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("grant_id", sa.String(36), nullable=False),
        sa.Column("flavor", _enum(_FLAVORS, "flavor"), nullable=False),
        sa.Column("site_url", sa.String(_URL), nullable=False),
        sa.Column("site_name", sa.String(255), nullable=True),
        sa.Column("cloud_id", sa.String(64), nullable=True),
        sa.Column("api_base_url", sa.String(_URL), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=True),
        sa.Column("account_email", sa.String(320), nullable=True),
        sa.Column("account_name", sa.String(255), nullable=True),
        _ts("last_used_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("last_error_at"),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_connections_grant_id_grants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint("name", name=op.f("uq_connections_name")),
    )
    op.create_index(op.f("ix_connections_grant_id"), "connections", ["grant_id"])

    op.create_table(
        "oauth_states",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("kind", _enum(_METHODS, "oauth_state_kind"), nullable=False),
        sa.Column("initiator_hash", sa.String(64), nullable=False),
        sa.Column("grant_id", sa.String(36), nullable=True),
        sa.Column("redirect_uri", sa.String(_URL), nullable=True),
        sa.Column("redirect_to", sa.String(_URL), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        _secret("pkce_verifier_enc"),
        _secret("request_token_enc"),
        _secret("request_token_secret_enc"),
        sa.Column("params", sa.JSON(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("used_at"),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grants.id"], name=op.f("fk_oauth_states_grant_id_grants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    op.create_index(op.f("ix_oauth_states_expires_at"), "oauth_states", ["expires_at"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        _ts("at", nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=True),
        sa.Column("grant_id", sa.String(36), nullable=True),
        sa.Column("target", sa.String(_URL), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_connection_id_at"), "audit_events", ["connection_id", "at"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("oauth_states")
    op.drop_table("connections")
    op.drop_table("grants")
