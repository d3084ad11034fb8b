"""Persistence: SQLAlchemy 2 models, Alembic migrations, and repositories that seal secrets with the vault.

Start from :class:`Store` (``Store.open(url, keyring)`` or
``Store.from_settings(settings)``), then ``with store.transaction() as tx:``
and use ``tx.grants``, ``tx.connections``, ``tx.states``, ``tx.audit``, ``tx.keys`` and ``tx.admin``.
Synchronous on purpose; async code goes through its one async face,
``await store.run(fn, write=...)`` (one transaction in a worker thread) or
``await store.call(fn, ...)`` (a function of the store, in a worker thread).
"""

from __future__ import annotations

from jiragw.store.admin_tokens import AdminTokenRepo
from jiragw.store.audit import AuditFilter, AuditRecord, AuditRepo
from jiragw.store.audit_filter import resolve_audit_filter
from jiragw.store.connections import ConnectionRecord, ConnectionRepo
from jiragw.store.engine import make_engine
from jiragw.store.grants import GrantRecord, GrantRepo
from jiragw.store.keys import KeyRecord, KeyRepo
from jiragw.store.migration import alembic_config, current_revision, migrate
from jiragw.store.models import Flavor, GrantMethod, GrantStatus
from jiragw.store.oauth_states import OAuthStateRecord, OAuthStateRepo
from jiragw.store.rewrap import RewrapResult, count_by_kid, rewrap_all
from jiragw.store.secret_columns import SECRET_COLUMNS
from jiragw.store.store import Store, Tx

__all__ = [
    "SECRET_COLUMNS",
    "AdminTokenRepo",
    "AuditFilter",
    "AuditRecord",
    "AuditRepo",
    "ConnectionRecord",
    "ConnectionRepo",
    "Flavor",
    "GrantMethod",
    "GrantRecord",
    "GrantRepo",
    "GrantStatus",
    "KeyRecord",
    "KeyRepo",
    "OAuthStateRecord",
    "OAuthStateRepo",
    "RewrapResult",
    "Store",
    "Tx",
    "alembic_config",
    "count_by_kid",
    "current_revision",
    "make_engine",
    "migrate",
    "resolve_audit_filter",
    "rewrap_all",
]
