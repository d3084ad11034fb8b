"""The one exception tree of jiragw.

Every error the project raises on purpose derives from :class:`JiragwError`
and carries a stable machine-readable ``code`` and the HTTP status the REST
doors answer with. REST answers ``{"error": {"code", "message"}}``, MCP turns
it into a tool error, and the CLI exits with :attr:`JiragwError.exit_code`.
Foreign exceptions (httpx, SQLAlchemy, ...) are translated once, at the
boundary that meets them, with ``raise ... from exc``.

    JiragwError                      code              status
    ├── ConfigError                  config_error      500
    │   ├── MasterKeyMissing         master_key_missing
    │   └── RemoteNotAllowed         remote_not_allowed
    ├── InvalidInput                 invalid_input     400
    │   ├── InvalidJql               invalid_jql       400
    │   ├── Conflict                 conflict          409
    │   ├── PathRejected             path_rejected     400
    │   ├── BodyTooLarge             body_too_large    413
    │   ├── MethodNotAllowed         method_not_allowed 405
    │   ├── ConnectionRequired       connection_required 400
    │   ├── InsecureUrl              insecure_url      400
    │   └── OAuthCallbackError       callback_invalid  400
    │       ├── StateMissing         state_missing     400
    │       ├── StateMismatch        state_mismatch    400
    │       ├── StateReplayed        state_replayed    400
    │       ├── StateExpired         state_expired     400
    │       ├── CodeMissing          code_missing      400
    │       └── ConsentDenied        consent_denied    403
    ├── NotFound                     not_found         404
    ├── AuthError                    unauthenticated   401
    │   ├── KeyInvalid               key_invalid       401
    │   ├── KeyExpired               key_expired       401
    │   ├── KeyRevoked               key_revoked       401
    │   ├── ReauthRequired           reauth_required   401
    │   ├── CredentialRevoked        revoked           401
    │   ├── OAuthClientRejected      oauth_client_rejected 401
    │   └── OAuth1Problem            oauth1_problem    401
    │       ├── OAuth1ConsumerRejected oauth1_consumer_rejected
    │       ├── OAuth1SignatureRejected oauth1_signature_rejected
    │       └── OAuth1TimestampRefused oauth1_timestamp_refused
    ├── PermissionDenied             permission_denied 403
    │   ├── ScopeDenied              scope_denied      403
    │   ├── ReadOnlyKey              read_only         403
    │   ├── OperationUnknown         operation_unknown 403
    │   └── ConnectionDenied         connection_denied 403
    ├── RateLimited                  rate_limited      429
    │   └── KeyBusy                  key_busy          429
    ├── UpstreamError                upstream_error    502
    │   ├── TokenResponseInvalid     token_response_invalid 502
    │   └── UpstreamUnavailable      upstream_unavailable 503
    │       ├── TokenEndpointUnavailable token_endpoint_unavailable 503
    │       └── ConnectionBusy       connection_busy   503
    ├── VaultError                   vault_error       500
    │   ├── DecryptionFailed         decryption_failed 500
    │   └── DestinationChanged       destination_changed 500
    ├── StoreError                   store_error       500
    │   ├── StoreBusy                store_busy        503
    │   └── AuditUnavailable         audit_unavailable 503
    └── SandboxError                 sandbox_error     500

Messages never contain secrets: callers pass :class:`jiragw.secrets.Secret`
values around, whose ``str`` is masked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

__all__ = [
    "AuditUnavailable",
    "AuthError",
    "BodyTooLarge",
    "CodeMissing",
    "ConfigError",
    "Conflict",
    "ConnectionBusy",
    "ConnectionDenied",
    "ConnectionRequired",
    "ConsentDenied",
    "CredentialRevoked",
    "DecryptionFailed",
    "DestinationChanged",
    "InsecureUrl",
    "InvalidInput",
    "InvalidJql",
    "JiragwError",
    "KeyBusy",
    "KeyExpired",
    "KeyInvalid",
    "KeyRevoked",
    "MasterKeyMissing",
    "MethodNotAllowed",
    "NotFound",
    "OAuth1ConsumerRejected",
    "OAuth1Problem",
    "OAuth1SignatureRejected",
    "OAuth1TimestampRefused",
    "OAuthCallbackError",
    "OAuthClientRejected",
    "OperationUnknown",
    "PathRejected",
    "PermissionDenied",
    "RateLimited",
    "ReadOnlyKey",
    "ReauthRequired",
    "RemoteNotAllowed",
    "SandboxError",
    "ScopeDenied",
    "StateExpired",
    "StateMismatch",
    "StateMissing",
    "StateReplayed",
    "StoreBusy",
    "StoreError",
    "TokenEndpointUnavailable",
    "TokenResponseInvalid",
    "UpstreamError",
    "UpstreamUnavailable",
    "VaultError",
    "error_for_code",
]


class JiragwError(Exception):
    """Root of every error jiragw raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        """The REST body shape: ``{"error": {"code", "message", ...details}}``."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class ConfigError(JiragwError):
    """The settings are missing or contradictory."""

    code = "config_error"
    exit_code = 3


class MasterKeyMissing(ConfigError):
    """No master key was given where one is required."""

    code = "master_key_missing"


class RemoteNotAllowed(ConfigError):
    """A listener that must stay on loopback was asked to bind another interface."""

    code = "remote_not_allowed"


class InvalidInput(JiragwError):
    """The caller's input is malformed; nothing was changed."""

    code = "invalid_input"
    status = 400
    exit_code = 2


