"""Who a session is and what it may reach: connections, operations, audit.

One :class:`Access` per MCP caller. Over HTTP it wraps the gateway key
(:func:`for_key`): the key's connections decide which connections are
reachable, and :func:`jiragw.keys.check` decides each operation
(scope ceiling, read-only flag, unknown operations). Over stdio
(:func:`for_local`) the operator named the connections, and ``--read-only``
allows only operations the scope table calls reads.

The check runs twice: on a tool's declared operations before it is listed or
called, and on every request actually sent upstream (:class:`GuardedTransport`
wraps the shared upstream client), so a tool that strays from its declaration
is still stopped before Jira sees the request. The guard also keeps every
request's final URL inside the connection's APIs (the proxy's path
containment, :func:`jiragw.jira.containment.contain_url`), whatever an
argument held. The caller's own token never
travels upstream: Jira requests carry only the connection's credentials.

An :class:`Access` keeps one open Jira client per connection for its whole
life (a stdio session; over HTTP, one gateway key's requests), so the SDK's
field name <-> id cache is listed once, not on every tool call; the listing
is dropped after :attr:`Access.field_ttl` seconds so fields created or renamed
in Jira show up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from jiragw.broker import Broker
from jiragw.errors import (
    AuthError,
    ConnectionDenied,
    InvalidInput,
    JiragwError,
    PermissionDenied,
    ReadOnlyKey,
)
from jiragw.jira.client import JiraClient
from jiragw.jira.containment import contain_url
from jiragw.keys import check as ceiling_check
from jiragw.keys import is_read
from jiragw.scopes import ScopeTable, load_scope_table
from jiragw.store import ConnectionRecord, KeyRecord, Tx

from .tool import ToolSpec

__all__ = ["FIELD_TTL", "Access", "AuditFn", "GuardedTransport", "for_key", "for_local", "store_audit"]

FIELD_TTL = 300.0  # seconds a connection's field listing is reused

# (tool, connection id, outcome, error code, latency ms, durable): returns once recorded. A durable
# record (a write tool's, a denial's) is committed before the answer is sent.
AuditFn = Callable[[str, str | None, str, str | None, int, bool], Awaitable[None]]


@dataclass
class Access:
    """A session's reach. ``key`` is None for a local (stdio) session."""

    broker: Broker
    http: httpx.AsyncClient
    key: KeyRecord | None = None
    read_only: bool = False
    names: tuple[str, ...] | None = None  # local sessions: the connections named; None = the key's
    public_url: str | None = None
    audit: AuditFn | None = None
    table: ScopeTable = field(default_factory=load_scope_table)
    field_ttl: float = FIELD_TTL
    clock: Callable[[], float] = time.monotonic
    # connection id -> (open client, its guarded HTTP client, when its field listing may be used until)
    _clients: dict[str, tuple[JiraClient, httpx.AsyncClient, float]] = field(default_factory=dict, repr=False)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def session_read_only(self) -> bool:
        return self.read_only or (self.key is not None and self.key.read_only)

    # -- connections -------------------------------------------------------------------------

    async def connections(self) -> list[ConnectionRecord]:
        """The connections this session may use, by name."""
        everything = await self.broker.store.run(lambda tx: tx.connections.list())
        if self.key is not None:
            key = self.key
            found = [c for c in everything if key.allows_connection(c.id)]
        else:
            wanted = self.names or ()
            found = [c for c in everything if c.name in wanted]
        return sorted(found, key=lambda c: c.name)

    async def connection(self, name: str | None) -> ConnectionRecord:
        """The connection a call names (or the only one); :class:`ConnectionDenied` otherwise."""
        reachable = await self.connections()
        if name is None:
            if len(reachable) == 1:
                return reachable[0]
            if not reachable:
                raise ConnectionDenied("this session can reach no connection")
            names = ", ".join(c.name for c in reachable)
            raise InvalidInput(f"name the connection to use: one of {names}", details={"choices": names})
        for conn in reachable:
            if conn.name == name:
                return conn
        raise ConnectionDenied(
            f"this session cannot reach a connection named {name!r}",
            details={"connection": name, "choices": [c.name for c in reachable]},
        )

    # -- operations --------------------------------------------------------------------------

    def check(self, method: str, path: str) -> None:
        """Raise the denial when this session may not call ``method path``."""
        if self.key is not None:
            ceiling_check(self.key, method, path, self.table)
            return
        if self.read_only:
            op = self.table.match(method, path)
            reads = method.upper() in ("GET", "HEAD")
            # A GET the spec guards with no scope at all (the board list, serverInfo) reads, as
            # the gateway's ceiling holds; any other known operation reads only by its scopes.
            if (op is None or not (op.classic_scopes or op.granular_scopes)) and reads:
                return
            if op is None or not is_read(op):
                raise ReadOnlyKey(f"this session is read-only and {method.upper()} {path} writes")

    def check_tool(self, tool: ToolSpec, flavor: str) -> None:
        """Raise when the session may not call ``tool`` on a connection of ``flavor``."""
        if not tool.read_only and self.session_read_only:
            raise ReadOnlyKey(f"this session is read-only and the tool {tool.name} writes to Jira")
        for op in tool.ops_for(flavor):
            self.check(op.method, op.path)

    def allows_tool(self, tool: ToolSpec, flavors: set[str]) -> bool:
        """Whether ``tool`` may be called on at least one of the reachable flavors."""
        if not tool.needs_connection:
            return True
        for flavor in flavors:
            try:
                self.check_tool(tool, flavor)
            except JiragwError:
                continue
            return True
        return False

    async def client(self, conn: ConnectionRecord) -> JiraClient:
        """This session's open Jira client for ``conn``; every request it sends passes :meth:`check` first.

        Kept open across tool calls (closed by :meth:`aclose`) so its field
        cache is reused; the cache is dropped once :attr:`field_ttl` passed.
        """
        async with self._opening:
            kept = self._clients.get(conn.id)
            if kept is None:
                guarded = httpx.AsyncClient(
                    transport=GuardedTransport(self.http, conn.api_base_url, self.check), timeout=30.0
                )
                jira = JiraClient.from_connection(conn.name, broker=self.broker, client=guarded)
                try:
                    await jira.open()
                except BaseException:
                    await guarded.aclose()
                    raise
                kept = (jira, guarded, self.clock() + self.field_ttl)
            elif self.clock() >= kept[2]:
                kept[0].fields.invalidate()
                kept = (kept[0], kept[1], self.clock() + self.field_ttl)
            self._clients[conn.id] = kept
            return kept[0]

    async def aclose(self) -> None:
        """Close the kept Jira clients (the shared upstream client stays open)."""
        async with self._opening:
            kept, self._clients = list(self._clients.values()), {}
        for jira, guarded, _ in kept:
            try:
                await jira.aclose()
            finally:
                await guarded.aclose()

    async def record(
        self,
        tool: str,
        conn: ConnectionRecord | None,
        started: float,
        error: JiragwError | None,
        *,
        write: bool = False,
    ) -> None:
        """Audit one tool call; a write tool's or a denial's record is durable when this returns."""
        if self.audit is None:
            return
        latency = int((time.monotonic() - started) * 1000)
        outcome = "ok" if error is None else "error"
        durable = write or isinstance(error, PermissionDenied | AuthError)
        await self.audit(
            tool, conn.id if conn else None, outcome, error.code if error else None, latency, durable
        )


