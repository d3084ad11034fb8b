"""Listing, showing, revoking and removing connections (``jiragw connections ...``).

Issue 3, "Connection states": each view carries the grant's status
(``active``, ``refreshing`` while this process refreshes it,
``reauth_required``, ``revoked``) with the reason and time of its last change.
Views hold no secret, so they print and serialise as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from jiragw.auth import oauth2_3lo
from jiragw.broker.broker import Broker
from jiragw.broker.status import check_transition
from jiragw.secure_urls import INSECURE_WARNING
from jiragw.store import ConnectionRecord, GrantMethod, GrantRecord, GrantStatus, Tx

__all__ = ["ConnectionView", "list_connections", "remove_connection", "revoke_connection", "show_connection"]


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """A connection and its grant's public facts."""

    name: str
    method: str
    flavor: str
    site_url: str
    api_base_url: str
    cloud_id: str | None
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    scopes: tuple[str, ...]
    access_expires_at: datetime | None
    account: str | None
    last_used_at: datetime | None
    last_error: str | None
    # 3LO only: when the refresh-token family hits Atlassian's 365-day absolute lifetime,
    # and whether that is near enough to warn (a human must re-authorize before then).
    reauthorize_by: datetime | None = None
    lifetime_warning: bool = False
    # The operator allowed plain HTTP to a remote host: shown wherever the connection is.
    allow_insecure_http: bool = False
    insecure_warning: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out


def _view(broker: Broker, conn: ConnectionRecord, grant: GrantRecord) -> ConnectionView:
    status = GrantStatus.REFRESHING.value if broker.refreshing(grant.id) else grant.status.value
    reauthorize_by, warn = None, False
    if grant.method is GrantMethod.OAUTH2_3LO and grant.refresh_family_started_at is not None:
        decision = oauth2_3lo.refresh_decision(
            grant.access_expires_at, broker.now(), grant.refresh_family_started_at
        )
        reauthorize_by, warn = decision.family_expires_at, decision.warn_lifetime
    return ConnectionView(
        name=conn.name,
        method=grant.method.value,
        flavor=conn.flavor.value,
        site_url=conn.site_url,
        api_base_url=conn.api_base_url,
        cloud_id=conn.cloud_id,
        status=status,
        status_reason=grant.status_reason,
        status_changed_at=grant.status_changed_at,
        scopes=conn.scopes or grant.scopes,
        access_expires_at=grant.access_expires_at,
        account=conn.account_email or conn.account_name or conn.account_id,
        last_used_at=conn.last_used_at,
        last_error=conn.last_error,
        reauthorize_by=reauthorize_by,
        lifetime_warning=warn,
        allow_insecure_http=conn.allow_insecure_http,
        insecure_warning=INSECURE_WARNING if conn.allow_insecure_http else None,
    )


async def list_connections(broker: Broker) -> list[ConnectionView]:
    """Every connection, by name."""

    def read(tx: Tx) -> list[tuple[ConnectionRecord, GrantRecord]]:
        return [(c, tx.grants.get(c.grant_id)) for c in tx.connections.list()]

    return [_view(broker, c, g) for c, g in await broker.store.run(read)]


async def show_connection(broker: Broker, name: str) -> ConnectionView:
    """One connection by name (NotFound otherwise)."""

    def read(tx: Tx) -> tuple[ConnectionRecord, GrantRecord]:
        conn = tx.connections.get_by_name(name)
        return conn, tx.grants.get(conn.grant_id)

    conn, grant = await broker.store.run(read)
    return _view(broker, conn, grant)


async def revoke_connection(broker: Broker, name: str, *, reason: str = "revoked by an operator") -> None:
    """Mark the connection's grant ``revoked`` (terminal); every connection of the grant stops working."""

    def write(tx: Tx) -> None:
        conn = tx.connections.get_by_name(name)
        grant = tx.grants.get(conn.grant_id)
        check_transition(grant.status, GrantStatus.REVOKED)
        tx.grants.set_status(grant.id, GrantStatus.REVOKED, reason=reason)
        tx.audit.append(
            "grant.revoke", actor=broker.actor, outcome="ok", connection_id=conn.id, grant_id=grant.id
        )

    await broker.store.run(write, write=True)
    broker.session.forget()  # this process stops using it at once; others within the cache's TTL


async def remove_connection(broker: Broker, name: str) -> None:
    """Delete the connection, and its grant (with the sealed secrets) once no connection uses it."""

    def write(tx: Tx) -> None:
        conn = tx.connections.get_by_name(name)
        tx.connections.delete(conn.id)
        if not tx.connections.list(grant_id=conn.grant_id):
            tx.grants.delete(conn.grant_id)
        tx.audit.append(
            "connection.remove",
            actor=broker.actor,
            outcome="ok",
            connection_id=conn.id,
            grant_id=conn.grant_id,
        )

    await broker.store.run(write, write=True)
    broker.session.forget()
