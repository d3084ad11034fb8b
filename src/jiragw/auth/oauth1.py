"""Jira Data Center OAuth 1.0a with RSA-SHA1 (application links).

Implements RFC 5849 §2 (temporary credentials, resource owner authorization,
token credentials) and §3.4.3 (RSA-SHA1) at Jira's endpoints
``{dc}/plugins/servlet/oauth/{request-token,authorize,access-token}``, as
Atlassian's "OAuth 1.0a for REST APIs" guide describes them. Signing is
oauthlib's ``Client`` with ``SIGNATURE_RSA`` (which needs PyJWT, the
``oauthlib[signedtoken]`` extra); keys are made with ``cryptography``.
Responses are form-encoded (RFC 5849 §2.1, §2.3); Jira reports failures as
``oauth_problem`` (the OAuth Problem Reporting extension), mapped here to
precise errors. The caller passes ``now`` for ``oauth_timestamp``.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import SIGNATURE_RSA, SIGNATURE_TYPE_AUTH_HEADER, Client  # type: ignore[import-untyped,unused-ignore]

from jiragw.auth.http import HttpRequest, base_url, header
from jiragw.errors import (
    CodeMissing,
    ConfigError,
    ConsentDenied,
    InvalidInput,
    JiragwError,
    OAuth1ConsumerRejected,
    OAuth1Problem,
    OAuth1SignatureRejected,
    OAuth1TimestampRefused,
    OAuthCallbackError,
    RateLimited,
    ReauthRequired,
    StateMismatch,
    StateMissing,
    TokenEndpointUnavailable,
    TokenResponseInvalid,
)
from jiragw.secrets import Secret

__all__ = [
    "OAUTH_PROBLEMS",
    "OOB",
    "OAuth1Token",
    "RsaKeyPair",
    "access_token_request",
    "authorize_url",
    "check_callback",
    "generate_key_pair",
    "parse_token_response",
    "public_key_pem",
    "request_token_request",
    "sign_request",
    "suggest_consumer_key",
]

OOB = "oob"
_PROBLEM = re.compile(r"^[a-z_]{1,64}$")

# oauthlib logs the collected oauth_* parameters (token, verifier) at DEBUG while signing.
# The tokens are credentials, so those records never leave the logger.
_OAUTHLIB_LOGGER = logging.getLogger("oauthlib.oauth1.rfc5849")


class _DropSigningDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


if not any(isinstance(f, _DropSigningDebug) for f in _OAUTHLIB_LOGGER.filters):
    _OAUTHLIB_LOGGER.addFilter(_DropSigningDebug())

# oauth_problem values (OAuth Problem Reporting §2) -> our class. Unknown ones are OAuth1Problem.
OAUTH_PROBLEMS: Mapping[str, type[JiragwError]] = {
    "token_rejected": ReauthRequired,
    "token_expired": ReauthRequired,
    "token_revoked": ReauthRequired,
    "permission_unknown": ReauthRequired,
    "permission_denied": ConsentDenied,
    "consumer_key_unknown": OAuth1ConsumerRejected,
    "consumer_key_rejected": OAuth1ConsumerRejected,
    "consumer_key_refused": OAuth1ConsumerRejected,
    "signature_invalid": OAuth1SignatureRejected,
    "signature_method_rejected": OAuth1SignatureRejected,
    "timestamp_refused": OAuth1TimestampRefused,
    "nonce_used": OAuth1TimestampRefused,
}


@dataclass(frozen=True, slots=True)
class RsaKeyPair:
    """A fresh key pair: the private PEM is a secret, the public PEM goes into Jira's application link."""

    private_key_pem: Secret
    public_key_pem: str


def generate_key_pair(bits: int = 2048) -> RsaKeyPair:
    """A new RSA key pair (PKCS#8 private key, SubjectPublicKeyInfo public key, both PEM)."""
    if bits < 2048:
        raise InvalidInput("RSA keys shorter than 2048 bits are refused")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return RsaKeyPair(Secret(private), public_key_pem(Secret(private)))


