"""The registry of OAuth clients the emulated Atlassian servers know.

Three kinds of client, as Atlassian's developer console and Jira's
administration register them:

- ``3lo``: an OAuth 2.0 (3LO) integration (RFC 6749 §2: client id, client
  secret, exact callback URLs, the scopes it may request);
- ``2lo``: an OAuth 2.0 credential for the DevOps APIs (RFC 6749 §4.4, client
  credentials grant), installed on every Cloud site of the sandbox;
- ``dc``: a Jira Data Center "incoming" OAuth 2.0 application link (one DC
  instance, callback URL, ``READ``/``WRITE``/``ADMIN``/``SYSTEM_ADMIN``);

plus OAuth 1.0a consumers of a DC instance (RFC 5849, RSA-SHA1 with the
consumer's registered public key). Client secrets are kept as SHA-256 digests
only: the plaintext is returned once, at registration. The pre-registered
clients derive their ids and secrets from the sandbox seed, like the demo users.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ...errors import Conflict, InvalidInput, NotFound

__all__ = [
    "CLASSIC_SCOPES",
    "CLI_CALLBACK_URL",
    "DC_SCOPES",
    "DEVOPS_SCOPE",
    "AppKind",
    "AppRegistry",
    "OAuth1Consumer",
    "OAuthApp",
    "digest",
]

AppKind = Literal["3lo", "2lo", "dc"]
CLASSIC_SCOPES = (
    "read:jira-work",
    "write:jira-work",
    "read:jira-user",
    "manage:jira-project",
    "manage:jira-configuration",
)
DEVOPS_SCOPE = "manage:jira-data-provider"
DC_SCOPES = ("READ", "WRITE", "ADMIN", "SYSTEM_ADMIN")
# The default of ``jiragw connect oauth --callback-port``: the CLI's one-shot loopback listener.
CLI_CALLBACK_URL = "http://127.0.0.1:8765/v1/outbound/oauth/callback"
_GRANULAR_DEFAULTS = (
    "read:issue:jira",
    "write:issue:jira",
    "read:issue-details:jira",
    "read:project:jira",
    "read:user:jira",
    "read:comment:jira",
    "write:comment:jira",
    "read:jql:jira",
)


def digest(value: str) -> str:
    """The SHA-256 hex digest under which a secret or token is kept."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _derive(seed: int | str, *parts: str, length: int) -> str:
    return hashlib.sha256(":".join([str(seed), "oauth", *parts]).encode()).hexdigest()[:length]


@dataclass(slots=True)
class OAuthApp:
    client_id: str
    name: str
    kind: AppKind
    secret_digest: str
    callback_urls: tuple[str, ...]
    scopes: frozenset[str]
    dc: str | None = None  # the DC instance of a ``dc`` client

    def public(self) -> dict[str, object]:
        """The app as the admin endpoint lists it: never its secret."""
        return {
            "client_id": self.client_id,
            "name": self.name,
            "kind": self.kind,
            "callback_urls": list(self.callback_urls),
            "scopes": sorted(self.scopes),
            **({"dc": self.dc} if self.dc else {}),
        }


@dataclass(slots=True)
class OAuth1Consumer:
    consumer_key: str
    name: str
    dc: str
    public_key_pem: str
    callback_url: str | None = None

    def public(self) -> dict[str, object]:
        return {
            "consumer_key": self.consumer_key,
            "name": self.name,
            "dc": self.dc,
            "public_key": self.public_key_pem,
            "callback_url": self.callback_url,
        }


