"""Placeholder route group (being built; see gateway/app.py)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from jiragw.gateway.state import Gateway

__all__ = ["routes"]


def routes(gw: Gateway) -> list[BaseRoute]:
    return []
