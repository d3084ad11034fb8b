"""The ciphertext envelope: ``v1.<kid>.<base64url(nonce || ciphertext || tag)>``.

One compact ASCII string per encrypted value, safe in a TEXT column:

* ``v1`` — the format version; a future format gets a new prefix and old
  values keep decoding;
* ``kid`` — 16 lowercase hex digits naming the key (see :func:`key_id`), so a
  keyring with several keys knows which one to use and ``count_by_kid`` can
  tell whether a key is still needed, without decrypting anything;
* the AES-256-GCM output (NIST SP 800-38D): a 96-bit random nonce, then the
  ciphertext and its 128-bit tag, base64url without padding.

Parsing is strict (canonical base64url only, exact lengths) and every
malformed input raises :class:`~jiragw.errors.DecryptionFailed` with a message
that names the problem but never echoes the input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from jiragw.errors import DecryptionFailed

__all__ = [
    "KID_LENGTH",
    "NONCE_BYTES",
    "TAG_BYTES",
    "VERSION",
    "Envelope",
    "key_id",
    "peek_kid",
]

VERSION: Final = "v1"
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
KID_LENGTH: Final = 16
_KID_LABEL: Final = b"jiragw/vault/key-id/v1\x00"
_KID = re.compile(r"[0-9a-f]{16}")
_B64 = re.compile(r"[A-Za-z0-9_-]+")
# Generous upper bound: the largest secret we store is an RSA private key PEM.
_MAX_ENVELOPE: Final = 64 * 1024


def key_id(key: bytes) -> str:
    """Stable key id: the first 8 bytes of SHA-256(label || key), hex.

    Derived from the key so that the same key always has the same id on every
    machine, and a label so the id is not a bare hash of the key.
    """
    return hashlib.sha256(_KID_LABEL + key).hexdigest()[:KID_LENGTH]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not _B64.fullmatch(text):
        raise DecryptionFailed("malformed envelope: payload is not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionFailed("malformed envelope: payload is not base64url") from exc
    # Reject non-canonical encodings (stray low bits in the last character),
    # so one ciphertext has exactly one text form.
    if _b64encode(raw) != text:
        raise DecryptionFailed("malformed envelope: payload is not canonical base64url")
    return raw


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed envelope: key id, nonce, and ciphertext with its tag appended."""

    kid: str
    nonce: bytes
    ciphertext: bytes

    def encode(self) -> str:
        """The text form ``v1.<kid>.<b64url(nonce || ciphertext)>``."""
        return f"{VERSION}.{self.kid}.{_b64encode(self.nonce + self.ciphertext)}"

    @classmethod
    def parse(cls, text: str) -> Envelope:
        """Parse the text form; :class:`DecryptionFailed` on anything malformed."""
        if not isinstance(text, str) or len(text) > _MAX_ENVELOPE:
            raise DecryptionFailed("malformed envelope: not a string of sane length")
        parts = text.split(".")
        if len(parts) != 3:
            raise DecryptionFailed("malformed envelope: expected three dot-separated parts")
        version, kid, payload = parts
        if version != VERSION:
            raise DecryptionFailed("malformed envelope: unknown format version")
        if not _KID.fullmatch(kid):
            raise DecryptionFailed("malformed envelope: bad key id")
        raw = _b64decode(payload)
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionFailed("malformed envelope: truncated")
        return cls(kid=kid, nonce=raw[:NONCE_BYTES], ciphertext=raw[NONCE_BYTES:])

    def associated_data(self, aad: str) -> bytes:
        """What GCM authenticates besides the ciphertext: version, key id and the caller's AAD."""
        return f"{VERSION}.{self.kid}|{aad}".encode()


def peek_kid(text: str) -> str | None:
    """The key id of an envelope without decrypting it, or ``None`` if it is malformed."""
    try:
        return Envelope.parse(text).kid
    except DecryptionFailed:
        return None