class InsecureUrl(InvalidInput):
    """A credential would be sent over plain HTTP to a host other than this machine.

    Refused before anything is sent; the operator may override it per connection
    (``--allow-insecure-http``), and the connection then shows a warning.
    """

    code = "insecure_url"


class InvalidJql(InvalidInput):
    """A JQL query did not parse or names something that does not exist."""

    code = "invalid_jql"


class Conflict(InvalidInput):
    """The request conflicts with what is stored (duplicate name, stale version)."""

    code = "conflict"
    status = 409


class PathRejected(InvalidInput):
    """A request path (proxied, or sent by the SDK) leaves the API prefix or carries forbidden characters."""

    code = "path_rejected"


class BodyTooLarge(InvalidInput):
    """A request body exceeds the gateway's cap."""

    code = "body_too_large"
    status = 413


class MethodNotAllowed(InvalidInput):
    """The path exists but does not take this method; ``allowed`` lists the ones it does."""

    code = "method_not_allowed"
    status = 405

    def __init__(
        self, message: str, *, allowed: Iterable[str] = (), details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.allowed = tuple(allowed)


class ConnectionRequired(InvalidInput):
    """No connection was named and none follows: there are none, or several (``details["connections"]``)."""

    code = "connection_required"


class OAuthCallbackError(InvalidInput):
    """An OAuth redirect back to us is malformed or carries a provider error; no code is used."""

    code = "callback_invalid"


class StateMissing(OAuthCallbackError):
    """The callback carries no ``state`` parameter."""

    code = "state_missing"


class StateMismatch(OAuthCallbackError):
    """The callback's ``state`` is not the one this flow issued (possible CSRF)."""

    code = "state_mismatch"


class StateReplayed(OAuthCallbackError):
    """The callback's ``state`` was already used once."""

    code = "state_replayed"


class StateExpired(OAuthCallbackError):
    """The flow's ``state`` is older than its time to live."""

    code = "state_expired"


class CodeMissing(OAuthCallbackError):
    """The callback carries a valid ``state`` but no authorization ``code``."""

    code = "code_missing"


class ConsentDenied(OAuthCallbackError):
    """The user declined the consent screen (``error=access_denied``)."""

    code = "consent_denied"
    status = 403


class NotFound(JiragwError):
    """The thing asked for does not exist (or is hidden from the caller)."""

    code = "not_found"
    status = 404
    exit_code = 4


class AuthError(JiragwError):
    """The caller or the upstream credential is not authenticated."""

    code = "unauthenticated"
    status = 401
    exit_code = 5


class ReauthRequired(AuthError):
    """The grant is dead (``invalid_grant``); a human must consent again."""

    code = "reauth_required"


class CredentialRevoked(AuthError):
    """The credential was revoked by an operator."""

    code = "revoked"


class KeyInvalid(AuthError):
    """No gateway key, or one the gateway does not know."""

    code = "key_invalid"


class KeyExpired(AuthError):
    """The gateway key is past its expiry."""

    code = "key_expired"


class KeyRevoked(AuthError):
    """The gateway key was revoked."""

    code = "key_revoked"


class OAuthClientRejected(AuthError):
    """The authorization server rejected our client id or secret (``invalid_client``)."""

    code = "oauth_client_rejected"


class OAuth1Problem(AuthError):
    """A Jira OAuth 1.0a endpoint answered with an ``oauth_problem``."""

    code = "oauth1_problem"


class OAuth1ConsumerRejected(OAuth1Problem):
    """Jira does not know or refuses the consumer key (check the application link)."""

    code = "oauth1_consumer_rejected"


class OAuth1SignatureRejected(OAuth1Problem):
    """Jira rejected the RSA-SHA1 signature (wrong key pair in the application link)."""

    code = "oauth1_signature_rejected"


class OAuth1TimestampRefused(OAuth1Problem):
    """Jira refused the timestamp or nonce (clock skew, or a replayed request)."""

    code = "oauth1_timestamp_refused"


class PermissionDenied(JiragwError):
    """Authenticated, but not allowed to do this."""

    code = "permission_denied"
    status = 403
    exit_code = 6


class ScopeDenied(PermissionDenied):
    """The operation needs a scope the key or token does not carry."""

    code = "scope_denied"


class ReadOnlyKey(PermissionDenied):
    """A read-only key asked for an operation that writes."""

    code = "read_only"


class OperationUnknown(PermissionDenied):
    """A restricted key asked for an operation the scope table does not know."""

    code = "operation_unknown"


class ConnectionDenied(PermissionDenied):
    """The key is not bound to that connection (or it does not exist)."""

    code = "connection_denied"


class RateLimited(JiragwError):
    """Too many requests; ``retry_after`` seconds tell when to try again."""

    code = "rate_limited"
    status = 429
    exit_code = 7

    def __init__(
        self, message: str, *, retry_after: float | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class KeyBusy(RateLimited):
    """The key already has as many calls in flight through the proxy as it may; retry shortly."""

    code = "key_busy"


class UpstreamError(JiragwError):
    """Jira or Atlassian answered with an error we cannot map more precisely."""

    code = "upstream_error"
    status = 502
    exit_code = 8


class TokenResponseInvalid(UpstreamError):
    """A token endpoint answered with something that is not a usable token response."""

    code = "token_response_invalid"


class UpstreamUnavailable(UpstreamError):
    """Jira could not be reached, or kept answering 5xx."""

    code = "upstream_unavailable"
    status = 503


class TokenEndpointUnavailable(UpstreamUnavailable):
    """A token endpoint answered 5xx or ``temporarily_unavailable``: retry with backoff."""

    code = "token_endpoint_unavailable"


class ConnectionBusy(UpstreamUnavailable):
    """The connection already has as many calls in flight as the gateway allows; retry shortly."""

    code = "connection_busy"

    def __init__(
        self, message: str, *, retry_after: float | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class VaultError(JiragwError):
    """The secret store could not do its work."""

    code = "vault_error"


class DecryptionFailed(VaultError):
    """A ciphertext failed authentication (tampered, moved, or unknown key)."""

    code = "decryption_failed"


class DestinationChanged(VaultError):
    """A stored address a credential is sent to no longer matches its seal: changed outside jiragw.

    Raised before any credential leaves; the message names neither the secret nor internal ids.
    """

    code = "destination_changed"


class StoreError(JiragwError):
    """The database failed (unreachable, or an unexpected error); nothing was half-written."""

    code = "store_error"


class StoreBusy(StoreError):
    """A database lock was not granted in time (another process holds it); safe to retry."""

    code = "store_busy"
    status = 503


class AuditUnavailable(StoreError):
    """An audit record could not be made durable, so the call it records is not answered."""

    code = "audit_unavailable"
    status = 503


class SandboxError(JiragwError):
    """The sandbox was asked to do something it cannot (bad seed options, ...)."""

    code = "sandbox_error"


def _all_subclasses(cls: type[JiragwError]) -> list[type[JiragwError]]:
    out: list[type[JiragwError]] = [cls]
    for sub in cls.__subclasses__():
        out.extend(_all_subclasses(sub))
    return out


def error_for_code(code: str) -> type[JiragwError]:
    """The class whose stable ``code`` is ``code`` (the root class when unknown)."""
    for cls in _all_subclasses(JiragwError):
        if cls.code == code:
            return cls
    return JiragwError
