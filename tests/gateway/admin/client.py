"""A scripted admin in front of the gateway's admin UI (httpx): sign in, read CSRF tokens, post forms.

Also answers the sandbox's consent page like a person would, keeping only
some of the offered sites when asked.

Note: on SQLite, ``Broker.test`` marks the connection used in a deferred
read-then-write transaction, which fails at once with "database is locked"
when the audit writer commits between its read and its write (WAL snapshot
upgrade). Tests flush the audit buffer before calling it, so the background
writer has nothing to commit concurrently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import httpx

from jiragw.gateway.admin.sessions import issue_login_link
from jiragw.sandbox.oauth import oauth_state
from jiragw.store import Store
from tests.broker.browser import _pick_user, form_fields

__all__ = ["AdminClient", "allow_gateway_callback", "consent_to", "csrf_of"]

_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return unescape(found.group(1))


def allow_gateway_callback(sandbox: Any, callback_url: str) -> None:
    """Register the gateway's callback on every demo OAuth 2.0 app (what `jiragw serve --sandbox` does)."""
    for app in oauth_state(sandbox).apps.apps.values():
        if app.kind in ("3lo", "dc") and callback_url not in app.callback_urls:
            app.callback_urls = (*app.callback_urls, callback_url)


async def consent_to(
    upstream: httpx.AsyncClient,
    authorize_url: str,
    *,
    decision: str = "allow",
    sites: list[str] | None = None,
) -> str:
    """Answer the sandbox consent page; the URL it redirects the browser to (the gateway callback)."""
    page = await upstream.get(authorize_url)
    assert page.status_code == 200, page.text
    action, fields = form_fields(page.text)
    if sites is not None:
        fields = [(k, v) for k, v in fields if k != "site" or v in sites]
    fields.append(_pick_user(page.text, None))
    fields.append(("decision", decision))
    grouped: dict[str, list[str]] = {}
    for k, v in fields:
        grouped.setdefault(k, []).append(v)
    parts = urlsplit(authorize_url)
    answer = await upstream.post(f"{parts.scheme}://{parts.netloc}{action}", data=grouped)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


@dataclass
class AdminClient:
    """The admin's browser: an httpx client with the session cookie, and every page it saw."""

    client: httpx.AsyncClient
    store: Store
    public_url: str
    pages: list[str] = field(default_factory=list)

    async def login(self) -> httpx.Response:
        link = issue_login_link(self.store, self.public_url)
        response = await self.client.get(urlsplit(link).path)
        assert response.status_code == 303, response.text
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.get(path, **kwargs)
        self.pages.append(response.text)
        return response

    async def token(self, path: str = "/connections") -> str:
        return csrf_of((await self.get(path)).text)

    async def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: str | None = None,
        from_page: str = "/connections",
    ) -> httpx.Response:
        body = dict(data or {})
        body["csrf"] = csrf if csrf is not None else await self.token(from_page)
        response = await self.client.post(path, data=body)
        self.pages.append(response.text)
        return response

    async def follow(self, response: httpx.Response) -> httpx.Response:
        """GET where a 303 points (a page of the gateway)."""
        assert response.status_code == 303, response.text
        return await self.get(response.headers["location"])
