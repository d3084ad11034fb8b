"""JiraClient: composition of the resources, its own HTTP client, the broker's connections, the sync twin."""

from __future__ import annotations

import base64
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jiragw.broker import Broker, Credentials, OAuth1Signer, connect_api_token, connect_client_credentials
from jiragw.config import Settings
from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.broker_credentials import BrokerCredentials
from jiragw.jira.client import JiraClient, SyncJiraClient
from jiragw.jira.resources.comments import CommentsResource
from jiragw.jira.resources.issues import IssuesResource
from jiragw.jira.resources.projects import ProjectsResource
from jiragw.jira.transport import StaticCredentials
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring
from tests.jira.resources import sandbox_client

BASE = "http://localhost"
OPTIONAL = {
    "users": "UsersResource",
    "fields": "FieldsResource",
    "filters": "FiltersResource",
    "dashboards": "DashboardsResource",
    "devops": "DevOpsResource",
}


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=3, seed=2)


@pytest.fixture
def store(tmp_path: Path, sandbox: Sandbox) -> Iterator[Store]:
    opened = Store.open(
        f"sqlite:///{tmp_path / 'jiragw.sqlite3'}",
        Keyring.create_file(tmp_path / "keys" / "keyring.json"),
        clock=sandbox.clock.now,
    )
    try:
        yield opened
    finally:
        opened.dispose()


def alice(sandbox: Sandbox) -> Any:
    user = sandbox.sites["acme"].find_user("alice")
    assert user is not None
    return user


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_resources_share_one_context(sandbox: Sandbox, where: str) -> None:
    async with sandbox_client(sandbox, where) as jira:
        assert isinstance(jira.projects, ProjectsResource)
        assert isinstance(jira.issues, IssuesResource)
        assert isinstance(jira.comments, CommentsResource)
        assert jira.projects.ctx is jira.issues.ctx is jira.comments.ctx is jira.ctx
        assert jira.ctx.api_version == ("3" if where == "acme" else "2")
        for attr, name in OPTIONAL.items():
            module = importlib.import_module(f"jiragw.jira.resources.{attr}")
            resource = getattr(jira, attr)
            assert isinstance(resource, getattr(module, name))
            assert resource.ctx is jira.ctx


async def test_from_url_without_a_client_makes_and_closes_its_own() -> None:
    creds = StaticCredentials.bearer(Secret("pat"))
    jira = JiraClient.from_url("https://jira.example.com", "dc", creds)
    async with jira:
        http = jira.ctx.transport.client
        assert not http.is_closed
        assert jira.ctx.api("/myself") == "https://jira.example.com/rest/api/2/myself"
    assert http.is_closed


