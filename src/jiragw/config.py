"""Settings: the ``JIRAGW_*`` environment read once into a frozen dataclass.

Implements the "Settings" list of DESIGN.md (public interface) and the
endpoint table (all Atlassian endpoints are configurable so the sandbox can
stand in). :meth:`Settings.from_env` validates every value and raises
:class:`~jiragw.errors.ConfigError` naming the variable, never echoing its
value: a master key or a database password must not reach a log line.

Importing this module stays cheap (every CLI command does): SQLAlchemy's URL
parser is loaded only when a database URL is read.

An empty variable counts as unset (``JIRAGW_MASTER_KEY=`` in a compose file
means "no key"), so the defaults apply.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import platformdirs

from jiragw.errors import ConfigError
from jiragw.secrets import Secret

__all__ = [
    "CALLBACK_PATH",
    "DEFAULT_ATLASSIAN_API_URL",
    "DEFAULT_ATLASSIAN_AUTH_URL",
    "LOOPBACK_CALLBACK_PORT",
    "MASTER_KEY_BYTES",
    "ServerOptions",
    "Settings",
    "decode_master_key",
    "default_database_url",
]

DEFAULT_ATLASSIAN_AUTH_URL: Final = "https://auth.atlassian.com"
DEFAULT_ATLASSIAN_API_URL: Final = "https://api.atlassian.com"
CALLBACK_PATH: Final = "/v1/outbound/oauth/callback"
LOOPBACK_CALLBACK_PORT: Final = 8765  # the CLI's one-shot OAuth callback listener (broker.loopback)
MASTER_KEY_BYTES: Final = 32
DEFAULT_HEADER_TIMEOUT: Final = 10.0
DEFAULT_MAX_CONNECTIONS: Final = 1000

_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
# Drivers we ship: the stdlib sqlite3 and psycopg 3. Bare "postgresql://" would
# make SQLAlchemy pick psycopg2, which is not installed, so it is rewritten.
_PG_ALIASES: Final = {"postgres", "postgresql", "postgresql+psycopg"}
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})


def default_database_url() -> str:
    """SQLite file under the user data dir: ``<user_data_dir("jiragw")>/jiragw.sqlite3``."""
    from sqlalchemy.engine import URL

    path = Path(platformdirs.user_data_dir("jiragw")) / "jiragw.sqlite3"
    return URL.create("sqlite+pysqlite", database=str(path)).render_as_string(hide_password=False)


def decode_master_key(value: Secret, *, what: str = "JIRAGW_MASTER_KEY") -> bytes:
    """The 32 raw bytes of a base64url master key (padding optional); ConfigError otherwise.

    This is the one parser of a key's text form; the vault's keyring file uses it too.
    """
    text = value.reveal().strip()
    if not _B64URL.fullmatch(text):
        raise ConfigError(f"{what} is not base64url text (expected 32 random bytes, base64url-encoded)")
    try:
        raw = base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{what} is not valid base64url") from exc
    if len(raw) != MASTER_KEY_BYTES:
        raise ConfigError(f"{what} must decode to {MASTER_KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _database_url(raw: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError as exc:
        # The text may hold a password: say what is wrong, not what it was.
        raise ConfigError("JIRAGW_DATABASE_URL is not a database URL (scheme://...)") from exc
    backend = url.get_backend_name()
    if url.drivername in _PG_ALIASES:
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        if url.drivername not in {"sqlite", "sqlite+pysqlite"}:
            raise ConfigError("JIRAGW_DATABASE_URL: SQLite is supported through the stdlib driver only")
    else:
        raise ConfigError(
            f"JIRAGW_DATABASE_URL: unsupported database {url.drivername!r}; "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    if backend == "postgresql" and not url.database:
        raise ConfigError("JIRAGW_DATABASE_URL: a PostgreSQL URL must name a database")
    return url.render_as_string(hide_password=False)


def _flag(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    value = raw.lower()
    if value not in _TRUE | _FALSE:
        raise ConfigError(f"{name} must be 1 or 0 (or true/false, yes/no)")
    return value in _TRUE


def _number(name: str, raw: str | None, default: float, *, low: float, high: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}")
    return value


def _networks(name: str, raw: str | None) -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR networks, normalised (``10.0.0.0/8``, ``::1/128``)."""
    import ipaddress

    found: list[str] = []
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        try:
            found.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ConfigError(
                f"{name} must list IP addresses or CIDR networks, separated by commas"
            ) from None
    return tuple(found)


