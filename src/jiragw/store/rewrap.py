"""Key rotation support: re-encrypt every secret under the primary key, and count values per key.

``jiragw vault rewrap``: after :meth:`Keyring.rotate` new writes use the new
key and old values still read; :func:`rewrap_all` then re-encrypts every
stored value that is not yet under the primary key, in the caller's
transaction — the secrets, and the sealed values that are not secrets (the
address seals and the canary of :mod:`jiragw.store.destinations`, counted
apart as ``rebound``) — and :func:`count_by_kid` with
:func:`binding_count_by_kid` tell :meth:`Keyring.retire` whether an old key
is still needed.

Each value is replaced compare-and-swap (``WHERE id = ? AND col = <old
envelope>``) through Core, so a token rotated concurrently by the broker is
never overwritten with its stale predecessor, and the grant's ``version`` is
not bumped (a rewrap changes no meaning).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from jiragw.store.destinations import BINDING_COLUMNS
from jiragw.store.models import Base
from jiragw.store.secret_columns import SECRET_COLUMNS, column_for
from jiragw.vault import Keyring, aad_for, peek_kid

__all__ = ["MALFORMED", "RewrapResult", "binding_count_by_kid", "count_by_kid", "rewrap_all"]

# The count_by_kid bucket for values that are not a parseable envelope.
MALFORMED: Final = "malformed"


@dataclass(frozen=True, slots=True)
class RewrapResult:
    """What a rewrap did: secrets re-encrypted per ``table.field``, already current, changed meanwhile;
    and how many address seals and canaries were re-sealed (``rebound``)."""

    rewrapped: dict[str, int] = field(default_factory=dict)
    current: int = 0
    skipped: int = 0
    rebound: int = 0

    @property
    def total_rewrapped(self) -> int:
        """How many values were re-encrypted."""
        return sum(self.rewrapped.values())


def _table(name: str) -> Table:
    table = Base.metadata.tables[name]
    assert isinstance(table, Table)
    return table


def _rewrap_columns(
    session: Session, keyring: Keyring, columns_by_table: Mapping[str, tuple[str, ...]]
) -> tuple[Counter[str], int, int]:
    rewrapped: Counter[str] = Counter()
    current = skipped = 0
    for table_name, fields in columns_by_table.items():
        table = _table(table_name)
        columns = [table.c[column_for(f)] for f in fields]
        for row in session.execute(select(table.c.id, *columns)).all():
            row_id = row[0]
            for name, column, envelope in zip(fields, columns, row[1:], strict=True):
                if envelope is None:
                    continue
                if keyring.is_current(envelope):
                    current += 1
                    continue
                aad = aad_for(table_name, row_id, name)
                fresh = keyring.encrypt(keyring.decrypt_bytes(envelope, aad), aad)
                result = session.execute(
                    update(table).where(table.c.id == row_id, column == envelope).values({column.name: fresh})
                )
                if getattr(result, "rowcount", 0) == 1:
                    rewrapped[f"{table_name}.{name}"] += 1
                else:
                    skipped += 1
    return rewrapped, current, skipped


def rewrap_all(session: Session, keyring: Keyring) -> RewrapResult:
    """Re-encrypt every sealed value not under ``keyring``'s primary key (the ring must hold the old keys)."""
    rewrapped, current, skipped = _rewrap_columns(session, keyring, SECRET_COLUMNS)
    rebound, _, _ = _rewrap_columns(session, keyring, BINDING_COLUMNS)
    # Loaded ORM objects may hold the old envelopes; make the session re-read them.
    session.expire_all()
    return RewrapResult(
        rewrapped=dict(rewrapped), current=current, skipped=skipped, rebound=sum(rebound.values())
    )


def _count(session: Session, columns_by_table: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for table_name, fields in columns_by_table.items():
        table = _table(table_name)
        for field_name in fields:
            column = table.c[column_for(field_name)]
            for envelope in session.scalars(select(column).where(column.is_not(None))):
                counts[peek_kid(envelope) or MALFORMED] += 1
    return dict(counts)


def count_by_kid(session: Session) -> dict[str, int]:
    """How many stored secret values are under each key id (``"malformed"`` for unparseable ones)."""
    return _count(session, SECRET_COLUMNS)


def binding_count_by_kid(session: Session) -> dict[str, int]:
    """How many address seals and canaries are under each key id (retiring a key needs them gone too)."""
    return _count(session, BINDING_COLUMNS)
