"""The SDK's one I/O seam: every Jira request goes through :meth:`Transport.send`.

A :class:`Transport` wraps one injected ``httpx.AsyncClient`` (its pool, its
base URL, HTTP/2 when the server offers it) and adds, in one place:

- credentials, from a :class:`CredentialProvider` (the broker's credential
  session implements it; :class:`StaticCredentials` serves scripts and
  tests), sent through the credential session's 401 rule
  (:class:`~jiragw.broker.session.RenewOnce`): a 401 that renewing can cure
  makes the provider refresh once (``headers(force_refresh=True)``) and the
  call is sent once more, after which it is
  :class:`~jiragw.errors.ReauthRequired`;
- the retry rules of :mod:`jiragw.jira.policy`, carried out with the
  connection's shared :class:`~jiragw.jira.limiter.ConnectionBudget`;
- the translation of error answers and httpx's exceptions into the
  exception tree (:mod:`jiragw.jira.errors_map`), once;
- containment: given the connection's ``base_url``, every request's final
  URL (as httpx built it) must stay inside the connection's APIs
  (:func:`jiragw.jira.containment.contain_url`), or it is refused with
  :class:`~jiragw.errors.PathRejected` before anything is sent. A URL httpx
  cannot build (a query past its length limit) is
  :class:`~jiragw.errors.InvalidInput`.

Clock, wall clock, sleep and randomness are injected so that tests run the
rate-limit rules against the sandbox without real waiting.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import httpx
import orjson

from jiragw.broker.session import RenewOnce
from jiragw.errors import InvalidInput, ReauthRequired, UpstreamError, UpstreamUnavailable
from jiragw.secrets import Secret

from .containment import contain_url
from .errors_map import error_from_response, is_scope_denial
from .limiter import ConnectionBudget
from .policy import RetryPolicy, decide, near_limit, server_wait

__all__ = ["CredentialProvider", "StaticCredentials", "Transport"]

# Method, path, status and wait only: headers (and so credentials) are never logged.
log = logging.getLogger("jiragw.jira")

QueryParams = Mapping[str, str | int | float | bool | list[str] | None]


@runtime_checkable
class CredentialProvider(Protocol):
    """Where a transport gets its auth headers; ``force_refresh`` after Jira answered 401."""

    async def headers(self, force_refresh: bool = False) -> Mapping[str, str]: ...


class StaticCredentials:
    """Fixed auth headers (an API token, a PAT): a forced refresh gives the same ones."""

    def __init__(self, headers: Mapping[str, Secret | str]) -> None:
        self._headers = {k: v if isinstance(v, Secret) else Secret(v) for k, v in headers.items()}
        self.refreshes = 0  # how many forced refreshes were asked for

    @classmethod
    def basic(cls, user: str, secret: Secret) -> StaticCredentials:
        """``Basic`` auth: Cloud's email + API token, or DC's username + password."""
        raw = base64.b64encode(f"{user}:{secret.reveal()}".encode()).decode()
        return cls({"Authorization": Secret(f"Basic {raw}")})

    @classmethod
    def bearer(cls, token: Secret) -> StaticCredentials:
        """``Bearer`` auth: a DC personal access token or an OAuth access token."""
        return cls({"Authorization": Secret(f"Bearer {token.reveal()}")})

    async def headers(self, force_refresh: bool = False) -> Mapping[str, str]:
        if force_refresh:
            self.refreshes += 1
        return {k: v.reveal() for k, v in self._headers.items()}

    def __repr__(self) -> str:
        return f"StaticCredentials({sorted(self._headers)})"


class _ProviderAuth(RenewOnce):
    """The credential session's 401 rule over a :class:`CredentialProvider`'s headers, for one call."""

    def __init__(self, provider: CredentialProvider, headers: Mapping[str, str]) -> None:
        self.provider = provider
        self.headers = headers
        self.renewed = False

    def authorize(self, request: httpx.Request) -> None:
        request.headers.update(self.headers)

    async def renew(self, request: httpx.Request) -> bool:
        # One forced refresh, and the same call once more (not counted as a retry).
        self.headers = await self.provider.headers(force_refresh=True)
        self.renewed = True
        self.authorize(request)
        return True


class Transport:
    """One connection's gate to Jira: credentials, retries, the shared budget, error mapping."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        credentials: CredentialProvider,
        *,
        policy: RetryPolicy | None = None,
        budget: ConnectionBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        base_url: str | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url  # the connection's instance root: requests must stay inside its APIs
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.budget = budget or ConnectionBudget(clock=clock, sleep=sleep)
        self.wall = wall
        self.sleep = sleep
        self.rng = rng or random.Random()  # jitter only, not a secret

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request with retries; the 2xx/3xx response, or the mapped exception."""
        method = method.upper()
        content = None if json is None else orjson.dumps(json)
        base_headers = {"Accept": "application/json", **(headers or {})}
        if content is not None:
            base_headers.setdefault("Content-Type", "application/json")
        query = _clean(params)
        attempt = 0
        while True:
            auth = _ProviderAuth(self.credentials, await self.credentials.headers())
            attempt += 1
            try:
                request = self._build(method, url, query, content, base_headers)
                async with self.budget.slot():
                    response = await self.client.send(request, auth=auth)
            except httpx.TransportError as exc:
                verdict = decide(
                    method, attempt, policy=self.policy, rng=self.rng, now=self.wall(), network_error=True
                )
                log.debug("%s %s: %s (attempt %d)", method, url, type(exc).__name__, attempt)
                if not verdict.retry:
                    raise UpstreamUnavailable(
                        f"Jira could not be reached ({type(exc).__name__}): {verdict.reason}",
                        details={"method": method, "url": url, "attempts": attempt},
                    ) from exc
                await self.sleep(verdict.delay)
                continue
            status = response.status_code
            if status < 400:
                if near_limit(response.headers):  # grow only while the budget has room
                    self.budget.on_near_limit()
                else:
                    self.budget.on_success()
                return response
            path = response.request.url.path
            if status == 401 and auth.renewed and not is_scope_denial(status, response.content):
                raise ReauthRequired(
                    "Jira refused the credential even after a refresh; consent again",
                    details={"status": status, "url": url},
                )
            verdict = decide(
                method,
                attempt,
                policy=self.policy,
                rng=self.rng,
                now=self.wall(),
                status=status,
                headers=response.headers,
            )
            log.debug(
                "%s %s: HTTP %d (attempt %d): %s; retry %s after %.2fs",
                method,
                url,
                status,
                attempt,
                verdict.reason,
                verdict.retry,
                verdict.delay,
            )
            if status == 429 and verdict.retry:
                self.budget.on_rate_limited(verdict.delay)
                continue  # the budget holds this call, and every other, until the window ends
            if verdict.retry:
                await self.sleep(verdict.delay)
                continue
            raise error_from_response(
                status, response.content, path=path, retry_after=server_wait(response.headers, self.wall())
            )

    def _build(
        self,
        method: str,
        url: str,
        query: dict[str, str | list[str]] | None,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> httpx.Request:
        """The request as httpx builds it, its final URL checked to stay inside the connection's APIs."""
        try:
            request = self.client.build_request(method, url, params=query, content=content, headers=headers)
        except httpx.InvalidURL as exc:
            # httpx's own limit (64 KiB a URL component), met first by a very long JQL query.
            raise InvalidInput(
                "the request URL is too long or malformed: shorten the query (a JQL query travels in the URL)"
            ) from exc
        if self.base_url is not None:
            contain_url(self.base_url, str(request.url))
        return request

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """:meth:`send`, then the body parsed as JSON (``None`` for an empty body)."""
        response = await self.send(method, url, params=params, json=json, headers=headers)
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(
                f"Jira answered {method} {url} with a body that is not JSON",
                details={"status": response.status_code},
            ) from exc

    async def get_json(self, url: str, params: QueryParams | None = None) -> Any:
        return await self.request_json("GET", url, params=params)

    async def post_json(self, url: str, json: Any) -> Any:
        return await self.request_json("POST", url, json=json)


def _clean(params: QueryParams | None) -> dict[str, str | list[str]] | None:
    """Query parameters as httpx wants them: ``None`` dropped, booleans as Jira spells them."""
    if params is None:
        return None
    out: dict[str, str | list[str]] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out
