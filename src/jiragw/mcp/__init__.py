"""The MCP server: Jira as a small set of Model Context Protocol tools.

Built on the official ``mcp`` SDK's low-level :class:`mcp.server.Server` so that
the tool list and every call are decided per caller: :mod:`.access` says which
connections and operations a session may reach (a gateway key's ceiling over
HTTP, ``--connection``/``--read-only`` over stdio); :mod:`.server` lists only
the tools the session may call and refuses the rest; :mod:`.stdio` serves one
session over stdin/stdout; ``tools/`` holds one module per tool group over
the SDK client :class:`jiragw.jira.JiraClient`.

The names below load on first use, so that importing one module of this
package (``jiragw mcp`` imports :mod:`.stdio` before it answers
``initialize``) does not load the store and the Jira SDK behind :class:`Access`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .access import Access
    from .server import build_server
    from .stdio import run_stdio

__all__ = ["Access", "build_server", "run_stdio"]

_HOMES = {"Access": ".access", "build_server": ".server", "run_stdio": ".stdio"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home, __name__), name)
