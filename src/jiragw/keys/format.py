"""Inbound gateway keys, sans-IO: minting, hashing, and reading one off a request's headers.

A key is ``jgw_`` + 43 base64url characters (32 bytes from a CSPRNG). It is
accepted as ``Authorization: Bearer jgw_...`` or as the password of Basic
auth (any user name), so clients that only speak Basic work unmodified. It
is never read from a query string: URLs end up in logs and browser history.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass

from jiragw.secrets import Secret

__all__ = ["KEY_PREFIX", "MintedKey", "hash_key", "key_from_authorization", "looks_like_key", "mint_key"]

KEY_PREFIX = "jgw_"
_KEY_BYTES = 32
_KEY_RE = re.compile(r"jgw_[A-Za-z0-9_-]{43}")
_DISPLAY = 8  # characters after the prefix shown in lists


@dataclass(frozen=True, slots=True)
class MintedKey:
    """A new key: the secret (shown once), its SHA-256, and a display prefix."""

    secret: Secret
    key_hash: str
    prefix: str


def mint_key() -> MintedKey:
    value = KEY_PREFIX + secrets.token_urlsafe(_KEY_BYTES)
    return MintedKey(Secret(value), hash_key(value), value[: len(KEY_PREFIX) + _DISPLAY])


def hash_key(value: Secret | str) -> str:
    """Hex SHA-256 of a key (the key has 256 bits of entropy, so no salt or stretching is needed)."""
    text = value.reveal() if isinstance(value, Secret) else value
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def looks_like_key(value: str) -> bool:
    # fullmatch: a ``$`` anchor would also accept the key followed by a newline
    return _KEY_RE.fullmatch(value) is not None


def key_from_authorization(header: str | None) -> Secret | None:
    """The gateway key an ``Authorization`` header carries (Bearer, or Basic's password), else None."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    rest = rest.strip()
    scheme = scheme.lower()
    if scheme == "bearer":
        candidate = rest
    elif scheme == "basic":
        try:
            decoded = base64.b64decode(rest, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        _, sep, candidate = decoded.partition(":")
        if not sep:
            return None
    else:
        return None
    return Secret(candidate) if looks_like_key(candidate) else None
