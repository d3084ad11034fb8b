"""CSRF tokens for the admin UI's forms (OWASP "synchronizer token", HMAC-based variant).

A form's token is ``HMAC-SHA256(process key, purpose + session hash)``: it
is tied to one session, needs no storage, and cannot be forged without the
key, which lives only in this process's memory (a restart makes open forms
stale: they are refused with 403 and simply reloaded). Before sign-in, the
password form binds its token to a random pre-login cookie instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["FIELD", "CsrfGuard"]

FIELD = "csrf"


class CsrfGuard:
    """Makes and checks the tokens of one gateway process."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def token(self, binding: str) -> str:
        """The token for forms of the session (or pre-login cookie) whose hash is ``binding``."""
        mac = hmac.new(self._key, b"jiragw-csrf:" + binding.encode("utf-8"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")

    def valid(self, binding: str, presented: str | None) -> bool:
        """Whether ``presented`` is the token for ``binding`` (constant-time)."""
        if not presented or len(presented) > 128:
            return False
        return hmac.compare_digest(self.token(binding).encode("ascii"), presented.encode("utf-8", "replace"))
