"""The grant status machine: ``active``, ``refreshing``, ``reauth_required``, ``revoked``.

Issue 3, "Connection states". Transitions are data (:data:`TRANSITIONS`);
:func:`ensure_usable` turns a dead status into its stable error before any
upstream call. ``refreshing`` is reported while this process has a refresh of
the grant in flight; it is never persisted, so a process killed mid-refresh
cannot leave a grant stuck in it (the row keeps its last committed tokens and
status, and the next caller simply refreshes again).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from jiragw.errors import CredentialRevoked, InvalidInput, ReauthRequired
from jiragw.store import GrantRecord, GrantStatus

__all__ = ["TRANSITIONS", "check_transition", "ensure_usable"]

_S = GrantStatus
TRANSITIONS: Mapping[GrantStatus, frozenset[GrantStatus]] = MappingProxyType(
    {
        _S.ACTIVE: frozenset({_S.ACTIVE, _S.REFRESHING, _S.REAUTH_REQUIRED, _S.REVOKED}),
        _S.REFRESHING: frozenset({_S.ACTIVE, _S.REAUTH_REQUIRED, _S.REVOKED}),
        # A new consent (re-running the flow) revives a dead grant.
        _S.REAUTH_REQUIRED: frozenset({_S.ACTIVE, _S.REAUTH_REQUIRED, _S.REVOKED}),
        _S.REVOKED: frozenset({_S.REVOKED}),
    }
)


def check_transition(old: GrantStatus, new: GrantStatus) -> None:
    """:class:`InvalidInput` unless ``old -> new`` is allowed."""
    if new not in TRANSITIONS[old]:
        raise InvalidInput(f"a grant cannot go from {old.value} to {new.value}")


def ensure_usable(grant: GrantRecord) -> None:
    """Raise the stable error of a dead grant (``reauth_required`` or ``revoked``)."""
    if grant.status is GrantStatus.REAUTH_REQUIRED:
        raise ReauthRequired(
            f"the grant needs a new consent ({grant.status_reason or 'refresh refused'}); "
            "run `jiragw connect` again",
            details={"grant_id": grant.id},
        )
    if grant.status is GrantStatus.REVOKED:
        raise CredentialRevoked(
            f"the grant was revoked ({grant.status_reason or 'by an operator'})",
            details={"grant_id": grant.id},
        )
