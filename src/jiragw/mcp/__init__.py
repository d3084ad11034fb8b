"""The MCP server (issue 6): Jira as a small set of Model Context Protocol tools.

Built on the official ``mcp`` SDK's low-level :class:`mcp.server.Server` so that
the tool list and every call are decided per caller: :mod:`.access` says which
connections and operations a session may reach (a gateway key's ceiling over
HTTP, ``--connection``/``--read-only`` over stdio); :mod:`.server` lists only
the tools the session may call and refuses the rest; ``tools/`` holds one
module per tool group over the SDK client :class:`jiragw.jira.JiraClient`.
"""

from __future__ import annotations

from .access import Access
from .server import build_server, run_stdio

__all__ = ["Access", "build_server", "run_stdio"]
