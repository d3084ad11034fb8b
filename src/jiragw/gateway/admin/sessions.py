"""Admin UI sign-in: one-time login links, password login, and the session cookie.

A login link carries 256 bits from a CSPRNG and is stored as its SHA-256
(:mod:`jiragw.store.admin_tokens`); following it once creates a session whose
token lives only in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` when
the public URL is HTTPS or the request came over HTTPS: :func:`secure_cookies`).
The optional admin password is kept as an scrypt hash (RFC 7914) and compared
in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.store.admin_tokens import token_hash

__all__ = [
    "COOKIE",
    "LOGIN_TTL",
    "SESSION_TTL",
    "AdminSession",
    "clear_cookie",
    "hash_admin_password",
    "issue_login_link",
    "new_token",
    "secure_cookies",
    "session_token",
    "set_cookie",
    "start_session",
    "verify_admin_password",
]

COOKIE = "jiragw_admin"
LOGIN_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
_TOKEN_BYTES = 32
# scrypt cost: n=2**15, r=8, p=1 (RFC 7914 §2's interactive-login ballpark, 32 MiB of memory).
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AdminSession:
    """A signed-in admin: who, and the hash of the session token (the OAuth flow initiator)."""

    principal: str
    token_hash: str

    @property
    def actor(self) -> str:
        return f"admin:{self.principal}"


def new_token() -> Secret:
    """A fresh token of 256 bits (base64url, 43 characters)."""
    return Secret(secrets.token_urlsafe(_TOKEN_BYTES))


def issue_login_link(
    store: Store, public_url: str, *, principal: str = "admin", ttl: timedelta = LOGIN_TTL
) -> str:
    """A fresh single-use login link ``{public_url}/login/{token}``; only its hash is stored."""
    token = new_token()
    with store.transaction() as tx:
        tx.admin.issue("login", token, principal=principal, ttl=ttl)
    return f"{public_url.rstrip('/')}/login/{token.reveal()}"


def start_session(store: Store, principal: str, *, ttl: timedelta = SESSION_TTL) -> Secret:
    """Create a session for ``principal``; the token goes into the cookie and nowhere else."""
    token = new_token()
    with store.transaction() as tx:
        tx.admin.issue("session", token, principal=principal, ttl=ttl)
    return token


def session_token(request: Request) -> Secret | None:
    value = request.cookies.get(COOKIE)
    return Secret(value) if value and len(value) <= 128 else None


def session_of(token: Secret, principal: str) -> AdminSession:
    return AdminSession(principal, token_hash(token))


def secure_cookies(public_url: str, request: Request | None = None) -> bool:
    """Whether cookies get ``Secure``: the public URL is HTTPS, or this request came over HTTPS
    (``serve --certfile``, or ``X-Forwarded-Proto`` from a trusted proxy)."""
    return public_url.startswith("https://") or (request is not None and request.url.scheme == "https")


def set_cookie(
    response: Response,
    token: Secret,
    *,
    public_url: str,
    request: Request | None = None,
    ttl: timedelta = SESSION_TTL,
) -> None:
    response.set_cookie(
        COOKIE,
        token.reveal(),
        max_age=int(ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(public_url, request),
    )


def clear_cookie(response: Response, *, public_url: str, request: Request | None = None) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(public_url, request)
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_admin_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``password`` (random 16-byte salt)."""
    if not password:
        raise ValueError("the admin password must not be empty")
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(derived)}"


def verify_admin_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time; False on a malformed hash)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        want = _unb64(expected)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)
