"""Which forward proxy an outbound URL of the gateway goes through, from the environment.

The gateway's every outbound call (proxied Jira calls, token refreshes, MCP's
Jira calls, connection checks) goes through the one upstream client, whose
transport asks :meth:`OutboundProxies.for_url` before each request. The rules
are the ones curl, httpx (so the ``jiragw`` CLI) and most HTTP tools follow:

- ``HTTP_PROXY`` for ``http://`` URLs, ``HTTPS_PROXY`` for ``https://`` URLs
  (tunnelled with ``CONNECT``), ``ALL_PROXY`` for either when its own is unset;
  the lower-case spelling wins over the upper-case one; an empty value is unset.
  A value without a scheme means ``http://``. Only ``http://`` forward proxies
  are supported; another scheme (``https://``, ``socks5://``) is refused at
  start-up rather than ignored. Credentials in the proxy URL
  (``http://user:pass@proxy:3128``) are sent as ``Proxy-Authorization: Basic``.
- ``NO_PROXY`` (or ``no_proxy``): a comma-separated list of exceptions.
  ``*`` turns the proxy off for every URL; ``example.com``, ``.example.com``
  and ``*.example.com`` each cover ``example.com`` and every name under it; an
  IP address covers itself and a CIDR block (``10.0.0.0/8``) every address in
  it; an entry with a port (``jira.corp:8443``, ``[::1]:9000``) covers that
  port only. Names are compared as written: ``localhost`` does not cover
  ``127.0.0.1``.
- Loopback gets no special case: a proxy set for ``http://`` also carries calls
  to ``http://127.0.0.1`` (such as ``serve --sandbox``'s) unless ``NO_PROXY``
  lists the address, as with curl and httpx.

This module only decides; :class:`~jiragw.gateway.aiohttp_transport.AiohttpTransport`
sends. The proxy's credentials are a :class:`~jiragw.secrets.Secret` and no
error message repeats a proxy URL.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

import httpx

from jiragw.errors import ConfigError
from jiragw.secrets import Secret

__all__ = ["ForwardProxy", "OutboundProxies"]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ForwardProxy:
    """One forward proxy: its URL without credentials, and the ``Proxy-Authorization`` value if any."""

    url: str
    authorization: Secret | None = None


@dataclass(frozen=True, slots=True)
class _Exception:
    """One ``NO_PROXY`` entry: a name (with its subdomains), an address or a network; a port or any."""

    name: str | None = None
    network: _Network | None = None
    port: int | None = None

    def covers(self, host: str, address: _Address | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and address in self.network
        assert self.name is not None
        return host == self.name or host.endswith("." + self.name)


def _env(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name.lower()) or environ.get(name.upper()) or "").strip()


def _parse_proxy(variable: str, value: str) -> ForwardProxy:
    """The proxy ``variable`` names; an error never repeats ``value`` (it may hold a password)."""
    parts = urlsplit(value if "://" in value else "http://" + value)
    if parts.scheme.lower() != "http":
        raise ConfigError(
            f"{variable} must name an http:// forward proxy (https:// and socks proxies are not supported)"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{variable} has an invalid port") from exc
    host = parts.hostname
    if not host:
        raise ConfigError(f"{variable} names no proxy host")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port or _DEFAULT_PORTS['http']}"
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = Secret("Basic " + base64.b64encode(pair).decode("ascii"))
    return ForwardProxy(url, authorization)


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port`` / ``[v6]:port`` / bare host; an unbracketed IPv6 address has no port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _parse_exception(entry: str) -> _Exception | None:
    if "://" in entry:  # "http://host" is written by some; the scheme adds nothing here
        entry = entry.split("://", 1)[1]
    host, port = _split_port(entry.rstrip("/"))
    try:
        return _Exception(network=ipaddress.ip_network(host, strict=False), port=port)
    except ValueError:
        pass
    name = host.removeprefix("*").removeprefix(".").rstrip(".")
    return _Exception(name=name, port=port) if name else None


class OutboundProxies:
    """The forward proxies of the ``*_PROXY`` variables, less the exceptions ``NO_PROXY`` lists."""

    def __init__(
        self,
        by_scheme: Mapping[str, ForwardProxy] | None = None,
        exceptions: tuple[_Exception, ...] = (),
        *,
        bypass_all: bool = False,
    ) -> None:
        self._by_scheme = dict(by_scheme or {}) if not bypass_all else {}
        self._exceptions = exceptions

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OutboundProxies:
        """Read the proxy variables of ``environ``; :class:`ConfigError` for an unusable proxy URL."""
        by_scheme: dict[str, ForwardProxy] = {}
        every = _env(environ, "ALL_PROXY")
        for scheme in ("http", "https"):
            variable = f"{scheme.upper()}_PROXY"
            value = _env(environ, variable)
            if not value and every:
                variable, value = "ALL_PROXY", every
            if value:
                by_scheme[scheme] = _parse_proxy(variable, value)
        entries = [e.strip().lower() for e in _env(environ, "NO_PROXY").split(",")]
        if "*" in entries:
            return cls(bypass_all=True)
        parsed = (_parse_exception(e) for e in entries if e)
        return cls(by_scheme, tuple(e for e in parsed if e is not None))

    @property
    def configured(self) -> bool:
        """Whether any URL may go through a proxy."""
        return bool(self._by_scheme)

    def for_url(self, url: httpx.URL) -> ForwardProxy | None:
        """The proxy for ``url``, or None to connect directly."""
        proxy = self._by_scheme.get(url.scheme)
        if proxy is None or not self._exceptions:
            return proxy
        host = url.host.lower().rstrip(".")
        port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
        try:
            address: _Address | None = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if any(e.covers(host, address, port) for e in self._exceptions):
            return None
        return proxy
