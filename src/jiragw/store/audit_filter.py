"""An audit filter from what a person gives: a connection, or a key, by name or by id.

Every door that searches the audit trail (``jiragw audit tail``, the
management API's ``GET /api/v1/audit``, the admin UI's audit page) takes a
connection by name or id; events name connections by id and outlive them, so
a name that matches no connection is taken as an id. The CLI and the admin UI
take a key by name or id too.
"""

from __future__ import annotations

import dataclasses

from jiragw.errors import JiragwError, NotFound
from jiragw.store.audit import AuditFilter
from jiragw.store.store import Tx

__all__ = ["resolve_audit_filter"]


def resolve_audit_filter(
    tx: Tx,
    flt: AuditFilter,
    *,
    connection: str | None = None,
    key: str | None = None,
    key_must_exist: bool = True,
) -> AuditFilter:
    """``flt`` narrowed to ``connection`` and ``key`` (each a name or an id), resolved to ids.

    A key that matches nothing raises :meth:`jiragw.store.KeyRepo.find`'s error,
    unless ``key_must_exist`` is false: then the text is taken as an id.
    """
    if connection is not None:
        try:
            connection_id = tx.connections.get_by_name(connection).id
        except NotFound:
            connection_id = connection  # an id, or a connection removed since
        flt = dataclasses.replace(flt, connection_id=connection_id)
    if key is not None:
        try:
            key_id = tx.keys.find(key).id
        except JiragwError:
            if key_must_exist:
                raise
            key_id = key
        flt = dataclasses.replace(flt, key_id=key_id)
    return flt