class GuardedTransport(httpx.AsyncBaseTransport):
    """Sends through ``inner`` (the shared upstream client) after the request's URL stayed inside
    ``base_url``'s APIs and ``check(method, path)`` passed.

    ``base_url`` is the connection's instance root; its context path
    (``/sites/acme``, ``/ex/jira/{cloudId}``) is taken off so the path matches
    the scope table.
    """

    def __init__(self, inner: httpx.AsyncClient, base_url: str, check: Callable[[str, str], None]) -> None:
        self.inner = inner
        self.base_url = base_url
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.check = check

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        contain_url(self.base_url, str(request.url))
        path = request.url.path
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path) :]
        self.check(request.method, path)
        return await self.inner.send(request, stream=True)

    async def aclose(self) -> None:  # the inner client is shared and closed by its owner
        return None


def for_key(
    key: KeyRecord,
    *,
    broker: Broker,
    http: httpx.AsyncClient,
    public_url: str,
    audit: AuditFn | None = None,
    table: ScopeTable | None = None,
) -> Access:
    """The reach of a gateway key (HTTP sessions)."""
    return Access(
        broker=broker,
        http=http,
        key=key,
        read_only=key.read_only,
        public_url=public_url,
        audit=audit,
        table=table or load_scope_table(),
    )


def for_local(
    names: tuple[str, ...],
    *,
    broker: Broker,
    read_only: bool = False,
    audit: AuditFn | None = None,
) -> Access:
    """The reach of a local stdio session over the named connections."""
    if not names:
        raise InvalidInput("name at least one connection (--connection NAME)")
    return Access(broker=broker, http=broker.client, names=names, read_only=read_only, audit=audit)


def store_audit(broker: Broker, actor: str) -> AuditFn:
    """An audit writer appending straight to the store (a stdio session has no batch writer):
    every record is committed before the call is answered."""

    def append(
        tx: Tx, tool: str, connection_id: str | None, outcome: str, code: str | None, latency: int
    ) -> None:
        tx.audit.append(
            "mcp",
            actor=actor,
            outcome=outcome,
            connection_id=connection_id,
            method="tools/call",
            target=tool,
            latency_ms=latency,
            error_code=code,
        )

    async def write(
        tool: str, connection_id: str | None, outcome: str, code: str | None, latency: int, durable: bool
    ) -> None:
        await broker.store.run(lambda tx: append(tx, tool, connection_id, outcome, code, latency))

    return write
