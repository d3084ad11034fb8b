"""The keyring: AES-256-GCM encryption of secrets at rest, with key ids and AAD binding.

Implements the vault with ``cryptography``'s AESGCM (NIST SP
800-38D): a fresh random 96-bit nonce per encryption, the key id in every
envelope (:mod:`jiragw.vault.envelope`), and associated data that binds a
ciphertext to where it lives — ``table:row_id:column`` (:func:`aad_for`) — so
a value copied to another row or column fails authentication.

Master keys come from ``JIRAGW_MASTER_KEY`` (one key) or
``JIRAGW_MASTER_KEY_FILE`` (several keys, one primary, :mod:`jiragw.vault.keyfile`),
never from the database. New ciphertexts use the primary key; any key in the
ring decrypts. Rotation: :meth:`Keyring.rotate` adds a new primary, the store's
``rewrap_all`` re-encrypts everything under it, and :meth:`Keyring.retire`
removes the old key once the store reports nothing left under it.

Every failure is :class:`~jiragw.errors.DecryptionFailed`. Its message says
what went wrong (unknown or retired key, failed authentication) but names no
key id, no row id and no AAD: those are internal, and the message may reach a
REST, MCP or CLI caller. A ring loaded from a file remembers the file
(:attr:`Keyring.source`), so a running process can re-read it after a
rotation (:mod:`jiragw.vault.live`).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jiragw.config import MASTER_KEY_BYTES, Settings, decode_master_key
from jiragw.errors import Conflict, DecryptionFailed, MasterKeyMissing, NotFound
from jiragw.secrets import Secret
from jiragw.vault.envelope import NONCE_BYTES, Envelope, key_id
from jiragw.vault.keyfile import KeyEntry, KeyfileData, locked, now_iso, read_keyfile, write_keyfile

__all__ = ["Keyring", "aad_for"]


def aad_for(table: str, row_id: str, column: str) -> str:
    """The AAD convention: ``table:row_id:column``."""
    for part in (table, row_id, column):
        if not part or ":" in part:
            raise ValueError("AAD parts must be non-empty and free of ':'")
    return f"{table}:{row_id}:{column}"


class Keyring:
    """Master keys by id, one of them primary. Immutable; file operations return a new ring."""

    __slots__ = ("_ciphers", "_primary", "_retired", "_source")

    def __init__(
        self,
        keys: Iterable[bytes],
        *,
        primary: str | None = None,
        retired: Iterable[str] = (),
        source: Path | None = None,
    ):
        ciphers: dict[str, AESGCM] = {}
        first: str | None = None
        for key in keys:
            if len(key) != MASTER_KEY_BYTES:
                raise ValueError(f"a master key is {MASTER_KEY_BYTES} bytes")
            kid = key_id(key)
            ciphers[kid] = AESGCM(key)
            first = first or kid
        if first is None:
            raise MasterKeyMissing("a keyring needs at least one key")
        primary = primary or first
        if primary not in ciphers:
            raise ValueError("the primary key id is not in the ring")
        self._ciphers = ciphers
        self._primary = primary
        self._retired = frozenset(retired) - ciphers.keys()
        self._source = source

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_key(cls, key: Secret | bytes) -> Keyring:
        """A ring of one key, given raw (32 bytes) or as base64url text."""
        raw = decode_master_key(key) if isinstance(key, Secret) else key
        return cls([raw])

    @classmethod
    def load(cls, path: Path) -> Keyring:
        """The ring held in a keyring file (mode 0600 checked)."""
        return cls._from_data(read_keyfile(path), path)

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        """The ring the settings name; :class:`MasterKeyMissing` when they name none."""
        if settings.master_key is not None:
            return cls.from_key(settings.master_key)
        if settings.master_key_file is not None:
            return cls.load(settings.master_key_file)
        raise MasterKeyMissing("no master key: set JIRAGW_MASTER_KEY or JIRAGW_MASTER_KEY_FILE")

    @classmethod
    def _from_data(cls, data: KeyfileData, source: Path) -> Keyring:
        keys = [e.key for e in data.keys.values()]
        return cls(keys, primary=data.primary, retired=data.retired, source=source)

    @staticmethod
    def new_key() -> str:
        """A fresh master key: 32 random bytes, base64url without padding."""
        return base64.urlsafe_b64encode(os.urandom(MASTER_KEY_BYTES)).rstrip(b"=").decode("ascii")

    # -- keyring file operations -----------------------------------------------------------

    @classmethod
    def create_file(cls, path: Path, *, key: Secret | None = None) -> Keyring:
        """Write a new keyring file (mode 0600) holding ``key`` or a fresh one; never overwrites."""
        raw = decode_master_key(key) if key is not None else decode_master_key(Secret(cls.new_key()))
        kid = key_id(raw)
        data = KeyfileData(primary=kid, keys={kid: KeyEntry(kid, raw, now_iso())}, retired={})
        with locked(path):
            write_keyfile(path, data, create=True)
        return cls._from_data(data, path)

    @classmethod
    def rotate(cls, path: Path) -> Keyring:
        """Add a fresh key to the file and make it primary; the old keys still decrypt."""
        with locked(path):
            data = read_keyfile(path)
            raw = decode_master_key(Secret(cls.new_key()))
            kid = key_id(raw)
            keys = {**data.keys, kid: KeyEntry(kid, raw, now_iso())}
            data = KeyfileData(primary=kid, keys=keys, retired=data.retired)
            write_keyfile(path, data)
        return cls._from_data(data, path)

    @classmethod
    def retire(cls, path: Path, kid: str, *, usage: Mapping[str, int]) -> Keyring:
        """Remove key ``kid`` from the file, refusing while ciphertexts under it remain.

        ``usage`` is the store's ``count_by_kid()``: the number of stored values
        under each key id. Retiring the primary key is refused too (rotate first).
        """
        with locked(path):
            data = read_keyfile(path)
            if kid not in data.keys:
                raise NotFound(f"key {kid} is not in keyring file {path}")
            if kid == data.primary:
                raise Conflict(f"key {kid} is the primary key; rotate before retiring it")
            remaining = usage.get(kid, 0)
            if remaining:
                raise Conflict(
                    f"key {kid} still encrypts {remaining} stored value(s); run `jiragw vault rewrap` first",
                    details={"kid": kid, "remaining": remaining},
                )
            keys = {k: v for k, v in data.keys.items() if k != kid}
            data = KeyfileData(primary=data.primary, keys=keys, retired={**data.retired, kid: now_iso()})
            write_keyfile(path, data)
        return cls._from_data(data, path)

    # -- encryption ------------------------------------------------------------------------

    @property
    def primary_kid(self) -> str:
        """The id of the key new ciphertexts are made with."""
        return self._primary

    @property
    def source(self) -> Path | None:
        """The keyring file this ring was read from (``None`` for a key from the environment)."""
        return self._source

    @property
    def kids(self) -> tuple[str, ...]:
        """Ids of every key that can decrypt."""
        return tuple(self._ciphers)

    def encrypt(self, plaintext: Secret | bytes, aad: str) -> str:
        """Encrypt under the primary key, bound to ``aad``; returns the envelope text."""
        data = plaintext.reveal().encode("utf-8") if isinstance(plaintext, Secret) else bytes(plaintext)
        nonce = os.urandom(NONCE_BYTES)
        header = Envelope(kid=self._primary, nonce=nonce, ciphertext=b"")
        ciphertext = self._ciphers[self._primary].encrypt(nonce, data, header.associated_data(aad))
        return Envelope(kid=self._primary, nonce=nonce, ciphertext=ciphertext).encode()

    def decrypt_bytes(self, envelope: str, aad: str) -> bytes:
        """Decrypt an envelope made for ``aad``; :class:`DecryptionFailed` on any mismatch."""
        parsed = Envelope.parse(envelope)
        cipher = self._ciphers.get(parsed.kid)
        if cipher is None:
            state = "a retired" if parsed.kid in self._retired else "an unknown"
            raise DecryptionFailed(f"a stored secret is encrypted under {state} key")
        try:
            return cipher.decrypt(parsed.nonce, parsed.ciphertext, parsed.associated_data(aad))
        except InvalidTag:
            _fail_auth()

    def decrypt(self, envelope: str, aad: str) -> Secret:
        """Decrypt to a :class:`Secret` (the plaintext must be UTF-8)."""
        raw = self.decrypt_bytes(envelope, aad)
        try:
            return Secret(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise DecryptionFailed("a stored secret is not text") from None

    def is_current(self, envelope: str) -> bool:
        """Whether ``envelope`` is already under the primary key (rewrap skips it)."""
        return Envelope.parse(envelope).kid == self._primary

    def __repr__(self) -> str:
        return f"Keyring(primary={self._primary!r}, kids={list(self._ciphers)!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("Keyring values cannot be pickled")


def _fail_auth() -> NoReturn:
    # `from None`: InvalidTag carries nothing useful, and a clean chain keeps tracebacks short.
    raise DecryptionFailed("a stored secret failed authentication (tampered, moved, or wrong key)") from None
