"""Creating, listing and revoking inbound keys: the one implementation the API, admin UI and CLI share.

The plaintext key exists only in the :class:`MintedKey` returned by
:func:`create_key`; callers show it once and drop it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from jiragw.errors import InvalidInput
from jiragw.keys.ceiling import ADMIN_SCOPE
from jiragw.keys.format import MintedKey, mint_key
from jiragw.keys.presets import PRESETS, all_scopes, preset_scopes
from jiragw.store import KeyRecord, Store, Tx
from jiragw.store.keys import ALL

__all__ = ["create_key", "key_json", "list_keys", "revoke_key"]


def _ceiling(
    preset: str | None, scopes: Iterable[str] | None, read_only: bool | None
) -> tuple[frozenset[str], bool]:
    if preset is not None:
        if preset not in PRESETS:
            raise InvalidInput(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
        ceiling, ro = preset_scopes(preset)
        return ceiling, ro if read_only is None else (ro or read_only)
    chosen = frozenset(s.strip() for s in (scopes or ()) if s.strip())
    if not chosen:
        raise InvalidInput("give a preset or at least one scope")
    known = set(all_scopes()) | {ALL, ADMIN_SCOPE}
    unknown = sorted(chosen - known)
    if unknown:
        raise InvalidInput(f"unknown scopes: {', '.join(unknown)}")
    return chosen, bool(read_only)


def create_key(
    store: Store,
    *,
    name: str,
    connections: Iterable[str],
    created_by: str,
    preset: str | None = None,
    scopes: Iterable[str] | None = None,
    read_only: bool | None = None,
    expires_at: datetime | None = None,
) -> tuple[MintedKey, KeyRecord]:
    """A new key bound to ``connections`` (names, or ``*`` for all); audited as ``key.create``."""
    ceiling, ro = _ceiling(preset, scopes, read_only)
    minted = mint_key()
    with store.transaction(immediate=True) as tx:
        ids = _connection_ids(tx, connections)
        record = tx.keys.create(
            name=name,
            key_hash=minted.key_hash,
            prefix=minted.prefix,
            scopes=ceiling,
            read_only=ro,
            connection_ids=ids,
            created_by=created_by,
            expires_at=expires_at,
        )
        tx.audit.append("key.create", actor=created_by, outcome="ok", key_id=record.id, target=record.name)
    return minted, record


def _connection_ids(tx: Tx, names: Iterable[str]) -> list[str]:
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        raise InvalidInput("bind the key to at least one connection (or '*')")
    if ALL in wanted:
        return [ALL]
    return [tx.connections.get_by_name(name).id for name in wanted]


def list_keys(store: Store) -> list[KeyRecord]:
    with store.transaction() as tx:
        return tx.keys.list()


def revoke_key(store: Store, ref: str, *, actor: str) -> KeyRecord:
    """Revoke a key by id or unique name; audited as ``key.revoke``."""
    with store.transaction(immediate=True) as tx:
        record = tx.keys.revoke(tx.keys.find(ref).id)
        tx.audit.append("key.revoke", actor=actor, outcome="ok", key_id=record.id, target=record.name)
    return record


def key_json(record: KeyRecord, now: datetime, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The public view of a key (never its secret); ``names`` maps connection ids to names."""
    names = names or {}
    return {
        "id": record.id,
        "name": record.name,
        "prefix": record.prefix,
        "status": record.status(now),
        "read_only": record.read_only,
        "scopes": sorted(record.scopes),
        "connections": sorted(names.get(c, c) for c in record.connection_ids),
        "created_by": record.created_by,
        "created_at": record.created_at.isoformat(),
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
    }