async def test_a_given_client_is_left_open(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http:
        async with JiraClient.from_url(f"{BASE}/dc/corp", "dc", StaticCredentials.bearer(Secret("x")), http):
            pass
        assert not http.is_closed


async def test_from_connection_with_a_broker_stored_api_token(sandbox: Sandbox, store: Store) -> None:
    user = alice(sandbox)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http:
        broker = Broker(store, http)
        await connect_api_token(
            broker, name="acme", site_url=f"{BASE}/sites/acme", email=user.email, token=Secret(user.api_token)
        )
        async with JiraClient.from_connection("acme", broker=broker) as jira:
            assert jira.ctx.flavor == "cloud"
            assert jira.ctx.base_url == f"{BASE}/sites/acme"
            assert isinstance(jira.ctx.transport.credentials, BrokerCredentials)
            key = (await jira.projects.list())[0].key
            issue = await jira.issues.create(key, "Via the broker", description="from **the** SDK")
            reporter = (await jira.issues.get(issue.key)).reporter
            assert reporter is not None
            assert reporter.account_id == user.account_id


async def test_devops_over_a_client_credentials_connection(sandbox: Sandbox, store: Store) -> None:
    from jiragw.jira.resources.devops import Build
    from jiragw.sandbox.server import describe

    app = next(a for a in describe(sandbox, BASE)["oauth_apps"] if a["kind"] == "2lo")
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http:
        broker = Broker(store, http)
        await connect_client_credentials(
            broker,
            name="ci",
            site_url=f"{BASE}/sites/acme",
            api_url=BASE,
            client_id=app["client_id"],
            client_secret=Secret(app["client_secret"]),
        )
        async with JiraClient.from_connection("ci", broker=broker) as jira:
            # The connection's cloudId reaches the DevOps resource: no "needs the cloudId" error.
            assert jira.devops.cloud_id == sandbox.sites["acme"].cloud_id
            build = Build(
                pipeline_id="ci-main",
                build_number=7,
                display_name="main #7",
                url="https://ci.example.com/7",
                state="successful",
                issue_keys=(key,),
                update_sequence_number=1,
                last_updated=sandbox.clock.now(),
            )
            result = await jira.devops.submit_builds([build])
            assert result.ok
            assert not result.unknown_issue_keys


async def test_from_connection_without_a_broker_opens_the_store_of_the_environment(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("JIRAGW_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("JIRAGW_MASTER_KEY", key)
    monkeypatch.delenv("JIRAGW_MASTER_KEY_FILE", raising=False)
    user = alice(sandbox)
    store = Store.from_settings(Settings.from_env())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http:
        try:
            await connect_api_token(
                Broker(store, http),
                name="acme",
                site_url=f"{BASE}/sites/acme",
                email=user.email,
                token=Secret(user.api_token),
            )
        finally:
            store.dispose()
        async with JiraClient.from_connection("acme", client=http) as jira:
            assert [p.key for p in await jira.projects.list()] == ["PRJ"]
        with pytest.raises(NotFound):
            async with JiraClient.from_connection("missing", client=http):
                pass


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_export_streams_every_issue_in_jql_order(sandbox: Sandbox, where: str) -> None:
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    async with sandbox_client(sandbox, where) as jira:
        keys = [
            i["key"] async for i in jira.export("project = PRJ ORDER BY created DESC", fields=["summary"])
        ]
    expected = sorted(instance.issues.values(), key=lambda i: i.created, reverse=True)
    assert keys == [i.key for i in expected]


class FakeBroker:
    """Records what the adapter asks of the broker."""

    def __init__(self, creds: list[Credentials]) -> None:
        self.creds = creds
        self.calls: list[tuple[str, Credentials | None]] = []

    async def credentials_for(self, ref: str, *, stale: Credentials | None = None) -> Credentials:
        self.calls.append((ref, stale))
        return self.creds[min(len(self.calls), len(self.creds)) - 1]


def creds(token: str | None, signer: OAuth1Signer | None = None) -> Credentials:
    return Credentials(
        connection=None,  # type: ignore[arg-type]  # the adapter never reads it
        method=None,  # type: ignore[arg-type]
        grant_version=1,
        authorization=None if token is None else Secret(f"Bearer {token}"),
        signer=signer,
    )


async def test_broker_credentials_hand_the_refused_credential_back_on_a_forced_refresh() -> None:
    first, second = creds("old"), creds("new")
    broker = FakeBroker([first, second])
    provider = BrokerCredentials(broker, "acme")  # type: ignore[arg-type]
    assert await provider.headers() == {"Authorization": "Bearer old"}
    assert await provider.headers(force_refresh=True) == {"Authorization": "Bearer new"}
    assert broker.calls == [("acme", None), ("acme", first)]
    assert "old" not in repr(provider)


async def test_a_401_makes_the_broker_renew_the_refused_credential(sandbox: Sandbox) -> None:
    pat = sandbox.dcs["corp"].find_user("alice")
    assert pat is not None
    broker = FakeBroker([creds("revoked-token"), creds(pat.pat)])
    provider = BrokerCredentials(broker, "corp")  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as http,
        JiraClient.from_url(f"{BASE}/dc/corp", "dc", provider, http) as jira,
    ):
        assert [p.key for p in await jira.projects.list()]
    assert [stale for _, stale in broker.calls] == [None, broker.creds[0]]


async def test_oauth1_connections_are_refused_by_the_header_adapter() -> None:
    signer = OAuth1Signer("consumer", Secret("key"), Secret("token"))
    provider = BrokerCredentials(FakeBroker([creds(None, signer)]), "corp")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await provider.headers()


def test_sync_client_runs_every_call_on_its_own_loop(sandbox: Sandbox) -> None:
    user = alice(sandbox)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox)))
    creds_ = StaticCredentials.basic(user.email, Secret(user.api_token))
    with SyncJiraClient.from_url(f"{BASE}/sites/acme", "cloud", creds_, http) as jira:
        key = jira.projects.list()[0].key
        issue = jira.issues.create(key, "Sync", description="plain")
        jira.comments.add(issue.key, "from a *script*")
        assert [c.body for c in jira.comments.list(issue.key)] == ["from a *script*"]
        assert [c.body for c in jira.comments.iterate(issue.key)] == ["from a *script*"]
        assert jira.ctx.flavor == "cloud"
        assert jira.users is None or jira.users.ctx.flavor == "cloud"
        exported = jira.export(f"project = {key} ORDER BY key", fields=["summary"])
        assert issue.key in [i["key"] for i in exported]
        jira._run(http.aclose())
