"""Where a credential may be sent: over HTTPS, or over plain HTTP to this machine only.

Atlassian asks integrations to talk to Jira over HTTPS only. Every address a
credential is sent to (a Cloud site, a Data Center base URL, an OAuth
authorization server or token endpoint, the Atlassian API gateway) passes
:func:`require_https` before the first request to it. Plain ``http://`` is
accepted for loopback hosts only (``127.0.0.0/8``, ``::1``, ``localhost``: the
sandbox on this machine), or when the operator allowed it explicitly for one
connection (``--allow-insecure-http``); such a connection is then shown with a
warning (:data:`INSECURE_WARNING`).

Pure functions over strings: no name is resolved, so ``localhost`` is taken at
its word (RFC 6761 §6.3) and any other name counts as remote.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

from jiragw.errors import InsecureUrl

__all__ = ["INSECURE_WARNING", "OVERRIDE_HINT", "is_loopback_host", "is_secure_url", "require_https"]

OVERRIDE_HINT: Final = (
    "pass --allow-insecure-http (the admin UI: tick 'Allow plain HTTP') to accept it for this connection"
)
INSECURE_WARNING: Final = "plain HTTP allowed: credentials travel unencrypted"


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` names this machine: ``localhost``, ``127.0.0.0/8`` or ``::1``."""
    if not host:
        return False
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_secure_url(url: str) -> bool:
    """Whether a credential may go to ``url`` without an override: ``https``, or ``http`` to loopback."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "https":
        return True
    return scheme == "http" and is_loopback_host(parts.hostname)


def require_https(url: str, *, what: str, allow_insecure_http: bool = False) -> None:
    """Refuse ``url`` (:class:`~jiragw.errors.InsecureUrl`) unless :func:`is_secure_url` or allowed.

    ``what`` names the address in the message ("the site URL"); the URL itself
    is not repeated, so nothing typed into it (a token pasted by mistake) is
    echoed back.
    """
    if allow_insecure_http or is_secure_url(url):
        return
    raise InsecureUrl(
        f"{what} must use https: plain HTTP is accepted only for this machine "
        f"(127.0.0.1, ::1, localhost); {OVERRIDE_HINT}"
    )