def public_key_pem(private_key_pem: Secret) -> str:
    """The public key PEM for a private key PEM (for re-printing the application link's key)."""
    try:
        key = serialization.load_pem_private_key(private_key_pem.reveal().encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidInput("the private key is not an unencrypted PEM key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInput("the private key is not an RSA key")
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def suggest_consumer_key(prefix: str = "jiragw") -> str:
    """A consumer key to paste into the application link, unique per installation."""
    return f"{prefix}-{secrets.token_hex(8)}"


def _endpoint(dc_url: str, name: str) -> str:
    return f"{base_url(dc_url, what='the Data Center URL')}/plugins/servlet/oauth/{name}"


def _sign(
    client: Client, method: str, url: str, headers: Mapping[str, str], body: bytes | None
) -> HttpRequest:
    try:
        _, signed_headers, signed_body = client.sign(
            url, http_method=method, body=body, headers=dict(headers)
        )
    except ImportError as exc:
        raise ConfigError("RSA-SHA1 signing needs PyJWT (install oauthlib[signedtoken])") from exc
    except (ValueError, TypeError) as exc:
        # oauthlib's messages may quote the request; ours do not.
        raise InvalidInput("the request or the RSA private key cannot be signed with RSA-SHA1") from exc
    if isinstance(signed_body, str):
        signed_body = signed_body.encode("utf-8")
    return HttpRequest(method, url, signed_headers, signed_body, secret_body=False)


def _client(consumer_key: str, private_key: Secret, now: datetime, **kwargs: str) -> Client:
    if not consumer_key:
        raise InvalidInput("the consumer key is required")
    public_key_pem(private_key)  # fail here, cleanly, rather than inside the signer with its messages
    return Client(
        consumer_key,
        signature_method=SIGNATURE_RSA,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        rsa_key=private_key.reveal(),
        timestamp=str(int(now.timestamp())),
        **kwargs,
    )


def request_token_request(
    dc_url: str, *, consumer_key: str, private_key: Secret, now: datetime, callback_uri: str = OOB
) -> HttpRequest:
    """``POST .../request-token`` signed RSA-SHA1, with ``oauth_callback`` (a URL or ``oob``)."""
    if callback_uri != OOB:
        base_url(callback_uri, what="the callback URL")
    client = _client(consumer_key, private_key, now, callback_uri=callback_uri)
    return _sign(client, "POST", _endpoint(dc_url, "request-token"), {}, None)


def authorize_url(dc_url: str, request_token: Secret) -> str:
    """``{dc}/plugins/servlet/oauth/authorize?oauth_token=...`` for the user to approve."""
    query = urlencode({"oauth_token": request_token.reveal()}, quote_via=quote)
    return f"{_endpoint(dc_url, 'authorize')}?{query}"


def access_token_request(
    dc_url: str,
    *,
    consumer_key: str,
    private_key: Secret,
    request_token: Secret,
    verifier: Secret,
    now: datetime,
) -> HttpRequest:
    """``POST .../access-token`` signed RSA-SHA1 with the request token and ``oauth_verifier``."""
    client = _client(
        consumer_key, private_key, now, resource_owner_key=request_token.reveal(), verifier=verifier.reveal()
    )
    return _sign(client, "POST", _endpoint(dc_url, "access-token"), {}, None)


def sign_request(
    method: str,
    url: str,
    *,
    consumer_key: str,
    private_key: Secret,
    access_token: Secret,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> HttpRequest:
    """Sign an arbitrary Jira REST request with the access token (``Authorization: OAuth ...``)."""
    base_url(url.split("?", 1)[0], what="the request URL")
    client = _client(consumer_key, private_key, now, resource_owner_key=access_token.reveal())
    return _sign(client, method.upper(), url, headers or {}, body)


@dataclass(frozen=True, slots=True)
class OAuth1Token:
    """A request token or an access token, with its secret (unused by RSA-SHA1 but kept)."""

    token: Secret
    token_secret: Secret | None
    callback_confirmed: bool | None


def check_callback(query: str, request_token: Secret) -> Secret:
    """The ``oauth_verifier`` from the redirect back after authorization (RFC 5849 §2.2).

    The returned ``oauth_token`` must be the request token of this flow; Jira sends
    ``oauth_verifier=denied`` when the user declines.
    """
    params: dict[str, str] = {}
    for name, value in parse_qsl(query[:8192], keep_blank_values=True):
        if name in params:
            raise OAuthCallbackError(f"the callback repeats the parameter {name[:32]!r}")
        params[name] = value
    token = params.get("oauth_token")
    if not token:
        raise StateMissing("the callback carries no oauth_token")
    if not hmac.compare_digest(token.encode("utf-8"), request_token.reveal().encode("utf-8")):
        raise StateMismatch("the callback's oauth_token is not this flow's request token")
    verifier = params.get("oauth_verifier")
    if not verifier:
        raise CodeMissing("the callback carries no oauth_verifier")
    if verifier == "denied":
        raise ConsentDenied("the user declined to authorize the application")
    return Secret(verifier)


def _problem_error(problem: str) -> JiragwError:
    name = problem if _PROBLEM.match(problem) else "unrecognised"
    cls = OAUTH_PROBLEMS.get(name, OAuth1Problem)
    return cls(f"Jira answered oauth_problem {name!r}", details={"oauth_problem": name})


def _problem_from_header(headers: Mapping[str, str]) -> str | None:
    match = re.search(r'oauth_problem="?([A-Za-z_]+)', header(headers, "WWW-Authenticate") or "")
    return match.group(1) if match else None


def parse_token_response(
    status: int, headers: Mapping[str, str], body: bytes, *, request_token: bool = False
) -> OAuth1Token:
    """Parse Jira's form-encoded token answer; ``oauth_problem`` becomes the precise error.

    With ``request_token=True`` the answer must confirm the callback (RFC 5849 §2.1).
    """
    if status == 429:
        raise RateLimited("Jira is rate limiting the OAuth endpoint")
    if status >= 500:
        raise TokenEndpointUnavailable(
            f"the OAuth endpoint answered HTTP {status}", details={"status": status}
        )
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise TokenResponseInvalid("the OAuth endpoint answered a body that is not UTF-8") from exc
    problem = params.get("oauth_problem") or _problem_from_header(headers)
    if problem:
        raise _problem_error(problem)
    if status != 200:
        raise OAuth1Problem(f"the OAuth endpoint answered HTTP {status}", details={"status": status})
    token = params.get("oauth_token")
    if not token:
        raise TokenResponseInvalid("the OAuth endpoint answered without oauth_token")
    confirmed = params.get("oauth_callback_confirmed")
    if request_token and confirmed != "true":
        raise TokenResponseInvalid("the request token answer did not confirm the callback")
    secret = params.get("oauth_token_secret")
    return OAuth1Token(
        Secret(token), Secret(secret) if secret else None, None if confirmed is None else confirmed == "true"
    )
