"""The credential broker: connections' credentials, kept alive by a single-flight refresh.

The client side of every auth method and its refresh, over the sans-IO core
of :mod:`jiragw.auth` and the store:

- :meth:`Broker.credentials_for` answers what to put on a request for a
  connection, renewing an OAuth 2.0 access token
  :data:`~jiragw.broker.session.EXPIRY_MARGIN` before it expires (client
  credentials: before ``expires_in`` runs out, RFC 6749 §4.4.3).
- A refresh is single-flight per *grant* across tasks, threads and processes:
  the in-process locks of :mod:`jiragw.broker.locks`, then the database lock of
  :meth:`jiragw.store.Store.lock_grant` (``BEGIN IMMEDIATE`` / ``SELECT ... FOR
  UPDATE``) held by one worker thread for the whole token call, the grant
  re-read under it (another process may have refreshed already: its tokens are
  used, no token call). The rotated refresh token is committed (RFC 6749 §6,
  OAuth 2.0 Security BCP §4.14.2) before the new access token is handed out.
- ``invalid_grant`` is terminal: one token call, then ``reauth_required``.
  5xx and network errors: bounded jittered retries (:mod:`jiragw.broker.retry`),
  then a cooldown during which no token call is made.
- :meth:`Broker.request` sends a Jira call through the broker's
  :class:`~jiragw.broker.session.CredentialSession` (:attr:`Broker.session`,
  shared with the SDK and the gateway): cached credentials, and on a 401 that
  renewing can cure at most one forced refresh and one retry.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from jiragw.auth import client_credentials, dc_oauth2, oauth2_3lo
from jiragw.auth.http import HttpRequest
from jiragw.auth.static import Identity, parse_myself
from jiragw.auth.tokens import TokenSet, parse_token_response
from jiragw.broker.credentials import REFRESHABLE, Credentials, OAuth1Signer
from jiragw.broker.locks import GrantLocks
from jiragw.broker.retry import DEFAULT_POLICY, RetryPolicy
from jiragw.broker.session import EXPIRY_MARGIN, CredentialSession
from jiragw.broker.status import ensure_usable
from jiragw.broker.transport import send
from jiragw.errors import (
    AuthError,
    InvalidInput,
    JiragwError,
    ReauthRequired,
    StoreBusy,
    TokenEndpointUnavailable,
    UpstreamUnavailable,
)
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, Flavor, GrantMethod, GrantRecord, GrantStatus, Store, Tx

__all__ = ["DEFAULT_LOCK_TIMEOUT", "Broker"]

T = TypeVar("T")
log = logging.getLogger("jiragw.broker")
DEFAULT_LOCK_TIMEOUT = 30.0
# A token Jira refuses this soon after it was issued is not refused for its age (an OAuth scope
# the grant lacks, an app revoked): renewing would not help, and would rotate the refresh token
# on every such call. Past this age, a 401 earns one forced renewal.
FORCED_RENEWAL_MIN_AGE = timedelta(seconds=60)


class Broker:
    """Credential lifecycle over one :class:`Store` and one injected ``httpx.AsyncClient``.

    ``after_token_response`` is a fault-injection seam for crash tests: it runs
    after a token endpoint answered and before the new tokens are committed.
    ``on_refresh`` (settable after construction) hears the outcome of every
    refresh that reached for the token endpoint: ``"ok"``, ``"reauth_required"``
    or ``"error"``; it runs in a worker thread (the gateway counts them).
    :attr:`session` is the credential session every door of this broker shares
    (the gateway puts one on its own clocks in its place).
    """

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        retry: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        actor: str = "broker",
        after_token_response: Callable[[], None] | None = None,
        on_refresh: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.lock_timeout = lock_timeout
        self.retry = retry
        self.actor = actor
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._locks = GrantLocks()
        self._after_token_response = after_token_response
        self.on_refresh = on_refresh
        self.session = CredentialSession(self, now=self.now)

    # -- plumbing ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.store.clock()

    async def db(self, fn: Callable[[Tx], T], *, write: bool = False) -> T:
        """Run ``fn`` in one transaction in a worker thread: :meth:`jiragw.store.Store.run` on the store."""
        return await self.store.run(fn, write=write)

    async def connection(self, ref: ConnectionRecord | str) -> ConnectionRecord:
        """The connection named ``ref`` (re-read when a record is given)."""
        name = ref.name if isinstance(ref, ConnectionRecord) else ref
        return await self.db(lambda tx: tx.connections.get_by_name(name))

    def refreshing(self, grant_id: str) -> bool:
        """Whether this process is refreshing ``grant_id`` right now (the ``refreshing`` status)."""
        return self._locks.refreshing(grant_id)

    # -- credentials ------------------------------------------------------------------------

    async def credentials_for(
        self, ref: ConnectionRecord | str, *, stale: Credentials | None = None
    ) -> Credentials:
        """What to put on a request for the connection, refreshing when due.

        ``stale`` is a credential Jira just answered 401 to: its access token is
        renewed once (unless another task already did), whatever its expiry says,
        unless it was issued less than :data:`FORCED_RENEWAL_MIN_AGE` ago (then
        the same credential comes back and the 401 stands).
        """
        name = ref.name if isinstance(ref, ConnectionRecord) else ref
        # Addresses checked against their seals (connection here, grant in grants.get) before
        # any secret is opened: a URL changed in the database fails closed.
        conn = await self.db(lambda tx: tx.connections.get_verified(name))
        grant = await self.db(lambda tx: tx.grants.get(conn.grant_id))
        ensure_usable(grant)
        if grant.method in REFRESHABLE:
            stale_access = stale.access_token if stale is not None else None
            if self._must_refresh(grant, self.now(), stale_access):
                grant = await self.refresh(grant.id, stale_access=stale_access)
            assert grant.access_token is not None
            return Credentials(
                conn,
                grant.method,
                grant.version,
                authorization=Secret("Bearer " + grant.access_token.reveal()),
                access_token=grant.access_token,
                expires_at=grant.access_expires_at,
            )
        return _static_credentials(conn, grant, self.now())

    def _must_refresh(self, grant: GrantRecord, now: datetime, stale_access: Secret | None) -> bool:
        if grant.access_token is None:
            return True
        if stale_access is not None:
            issued = grant.refreshed_at or grant.created_at
            young = issued is not None and now - issued < FORCED_RENEWAL_MIN_AGE
            return grant.access_token == stale_access and not young
        if grant.method is GrantMethod.CLIENT_CREDENTIALS:
            return grant.access_expires_at is not None and not (now + EXPIRY_MARGIN < grant.access_expires_at)
        if grant.method is GrantMethod.OAUTH2_3LO:
            decision = oauth2_3lo.refresh_decision(
                grant.access_expires_at, now, grant.refresh_family_started_at or now, margin=EXPIRY_MARGIN
            )
            return decision.action is not oauth2_3lo.RefreshAction.NOT_YET
        return grant.access_expires_at is not None and now >= grant.access_expires_at - EXPIRY_MARGIN

    async def refresh(self, grant_id: str, *, stale_access: Secret | None = None) -> GrantRecord:
        """Renew the grant's access token unless someone else already did; single-flight."""
        loop = asyncio.get_running_loop()
        async with self._locks.task_lock(grant_id):
            # Tasks queued behind a refresh find it done here, without touching the database lock.
            grant = await self.db(lambda tx: tx.grants.get(grant_id))
            ensure_usable(grant)
            if not self._must_refresh(grant, self.now(), stale_access):
                return grant
            self._locks.enter(grant_id)
            try:
                return await loop.run_in_executor(None, self._refresh_locked, grant_id, stale_access, loop)
            finally:
                self._locks.leave(grant_id)

    def _refresh_locked(
        self, grant_id: str, stale_access: Secret | None, loop: asyncio.AbstractEventLoop
    ) -> GrantRecord:
        """In a worker thread: take the thread lock, then the database lock, then maybe call."""
        thread_lock = self._locks.thread_lock(grant_id)
        if not thread_lock.acquire(timeout=self.lock_timeout):
            raise StoreBusy("another thread has been refreshing this grant for too long")
        outcome: str | None = None  # None until a token call is attempted
        try:
            failure: JiragwError | None = None
            with self.store.lock_grant(grant_id, lock_timeout=self.lock_timeout) as (tx, grant):
                ensure_usable(grant)
                now = self.now()
                if not self._must_refresh(grant, now, stale_access):
                    return grant  # another process refreshed while we waited: use its tokens
                if grant.cooldown_until is not None and now < grant.cooldown_until:
                    raise TokenEndpointUnavailable(
                        "the token endpoint failed repeatedly; cooling down before the next attempt",
                        details={"cooldown_until": grant.cooldown_until.isoformat()},
                    )
                outcome = "error"
                try:
                    tokens = (
                        self._dead_family(grant, now)
                        or asyncio.run_coroutine_threadsafe(self._token_call(grant), loop).result()
                    )
                except ReauthRequired as exc:
                    tx.grants.set_status(grant_id, GrantStatus.REAUTH_REQUIRED, reason=exc.message)
                    self._audit(tx, grant_id, "reauth_required", exc.code)
                    outcome = "reauth_required"
                    failure = exc
                except (TokenEndpointUnavailable, UpstreamUnavailable) as exc:
                    tx.grants.set_cooldown(grant_id, self.now() + self.retry.cooldown)
                    self._audit(tx, grant_id, "cooldown", exc.code)
                    failure = exc
                else:
                    if self._after_token_response is not None:
                        self._after_token_response()
                    grant = tx.grants.store_tokens(
                        grant_id,
                        access_token=tokens.access_token,
                        expires_at=tokens.expires_at,
                        refresh_token=tokens.refresh_token,
                        scopes=tokens.scopes or None,
                        expected_version=grant.version,
                    )
                    self._audit(tx, grant_id, "ok", None)
            if failure is not None:
                raise failure
            if outcome is not None:
                outcome = "ok"  # only now: the new tokens are committed
            log.info("refreshed grant %s", grant_id)
            return grant
        finally:
            thread_lock.release()
            if outcome is not None and self.on_refresh is not None:
                self.on_refresh(outcome)

    def _dead_family(self, grant: GrantRecord, now: datetime) -> TokenSet | None:
        """No call at all when the refresh-token family is past Atlassian's absolute lifetime."""
        if grant.method is GrantMethod.OAUTH2_3LO and grant.refresh_family_started_at is not None:
            decision = oauth2_3lo.refresh_decision(
                grant.access_expires_at, now, grant.refresh_family_started_at
            )
            if decision.action is oauth2_3lo.RefreshAction.REAUTH:
                raise ReauthRequired("the refresh token reached its 365-day absolute lifetime")
            if decision.warn_lifetime:
                log.warning(
                    "grant %s: its refresh token reaches Atlassian's 365-day limit at %s; "
                    "re-authorize the connection before then",
                    grant.id,
                    decision.family_expires_at.isoformat(timespec="minutes"),
                )
        return None

    def _token_request(self, grant: GrantRecord) -> HttpRequest:
        secret = grant.client_secret or Secret("")
        client_id = grant.client_id or ""
        if grant.method is GrantMethod.CLIENT_CREDENTIALS:
            return client_credentials.token_request(
                grant.api_url or "", client_id=client_id, client_secret=secret
            )
        if grant.refresh_token is None:
            raise ReauthRequired("the grant holds no refresh token (was offline_access granted?)")
        if grant.method is GrantMethod.OAUTH2_3LO:
            return oauth2_3lo.refresh_request(
                grant.auth_url or "",
                client_id=client_id,
                client_secret=secret,
                refresh_token=grant.refresh_token,
            )
        return dc_oauth2.refresh_request(
            grant.auth_url or "", client_id=client_id, client_secret=secret, refresh_token=grant.refresh_token
        )

    async def _token_call(self, grant: GrantRecord) -> TokenSet:
        """One logical token call: retried on 5xx/network only, never on an OAuth error."""
        request = self._token_request(grant)
        delays = self.retry.delays(self._rng)
        for attempt in range(self.retry.attempts):
            try:
                reply = await send(self.client, request, token_endpoint=True)
                return parse_token_response(
                    reply.status,
                    reply.headers,
                    reply.body,
                    now=self.now(),
                    previous_refresh_token=grant.refresh_token,
                )
            except TokenEndpointUnavailable:
                if attempt == len(delays):
                    raise
                await self._sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    def _audit(self, tx: Tx, grant_id: str, outcome: str, code: str | None) -> None:
        tx.audit.append(
            "grant.refresh",
            actor=self.actor,
            outcome=outcome,
            grant_id=grant_id,
            detail={"code": code} if code else None,
        )

    # -- Jira calls -------------------------------------------------------------------------

    async def request(
        self,
        ref: ConnectionRecord | str,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Call ``path`` under the connection's API base, through :attr:`session`: cached
        credentials, and one forced refresh and retry on a 401 that renewing can cure.

        The host always comes from the connection: ``path`` is a path, never a URL.
        """
        creds = await self.session.credentials(ref)
        url = creds.base_url + _checked_path(path)
        auth = self.session.auth(creds, url)
        try:
            return await self.client.request(method, url, headers=headers, content=content, auth=auth)
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"Jira could not be reached ({type(exc).__name__})") from exc

    async def test(self, ref: ConnectionRecord | str) -> Identity:
        """Check the connection works: ``myself`` (client credentials: a token from the endpoint)."""
        conn = await self.connection(ref)
        try:
            grant = await self.db(lambda tx: tx.grants.get(conn.grant_id))
            if grant.method is GrantMethod.CLIENT_CREDENTIALS:
                await self.credentials_for(conn)
                identity = Identity(display_name=f"OAuth app {grant.client_id}", name=grant.client_id)
            else:
                version = "3" if conn.flavor is Flavor.CLOUD else "2"
                response = await self.request(conn, "GET", f"/rest/api/{version}/myself")
                identity = parse_myself(response.status_code, dict(response.headers), response.content)
        except JiragwError as exc:
            message = f"{exc.code}: {exc.message}"
            await self.db(lambda tx: tx.connections.record_error(conn.id, message), write=True)
            raise
        await self.db(lambda tx: tx.connections.mark_used(conn.id), write=True)
        return identity


def _static_credentials(conn: ConnectionRecord, grant: GrantRecord, now: datetime) -> Credentials:
    from jiragw.auth import static

    if grant.method is GrantMethod.OAUTH1:
        if grant.access_token is None or grant.oauth1_private_key is None:
            raise ReauthRequired("the OAuth 1.0a grant holds no access token")
        signer = OAuth1Signer(grant.client_id or "", grant.oauth1_private_key, grant.access_token)
        return Credentials(conn, grant.method, grant.version, signer=signer, access_token=grant.access_token)
    if grant.static_secret is None:
        raise AuthError("the grant holds no secret")
    if grant.method is GrantMethod.PAT:
        auth = static.personal_access_token(grant.static_secret, expires_at=grant.access_expires_at)
        if auth.expired(now):
            raise ReauthRequired("the personal access token has expired; create a new one in Jira")
        # Its expiry bounds how long a cached copy is used (then this check runs again).
        expires_at = grant.access_expires_at
        return Credentials(
            conn, grant.method, grant.version, authorization=auth.authorization, expires_at=expires_at
        )
    elif grant.method is GrantMethod.API_TOKEN:
        auth = static.api_token(grant.login or "", grant.static_secret)
    else:
        auth = static.basic_password(grant.login or "", grant.static_secret)
    return Credentials(conn, grant.method, grant.version, authorization=auth.authorization)


def _checked_path(path: str) -> str:
    """A path that stays under the API base after full decoding (no scheme, host or dot segments)."""
    if not path.startswith("/") or path.startswith("//"):
        raise InvalidInput("a request path must start with a single '/'")
    decoded = path
    for _ in range(3):  # decode repeatedly: %252e%252e is '..' twice removed
        decoded = unquote(decoded)
    segments = urlsplit(decoded).path.split("/")
    if any(s in {"..", "."} for s in segments) or "\\" in decoded or urlsplit(path).netloc:
        raise InvalidInput("a request path may not contain dot segments or backslashes")
    return path
