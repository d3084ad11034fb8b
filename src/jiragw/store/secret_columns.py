"""Which columns hold secrets, and the codec that seals and opens them through the vault.

The table below is the single list of encrypted columns: the repositories,
``rewrap_all``, ``count_by_kid`` and the raw-dump tests all read it. A secret
*field* ``access_token`` lives in the column ``access_token_enc``, and its
ciphertext is bound to ``<table>:<row id>:<field>`` (the vault's AAD
convention), so a value copied to another row or column does not decrypt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, Protocol

from jiragw.secrets import Secret
from jiragw.vault import aad_for

__all__ = [
    "SECRET_COLUMNS",
    "GrantSecretField",
    "Keys",
    "SecretCodec",
    "StateSecretField",
    "column_for",
]

GrantSecretField = Literal[
    "client_secret",
    "access_token",
    "refresh_token",
    "static_secret",
    "oauth1_private_key",
    "oauth1_token_secret",
]
StateSecretField = Literal["pkce_verifier", "request_token", "request_token_secret"]

SECRET_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "grants": (
        "client_secret",
        "access_token",
        "refresh_token",
        "static_secret",
        "oauth1_private_key",
        "oauth1_token_secret",
    ),
    "oauth_states": ("pkce_verifier", "request_token", "request_token_secret"),
}


def column_for(field: str) -> str:
    """The database column holding secret ``field``."""
    return f"{field}_enc"


class Keys(Protocol):
    """What the codec needs: a :class:`~jiragw.vault.Keyring` or a :class:`~jiragw.vault.LiveKeyring`."""

    def encrypt(self, plaintext: Secret | bytes, aad: str) -> str: ...

    def decrypt(self, envelope: str, aad: str) -> Secret: ...

    def decrypt_bytes(self, envelope: str, aad: str) -> bytes: ...


class SecretCodec:
    """Seals secrets into envelopes and opens them, always with the AAD of their cell."""

    __slots__ = ("keyring",)

    def __init__(self, keyring: Keys) -> None:
        self.keyring = keyring

    def seal(self, table: str, row_id: str, field: str, value: Secret | None) -> str | None:
        """The envelope for ``value`` in that cell (``None`` stays ``None``)."""
        if value is None:
            return None
        if not isinstance(value, Secret):
            raise TypeError(f"{table}.{field} takes a Secret")
        return self.keyring.encrypt(value, aad_for(table, row_id, field))

    def open(self, table: str, row_id: str, field: str, envelope: str | None) -> Secret | None:
        """The secret in that cell (``None`` stays ``None``); DecryptionFailed if it was moved."""
        if envelope is None:
            return None
        return self.keyring.decrypt(envelope, aad_for(table, row_id, field))
