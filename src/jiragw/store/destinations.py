"""Where a credential may be sent, sealed by the vault: a changed address fails closed.

A secret's own AAD binds it to its cell (``grants:<id>:<field>``), but the
addresses it is sent to live in plain columns beside it: a grant's token
endpoint and API address (``auth_url``, ``api_url``) and a connection's site
and API base (``site_url``, ``api_base_url``, with its grant and cloud id).
Whoever can write the database but holds no key could otherwise point them at
their own host and receive the decrypted credential.

So each grant and each connection row carries a *destination seal*: the vault
encrypts the canonical form of those columns (:func:`grant_destination`,
:func:`connection_destination`) bound to the row (AAD
``<table>:<id>:destination``) and stores it in ``destination_enc``. Reading
compares the opened seal with the columns as they are now
(:func:`check_seal`) and raises :class:`~jiragw.errors.DestinationChanged`
when they differ, when the seal is missing, or when it does not open: before
any secret of the row is handed out. Only the repositories write these
columns, and every write of an address re-seals it in the same transaction
(``GrantRepo.create``/``set_api_url``, ``ConnectionRepo.create``/``move``).

AES-GCM over the columns is a MAC with a key id: it rotates and rewraps like
every other sealed value (``rewrap_all`` re-seals it, ``key_usage`` counts it
before a key is retired).

The same mechanism gives ``/readyz`` a canary: one sealed row in
``vault_canary`` written at first start (:func:`ensure_canary`) and opened on
every readiness check (:func:`check_canary`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiragw.errors import DestinationChanged, VaultError
from jiragw.secrets import Secret
from jiragw.store.models import VaultCanary
from jiragw.vault import aad_for

__all__ = [
    "BINDING_COLUMNS",
    "CANARY_ID",
    "DESTINATION",
    "Sealer",
    "check_canary",
    "check_seal",
    "connection_destination",
    "ensure_canary",
    "grant_destination",
    "has_canary",
    "seal_destination",
]

DESTINATION: Final = "destination"
CANARY_ID: Final = "canary"
_CANARY_TABLE: Final = "vault_canary"
_FORMAT: Final = "jiragw-destination-v1"
_CANARY_PREFIX: Final = "jiragw-canary-v1:"

# Sealed values that are not secrets (bindings and the canary), for rewrap and key usage.
BINDING_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "grants": (DESTINATION,),
    "connections": (DESTINATION,),
    _CANARY_TABLE: ("value",),
}


class Sealer(Protocol):
    """What sealing needs of a keyring: a :class:`~jiragw.vault.Keyring` or a ``LiveKeyring``."""

    def encrypt(self, plaintext: Secret | bytes, aad: str) -> str: ...

    def decrypt_bytes(self, envelope: str, aad: str) -> bytes: ...


def grant_destination(auth_url: str | None, api_url: str | None) -> bytes:
    """The canonical form of a grant's addresses (token endpoint base, API address)."""
    return json.dumps([_FORMAT, "grant", auth_url, api_url]).encode()


def connection_destination(grant_id: str, site_url: str, api_base_url: str, cloud_id: str | None) -> bytes:
    """The canonical form of a connection's addresses, with the grant whose credential it sends."""
    return json.dumps([_FORMAT, "connection", grant_id, site_url, api_base_url, cloud_id]).encode()


def seal_destination(keys: Sealer, table: str, row_id: str, destination: bytes) -> str:
    """The envelope to store in ``<table>.destination_enc`` for that row."""
    return keys.encrypt(destination, aad_for(table, row_id, DESTINATION))


def check_seal(
    keys: Sealer,
    table: str,
    row_id: str,
    destination: bytes,
    envelope: str | None,
    *,
    what: str | Callable[[], str],
) -> None:
    """Fail closed unless ``envelope`` seals exactly ``destination`` for that row.

    ``what`` names the row for a person ("connection 'acme'"), or computes that name
    when it is needed (only on failure); never an internal id.
    """
    if envelope is not None and _sealed(keys, table, row_id, envelope) == destination:
        return
    what = what if isinstance(what, str) else what()
    if envelope is None:
        raise DestinationChanged(
            f"the stored address of {what} carries no seal; refusing to send its credential "
            "(remove and re-create it)"
        )
    raise DestinationChanged(
        f"the stored address of {what} was changed outside jiragw; refusing to send its "
        "credential (if the change is wanted, reconnect it through jiragw)"
    )


def _sealed(keys: Sealer, table: str, row_id: str, envelope: str) -> bytes:
    # A seal that does not open (tampered, copied from another row, unknown key) raises
    # DecryptionFailed here: closed as well, and it names a keyring problem as such.
    return keys.decrypt_bytes(envelope, aad_for(table, row_id, DESTINATION))


def _canary_aad() -> str:
    return aad_for(_CANARY_TABLE, CANARY_ID, "value")


def has_canary(session: Session) -> bool:
    """Whether the canary was written."""
    return session.scalar(select(VaultCanary.id).where(VaultCanary.id == CANARY_ID)) is not None


def ensure_canary(session: Session, keys: Sealer) -> None:
    """Write the sealed canary unless it is there (first start); safe when two processes race."""
    if has_canary(session):
        return
    plaintext = (_CANARY_PREFIX + secrets.token_hex(16)).encode()
    try:
        with session.begin_nested():
            session.add(VaultCanary(id=CANARY_ID, value_enc=keys.encrypt(plaintext, _canary_aad())))
    except IntegrityError:
        return  # another process wrote it first


def check_canary(session: Session, keys: Sealer) -> None:
    """Open the canary: :class:`~jiragw.errors.VaultError` unless the keyring in use can."""
    envelope = session.scalar(select(VaultCanary.value_enc).where(VaultCanary.id == CANARY_ID))
    if envelope is None:
        raise VaultError("the vault canary is missing")
    if not keys.decrypt_bytes(envelope, _canary_aad()).startswith(_CANARY_PREFIX.encode()):
        raise VaultError("the vault canary does not hold what it should")