def _check_urls(urls: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2048:
            raise InvalidInput("callback URLs must be absolute http(s) URLs")
        out.append(url)
    return tuple(out)


def _check_scopes(scopes: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    for scope in scopes:
        if not isinstance(scope, str) or not scope or any(c.isspace() for c in scope) or len(scope) > 128:
            raise InvalidInput("scopes must be non-empty strings without whitespace")
    return frozenset(scopes)


class AppRegistry:
    """OAuth 2.0 clients by client id and OAuth 1.0a consumers by (DC instance, consumer key)."""

    def __init__(self) -> None:
        self.apps: dict[str, OAuthApp] = {}
        self.consumers: dict[tuple[str, str], OAuth1Consumer] = {}
        # The plaintext of the pre-registered clients only, for ``describe()`` (demo credentials).
        self.demo_secrets: dict[str, str] = {}

    def register(
        self,
        *,
        name: str,
        kind: AppKind,
        callback_urls: list[str] | tuple[str, ...] = (),
        scopes: list[str] | tuple[str, ...] | frozenset[str] = (),
        dc: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> tuple[OAuthApp, str]:
        """Register a client; returns it and its secret (shown once)."""
        if kind not in ("3lo", "2lo", "dc"):
            raise InvalidInput("kind must be '3lo', '2lo' or 'dc'")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InvalidInput("an app needs a name (at most 200 characters)")
        urls = _check_urls(callback_urls)
        if kind != "2lo" and not urls:
            raise InvalidInput("a 3LO or DC app needs at least one callback URL")
        granted = _check_scopes(scopes)
        if kind == "dc":
            if dc is None:
                raise InvalidInput("a DC app names its Data Center instance")
            if not granted <= set(DC_SCOPES):
                raise InvalidInput(f"Data Center scopes are among {', '.join(DC_SCOPES)}")
        client_id = client_id or secrets.token_urlsafe(24)
        if client_id in self.apps:
            raise Conflict("an app with that client id exists")
        secret = client_secret or secrets.token_urlsafe(48)
        app = OAuthApp(client_id, name.strip(), kind, digest(secret), urls, granted, dc)
        self.apps[client_id] = app
        return app, secret

    def get(self, client_id: str) -> OAuthApp | None:
        return self.apps.get(client_id)

    def authenticate(self, client_id: str, client_secret: str) -> OAuthApp | None:
        """The app when ``client_secret`` is its secret (constant-time compare)."""
        app = self.apps.get(client_id)
        candidate = digest(client_secret)
        expected = app.secret_digest if app is not None else digest("")
        if not hmac.compare_digest(candidate, expected) or app is None:
            return None
        return app

    def register_consumer(
        self, *, dc: str, consumer_key: str, name: str, public_key_pem: str, callback_url: str | None = None
    ) -> OAuth1Consumer:
        """Register an OAuth 1.0a consumer (an application link) with its RSA public key."""
        if (
            not isinstance(consumer_key, str)
            or not 1 <= len(consumer_key) <= 255
            or not consumer_key.isprintable()
        ):
            raise InvalidInput("a consumer key is 1-255 printable characters")
        try:
            key = load_pem_public_key(public_key_pem.encode("ascii"))
        except (ValueError, TypeError, UnicodeEncodeError, AttributeError) as exc:
            raise InvalidInput("public_key must be a PEM-encoded RSA public key") from exc
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
            raise InvalidInput("public_key must be an RSA key of at least 2048 bits")
        if callback_url is not None:
            _check_urls([callback_url])
        if (dc, consumer_key) in self.consumers:
            raise Conflict("a consumer with that key exists on this instance")
        consumer = OAuth1Consumer(consumer_key, name or consumer_key, dc, public_key_pem, callback_url)
        self.consumers[(dc, consumer_key)] = consumer
        return consumer

    def consumer(self, dc: str, consumer_key: str) -> OAuth1Consumer:
        found = self.consumers.get((dc, consumer_key))
        if found is None:
            raise NotFound("no such consumer")
        return found

    def preregister(
        self,
        seed: int,
        dc_names: list[str],
        granular: Iterable[str] = _GRANULAR_DEFAULTS,
        *,
        credential_seed: str | None = None,
    ) -> None:
        """The demo clients: a 3LO app, a 2LO credential and one DC OAuth 2.0 client per DC.

        Their client ids derive from ``seed``, their secrets from ``credential_seed``
        (default: ``seed``).

        The 3LO app may request every classic scope, ``offline_access``, the DevOps
        scope and the ``granular`` scopes (by default a handful; the sandbox passes
        every granular scope of the scope table).
        """
        demo: list[tuple[str, AppKind, tuple[str, ...], tuple[str, ...], str | None]] = [
            (
                "jiragw demo (3LO)",
                "3lo",
                (CLI_CALLBACK_URL, "http://localhost:8765/v1/outbound/oauth/callback"),
                (*CLASSIC_SCOPES, DEVOPS_SCOPE, "offline_access", *sorted(granular)),
                None,
            ),
            ("jiragw demo (2LO DevOps)", "2lo", (), (DEVOPS_SCOPE,), None),
        ]
        demo += [
            (f"jiragw demo ({name} OAuth 2.0)", "dc", (CLI_CALLBACK_URL,), DC_SCOPES, name)
            for name in dc_names
        ]
        for name, kind, urls, scopes, dc in demo:
            label = f"{kind}:{dc or ''}"
            client_id = _derive(seed, "client", label, length=32)
            secret = "sbxs_" + _derive(
                seed if credential_seed is None else credential_seed, "secret", label, length=48
            )
            if client_id not in self.apps:
                self.register(
                    name=name,
                    kind=kind,
                    callback_urls=urls,
                    scopes=scopes,
                    dc=dc,
                    client_id=client_id,
                    client_secret=secret,
                )
                self.demo_secrets[client_id] = secret
