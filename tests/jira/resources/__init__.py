"""Resource tests: each runs against the sandbox in-process, on Cloud (REST v3) and Data Center (v2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from jiragw.jira.client import JiraClient
from jiragw.jira.transport import StaticCredentials
from jiragw.sandbox import Sandbox, create_app
from jiragw.secrets import Secret

WHERE = ["acme", "corp"]  # the Cloud site and the DC instance of build_sandbox()


def user_ref(sandbox: Sandbox, where: str, name: str) -> str:
    """How the REST API names user ``name`` there: accountId on Cloud, username on DC."""
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    user = instance.find_user(name)
    assert user is not None
    return user.account_id if where in sandbox.sites else user.username


@asynccontextmanager
async def sandbox_client(sandbox: Sandbox, where: str, user: str = "alice") -> AsyncIterator[JiraClient]:
    cloud = where in sandbox.sites
    instance = sandbox.sites[where] if cloud else sandbox.dcs[where]
    found = instance.find_user(user)
    assert found is not None
    creds = (
        StaticCredentials.basic(found.email, Secret(found.api_token))
        if cloud
        else StaticCredentials.bearer(Secret(found.pat))
    )
    base = f"http://sandbox.test/sites/{where}" if cloud else f"http://sandbox.test/dc/{where}"
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http,
        JiraClient.from_url(base, "cloud" if cloud else "dc", creds, http) as jira,
    ):
        yield jira
