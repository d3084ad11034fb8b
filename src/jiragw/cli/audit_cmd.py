"""``jiragw audit tail`` and ``jiragw audit prune``: read the audit trail, and trim it.

See docs/architecture.md. ``tail`` reads the local store: the newest events,
and with ``--follow`` it polls for events with an id above the last one shown
every ``--interval`` seconds and ends cleanly on Ctrl+C; ``--json`` prints one
JSON object per event per line. Events hold no bodies or secrets.

``prune`` deletes the events older than ``--older-than DAYS`` (default
``JIRAGW_AUDIT_RETENTION_DAYS``, 365), as the gateway does by itself once a day.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from .command import App
from .keys_cmd import open_store

if TYPE_CHECKING:
    from ..store import Store
    from ..store.audit import AuditFilter, AuditRecord

__all__ = ["audit", "format_event", "prune_cmd"]

audit = App(help="Read the audit trail.")
# The follow loop's wait; tests replace it to drive the loop without real time passing.
sleep: Callable[[float], None] = time.sleep


def _filter(store: Store, connection: str | None, key: str | None, action: str | None) -> AuditFilter:
    from ..store import resolve_audit_filter
    from ..store.audit import AuditFilter

    with store.transaction() as tx:
        return resolve_audit_filter(tx, AuditFilter(action=action), connection=connection, key=key)


def format_event(e: AuditRecord, names: dict[str, str]) -> str:
    """One human-readable line."""
    parts = [
        e.at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        e.action,
        e.outcome,
        e.actor,
    ]
    if e.connection_id:
        parts.append(f"connection={names.get(e.connection_id, e.connection_id)}")
    if e.key_id:
        parts.append(f"key={e.key_id}")
    if e.method or e.target:
        parts.append(" ".join(p for p in (e.method, e.target) if p))
    if e.status_code is not None:
        parts.append(str(e.status_code))
    if e.error_code:
        parts.append(f"error={e.error_code}")
    if e.latency_ms is not None:
        parts.append(f"{e.latency_ms}ms")
    return "  ".join(parts)


def _emit(events: list[AuditRecord], names: dict[str, str], as_json: bool) -> None:
    for e in events:
        typer.echo(json.dumps(e.to_json()) if as_json else format_event(e, names))


@audit.command("tail")
def tail_cmd(
    lines: Annotated[
        int, typer.Option("-n", "--lines", min=1, max=10_000, help="How many recent events.")
    ] = 20,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events (Ctrl+C stops).")
    ] = False,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between polls.")] = 1.0,
    connection: Annotated[
        str | None, typer.Option("--connection", metavar="NAME", help="Only this connection.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", metavar="KEY", help="Only this key (id or name).")
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", metavar="ACTION", help="Only this action, e.g. api.key.create.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event per line.")] = False,
) -> None:
    """The last events, oldest first."""
    from ..store.audit import AuditFilter

    with open_store() as store:
        flt = _filter(store, connection, key, action)

        def names() -> dict[str, str]:
            with store.transaction() as tx:
                return {c.id: c.name for c in tx.connections.list()}

        with store.transaction() as tx:
            recent = list(reversed(tx.audit.search(flt, limit=lines)))
        _emit(recent, names(), as_json)
        if not follow:
            return
        last = recent[-1].id if recent else _newest_id(store)
        try:
            while True:
                sleep(interval)
                after = AuditFilter(
                    connection_id=flt.connection_id, key_id=flt.key_id, action=flt.action, after_id=last
                )
                with store.transaction() as tx:
                    new = tx.audit.search(after, limit=1000, oldest_first=True)
                if new:
                    _emit(new, names(), as_json)
                    last = new[-1].id
        except KeyboardInterrupt:
            return


def _newest_id(store: Store) -> int:
    """Where following starts when nothing matched yet: after every event stored now."""
    from ..store.audit import AuditFilter

    with store.transaction() as tx:
        newest = tx.audit.search(AuditFilter(), limit=1)
    return newest[0].id if newest else 0


@audit.command("prune")
def prune_cmd(
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=1,
            max=36_500,
            help="Delete events older than this many days (default: JIRAGW_AUDIT_RETENTION_DAYS, 365).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
) -> None:
    """Delete old audit events (the gateway does this daily by itself)."""
    from ..config import Settings
    from ..errors import InvalidInput

    days = older_than if older_than is not None else Settings.from_env().audit_retention_days
    if days <= 0:
        raise InvalidInput("JIRAGW_AUDIT_RETENTION_DAYS is 0 (keep forever): give --older-than DAYS to prune")
    with open_store() as store:
        deleted = store.prune_audit(days)
    if as_json:
        typer.echo(json.dumps({"deleted": deleted, "older_than_days": days}))
    else:
        typer.echo(f"Deleted {deleted} audit event{'s' if deleted != 1 else ''} older than {days} days.")