def _http_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name} must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{name} must not carry credentials")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must not have a query or fragment")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port lazily
    except ValueError as exc:
        raise ConfigError(f"{name} has an invalid port") from exc
    return raw.rstrip("/")


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated settings; build with :meth:`from_env`.

    ``database_url`` is kept out of ``repr`` (it may hold a password); use
    :attr:`database_url_redacted` for display. ``connection``
    (``JIRAGW_CONNECTION``) is the connection a CLI command uses when none is
    named. ``metrics_require_key`` (``JIRAGW_METRICS_REQUIRE_KEY=1``) makes
    ``/metrics`` answer only a gateway key with the admin scope.
    """

    database_url: str = field(repr=False)
    master_key: Secret | None = None
    master_key_file: Path | None = None
    public_url: str | None = None
    atlassian_auth_url: str = DEFAULT_ATLASSIAN_AUTH_URL
    atlassian_api_url: str = DEFAULT_ATLASSIAN_API_URL
    connection: str | None = None
    metrics_require_key: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate ``JIRAGW_*`` from ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        db_raw = get("JIRAGW_DATABASE_URL")
        database_url = _database_url(db_raw) if db_raw else default_database_url()

        key_raw = get("JIRAGW_MASTER_KEY")
        file_raw = get("JIRAGW_MASTER_KEY_FILE")
        if key_raw and file_raw:
            raise ConfigError("set JIRAGW_MASTER_KEY or JIRAGW_MASTER_KEY_FILE, not both")
        master_key = Secret(key_raw) if key_raw else None
        if master_key is not None:
            decode_master_key(master_key)
        master_key_file = Path(file_raw).expanduser() if file_raw else None

        public_raw = get("JIRAGW_PUBLIC_URL")
        return cls(
            database_url=database_url,
            master_key=master_key,
            master_key_file=master_key_file,
            public_url=_http_url("JIRAGW_PUBLIC_URL", public_raw) if public_raw else None,
            atlassian_auth_url=_http_url(
                "JIRAGW_ATLASSIAN_AUTH_URL", get("JIRAGW_ATLASSIAN_AUTH_URL") or DEFAULT_ATLASSIAN_AUTH_URL
            ),
            atlassian_api_url=_http_url(
                "JIRAGW_ATLASSIAN_API_URL", get("JIRAGW_ATLASSIAN_API_URL") or DEFAULT_ATLASSIAN_API_URL
            ),
            connection=get("JIRAGW_CONNECTION"),
            metrics_require_key=_flag("JIRAGW_METRICS_REQUIRE_KEY", get("JIRAGW_METRICS_REQUIRE_KEY")),
        )

    @property
    def database_url_redacted(self) -> str:
        """The database URL with any password masked, for logs and ``--json`` output."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def oauth_callback_url(self) -> str | None:
        """The exact OAuth ``redirect_uri`` (public URL + callback path), if a public URL is set."""
        return None if self.public_url is None else self.public_url + CALLBACK_PATH


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How the gateway's HTTP server treats its connections (``jiragw serve``, in either mode).

    - ``header_timeout`` (``JIRAGW_HEADER_TIMEOUT``, seconds, default 10): a
      connection whose request line and headers have not all arrived this long
      after they began (or after it opened) is closed.
    - ``max_connections`` (``JIRAGW_MAX_CONNECTIONS``, default 1000): open
      connections beyond this get 503 and are closed at once.
    - ``keep_alive_timeout``: an idle keep-alive connection is closed after
      this many seconds (fixed).
    - ``trusted_proxies`` (``JIRAGW_TRUSTED_PROXIES``, comma-separated IPs or
      CIDR networks, default none): only a peer in this list may set the
      client address and scheme with ``X-Forwarded-For``/``X-Forwarded-Proto``.
    - ``max_line`` and ``max_head`` (fixed, 16 KiB and 64 KiB): the largest
      request line or header line, and the largest request head in all.
    """

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    keep_alive_timeout: int = 5
    trusted_proxies: tuple[str, ...] = ()
    max_line: int = 16 * 1024
    max_head: int = 64 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerOptions:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            header_timeout=_number(
                "JIRAGW_HEADER_TIMEOUT",
                get("JIRAGW_HEADER_TIMEOUT"),
                DEFAULT_HEADER_TIMEOUT,
                low=0.1,
                high=3600,
            ),
            max_connections=int(
                _number(
                    "JIRAGW_MAX_CONNECTIONS",
                    get("JIRAGW_MAX_CONNECTIONS"),
                    DEFAULT_MAX_CONNECTIONS,
                    low=1,
                    high=1_000_000,
                )
            ),
            trusted_proxies=_networks("JIRAGW_TRUSTED_PROXIES", get("JIRAGW_TRUSTED_PROXIES")),
        )
