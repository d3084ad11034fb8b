"""The gateway server: OAuth routes, Jira-compatible proxy, management API, inbound keys, audit, admin UI.

Build a :class:`Gateway` and serve :func:`create_app` (``jiragw serve`` does both).
"""

from __future__ import annotations

from jiragw.gateway.app import create_app
from jiragw.gateway.state import Gateway

__all__ = ["Gateway", "create_app"]
