"""What a tool is: its schema, annotations, the REST operations it uses, and its handler.

Each tool declares the Jira operations it may call (:class:`Op`, a method and
a concrete sample path under ``/rest/api/3``, per flavor when they differ);
the session checks them against the caller's ceiling before listing the tool
and again before calling it, and a guard on the upstream client checks every
request actually sent (:mod:`.access`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jiragw.jira.client import JiraClient
    from jiragw.store import ConnectionRecord

    from .access import Access

__all__ = ["Call", "Handler", "Op", "Result", "ToolSpec", "schema"]

Flavor = Literal["cloud", "dc"]


@dataclass(frozen=True, slots=True)
class Op:
    """One REST operation a tool may call; ``flavor`` None means on both flavors."""

    method: str
    path: str
    flavor: Flavor | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """A tool's answer: ``text`` (Markdown) is the whole answer; ``data`` a small index of it.

    Every fact travels once. The Markdown carries all of them, prose
    included (descriptions, comment bodies, the long tail of fields), so a
    client that shows the model only ``content`` loses nothing. ``data``
    becomes ``structuredContent``: the handles and state a program chains
    its next call on (keys, ids, status, transitions, cursors, totals),
    never prose. No tool declares an ``outputSchema``, so the spec requires
    nothing of ``structuredContent``; its suggestion to repeat it as JSON
    text (MCP 2025-06-18, Tools, "Structured Content") is not followed
    because it would send every fact twice.
    """

    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Call:
    """One tool call: the session, and (for Jira tools) the chosen connection and an open client."""

    access: Access
    connection: ConnectionRecord | None = None
    jira_client: JiraClient | None = None

    @property
    def jira(self) -> JiraClient:
        assert self.jira_client is not None, "this tool runs without a connection"
        return self.jira_client

    @property
    def cloud(self) -> bool:
        return self.connection is not None and self.connection.flavor == "cloud"


Handler = Callable[[Call, Mapping[str, Any]], Awaitable[Result]]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    title: str
    description: str
    properties: Mapping[str, Any]
    handler: Handler
    ops: tuple[Op, ...] = ()
    required: tuple[str, ...] = ()
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True
    needs_connection: bool = True

    def ops_for(self, flavor: str) -> tuple[Op, ...]:
        return tuple(op for op in self.ops if op.flavor in (None, flavor))


def schema(properties: Mapping[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed JSON object schema."""
    out: dict[str, Any] = {"type": "object", "properties": dict(properties), "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out
