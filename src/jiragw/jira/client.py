"""The Jira SDK's entry point: :class:`JiraClient` composes every resource over one ApiContext.

``async with JiraClient.from_connection("acme") as jira:`` reads the
connection from the broker (credentials renewed as needed, one forced refresh
after a 401); ``JiraClient.from_url`` serves scripts and tests with fixed
credentials. :class:`SyncJiraClient` is the same client for synchronous code:
one event loop in a background thread runs every call.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, TypeVar

import httpx

from .context import ApiContext, Flavor
from .export import export as export_issues
from .resources.agile import AgileResource
from .resources.comments import CommentsResource
from .resources.dashboards import DashboardsResource
from .resources.devops import DevOpsResource
from .resources.fields import FieldsResource
from .resources.filters import FiltersResource
from .resources.issues import IssuesResource
from .resources.projects import ProjectsResource
from .resources.users import UsersResource
from .transport import CredentialProvider, Transport

__all__ = ["JiraClient", "SyncJiraClient"]

T = TypeVar("T")


class JiraClient:
    """Every resource of one Jira connection: ``jira.issues``, ``jira.projects``, ``jira.comments``,
    ``jira.users``, ``jira.fields``, ``jira.filters``, ``jira.dashboards``, ``jira.agile`` (boards,
    sprints), ``jira.devops``."""

    ctx: ApiContext
    projects: ProjectsResource
    issues: IssuesResource
    comments: CommentsResource
    users: UsersResource
    fields: FieldsResource
    filters: FiltersResource
    dashboards: DashboardsResource
    agile: AgileResource
    devops: DevOpsResource

    def __init__(self, opener: Callable[[AsyncExitStack], Awaitable[ApiContext]]) -> None:
        self._opener = opener
        self._stack = AsyncExitStack()
        self._open = False

    def _bind(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.users = UsersResource(ctx)
        self.fields = FieldsResource(ctx)  # its name <-> id cache lives as long as the client
        self.filters = FiltersResource(ctx)
        self.dashboards = DashboardsResource(ctx)
        self.agile = AgileResource(ctx)
        self.devops = DevOpsResource(ctx, cloud_id=ctx.cloud_id)
        self.projects = ProjectsResource(ctx)
        self.issues = IssuesResource(ctx, resolve_field=self.fields.resolve)
        self.comments = CommentsResource(ctx)

    @classmethod
    def from_url(
        cls,
        base_url: str,
        flavor: Flavor,
        credentials: CredentialProvider,
        client: httpx.AsyncClient | None = None,
        *,
        version: str = "",
        **transport: Any,
    ) -> JiraClient:
        """A client for the instance at ``base_url``; without ``client``, one is made and closed with it.

        ``transport`` passes Transport options (``policy``, ``clock``, ``sleep``, ...).
        """

        async def opener(stack: AsyncExitStack) -> ApiContext:
            http = client
            if http is None:
                http = await stack.enter_async_context(httpx.AsyncClient(timeout=30.0, http2=True))
            transport_ = Transport(http, credentials, base_url=base_url, **transport)
            return ApiContext(transport_, base_url, flavor, version)

        return cls(opener)

    @classmethod
    def from_connection(
        cls,
        name: str,
        *,
        broker: Any = None,
        client: httpx.AsyncClient | None = None,
        version: str = "",
        **transport: Any,
    ) -> JiraClient:
        """A client for the broker's connection ``name``.

        Without ``broker``, the store of the environment's settings is opened (as
        the CLI does) and closed with the client; ``client`` defaults to the broker's.
        """
        from jiragw.broker import Broker

        from .broker_credentials import BrokerCredentials

        async def opener(stack: AsyncExitStack) -> ApiContext:
            chosen: Broker = broker if broker is not None else await _default_broker(stack)
            conn = await chosen.connection(name)
            creds = BrokerCredentials(chosen, name)
            transport_ = Transport(client or chosen.client, creds, base_url=conn.api_base_url, **transport)
            flavor: Flavor = "cloud" if conn.flavor == "cloud" else "dc"
            return ApiContext(transport_, conn.api_base_url, flavor, version, cloud_id=conn.cloud_id)

        return cls(opener)

    def export(self, jql: str, **options: Any) -> AsyncIterator[dict[str, Any]]:
        """Every issue ``jql`` finds, streamed in JQL order (see :func:`jiragw.jira.export.export`)."""
        return export_issues(self.ctx, jql, **options)

    async def open(self) -> JiraClient:
        if not self._open:
            self._bind(await self._opener(self._stack))
            self._open = True
        return self

    async def aclose(self) -> None:
        self._open = False
        await self._stack.aclose()

    async def __aenter__(self) -> JiraClient:
        try:
            return await self.open()
        except BaseException:
            await self._stack.aclose()
            raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


async def _default_broker(stack: AsyncExitStack) -> Any:
    from jiragw.broker import Broker
    from jiragw.config import Settings
    from jiragw.store import Store

    store = Store.from_settings(Settings.from_env())
    stack.callback(store.dispose)
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=30.0, http2=True))
    return Broker(store, http, actor="sdk")


class _SyncProxy:
    """An object seen from synchronous code: coroutines run on the loop, async iterators become lists."""

    def __init__(self, target: Any, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        return _synchronous(getattr(self._target, name), self._run)


def _synchronous(value: Any, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> Any:
    """``value`` callable from synchronous code: awaited on the loop; an async iterator collected."""
    if not callable(value) or inspect.isclass(value):
        return value if inspect.isclass(value) or _plain(value) else _SyncProxy(value, run)

    @functools.wraps(value)
    def call(*args: Any, **kwargs: Any) -> Any:
        result = value(*args, **kwargs)
        if inspect.iscoroutine(result):
            return run(result)
        if inspect.isasyncgen(result) or hasattr(result, "__anext__"):
            return run(_collect(result))
        return result

    return call


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | bytes | dict | list | tuple)


async def _collect(items: AsyncIterator[T]) -> list[T]:
    return [item async for item in items]


class SyncJiraClient:
    """:class:`JiraClient` for scripts: ``with SyncJiraClient.from_url(...) as jira: jira.issues.get(k)``."""

    def __init__(self, client: JiraClient) -> None:
        self._client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="jiragw-sdk", daemon=True)
        self._thread.start()
        try:
            self._run(client.open())
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(cls, *args: Any, **kwargs: Any) -> SyncJiraClient:
        return cls(JiraClient.from_url(*args, **kwargs))

    @classmethod
    def from_connection(cls, name: str, **kwargs: Any) -> SyncJiraClient:
        return cls(JiraClient.from_connection(name, **kwargs))

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def __getattr__(self, name: str) -> Any:
        return _synchronous(getattr(self._client, name), self._run)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            if self._thread.is_alive():
                self._run(self._client.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> SyncJiraClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
