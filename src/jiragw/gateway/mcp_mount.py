"""Placeholder for the MCP streamable-HTTP mount at ``/mcp`` (issue 6)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.routing import BaseRoute

from jiragw.gateway.state import Gateway

__all__ = ["build", "routes", "running"]


def build(gw: Gateway) -> Any:
    return None


@contextlib.asynccontextmanager
async def running(mcp_app: Any) -> AsyncIterator[None]:
    yield


def routes(mcp_app: Any) -> list[BaseRoute]:
    return []
