"""DevOpsResource against the sandbox's gateway with a client-credentials (2LO) token; payload rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from jiragw.errors import InvalidInput, NotFound
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.devops import (
    MAX_ISSUE_KEYS,
    Build,
    Deployment,
    DevOpsResource,
    SubmitResult,
    sequence_number,
)
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.oauth import oauth_state
from jiragw.secrets import Secret
from tests.sandbox.oauth.conftest import demo_app

API = "http://sandbox.test"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Sandbox:
    return build_sandbox(projects=1, issues=5, seed=9)


@pytest.fixture
def known_key(sandbox: Sandbox) -> str:
    return sorted(i.key for i in sandbox.sites["acme"].issues.values())[0]


@pytest.fixture
async def devops(sandbox: Sandbox) -> AsyncIterator[DevOpsResource]:
    app = demo_app(sandbox, "2lo")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(sandbox)), base_url=API
    ) as client:
        r = await client.post(
            "/oauth/token",
            json={
                "audience": "api.atlassian.com",
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            },
        )
        assert r.status_code == 200
        creds = StaticCredentials.bearer(Secret(r.json()["access_token"]))
        ctx = ApiContext(Transport(client, creds), API, "cloud")
        yield DevOpsResource(ctx, cloud_id=sandbox.sites["acme"].cloud_id)


def build(key: str, number: int = 1, **over: object) -> Build:
    base = Build(
        pipeline_id="ci-main",
        build_number=number,
        display_name=f"build {number}",
        url="https://ci.example/builds/1",
        state="successful",
        issue_keys=[key],
        update_sequence_number=1,
        last_updated=WHEN,
    )
    return replace(base, **over)  # type: ignore[arg-type]


def deployment(key: str, seq: int = 1, **over: object) -> Deployment:
    base = Deployment(
        pipeline_id="deploy",
        environment_id="prod-eu",
        deployment_sequence_number=seq,
        display_name=f"deploy {seq}",
        url="https://ci.example/deploy/1",
        state="successful",
        issue_keys=[key],
        update_sequence_number=1,
        last_updated=WHEN,
        environment_type="production",
    )
    return replace(base, **over)  # type: ignore[arg-type]


async def test_builds_submit_get_delete(devops: DevOpsResource, known_key: str) -> None:
    result = await devops.submit_builds([build(known_key, 1), build("NOPE-404", 2, issue_keys=["NOPE-404"])])
    assert result.ok
    assert result.accepted == (
        {"pipelineId": "ci-main", "buildNumber": 1},
        {"pipelineId": "ci-main", "buildNumber": 2},
    )
    assert result.unknown_issue_keys == ("NOPE-404",)
    stored = await devops.get_build("ci-main", 1)
    assert stored["displayName"] == "build 1"
    assert stored["lastUpdated"] == "2026-01-02T03:04:05Z"
    assert stored["schemaVersion"] == "1.0"
    # Jira keeps the newest update: a smaller updateSequenceNumber does not overwrite.
    await devops.submit_builds([build(known_key, 1, display_name="stale", update_sequence_number=0)])
    assert (await devops.get_build("ci-main", 1))["displayName"] == "build 1"
    await devops.submit_builds([build(known_key, 1, display_name="newer", update_sequence_number=2)])
    assert (await devops.get_build("ci-main", 1))["displayName"] == "newer"
    await devops.delete_build("ci-main", 1)
    with pytest.raises(NotFound):
        await devops.get_build("ci-main", 1)


async def test_deployments_submit_get_delete(devops: DevOpsResource, known_key: str) -> None:
    result = await devops.submit_deployments([deployment(known_key, 7)], properties={"repo": "acme/app"})
    assert result.ok
    assert result.accepted == (
        {"pipelineId": "deploy", "environmentId": "prod-eu", "deploymentSequenceNumber": 7},
    )
    assert result.unknown_issue_keys == ()
    stored = await devops.get_deployment("deploy", "prod-eu", 7)
    assert stored["environment"] == {"id": "prod-eu", "displayName": "prod-eu", "type": "production"}
    assert stored["associations"] == [{"associationType": "issueIdOrKeys", "values": [known_key]}]
    assert stored["description"] == "deploy 7"
    await devops.delete_deployment("deploy", "prod-eu", 7)
    with pytest.raises(NotFound):
        await devops.get_deployment("deploy", "prod-eu", 7)


async def test_ids_holding_slashes_are_one_path_segment(
    devops: DevOpsResource, sandbox: Sandbox, known_key: str
) -> None:
    """Pipeline and environment ids are free text; "/" inside them travels as %2F."""
    await devops.submit_builds([build(known_key, 4, pipeline_id="team/app")])
    assert devops._build_url("team/app", 4).endswith("/pipelines/team%2Fapp/builds/4")
    assert (await devops.get_build("team/app", 4))["pipelineId"] == "team/app"
    with pytest.raises(NotFound):
        await devops.get_build("team", 4)
    await devops.delete_build("team/app", 4)
    with pytest.raises(NotFound):
        await devops.get_build("team/app", 4)

    await devops.submit_deployments(
        [deployment(known_key, 2, pipeline_id="team/app", environment_id="eu/west")]
    )
    stored = await devops.get_deployment("team/app", "eu/west", 2)
    assert (stored["pipeline"]["id"], stored["environment"]["id"]) == ("team/app", "eu/west")
    await devops.delete_deployment("team/app", "eu/west", 2)
    with pytest.raises(NotFound):
        await devops.get_deployment("team/app", "eu/west", 2)
    assert not oauth_state(sandbox).devops


async def test_rejections_from_jira_are_reported(devops: DevOpsResource, known_key: str) -> None:
    # Bypass the client-side checks to see Jira's own rejection come back as a Rejection.
    body = build(known_key, 3).to_json()
    del body["updateSequenceNumber"]
    answer = await devops.ctx.transport.request_json(
        "POST", devops._url("builds", "/bulk"), json={"builds": [body]}
    )
    result = SubmitResult.from_json("builds", answer)
    assert not result.ok
    assert result.rejected[0].key == {"pipelineId": "ci-main", "buildNumber": 3}
    assert "updateSequenceNumber" in result.rejected[0].errors[0]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"issue_keys": []}, "at least one issue key"),
        ({"issue_keys": [f"ABC-{n}" for n in range(1, MAX_ISSUE_KEYS + 2)]}, "at most 100"),
        ({"issue_keys": ["abc 12"]}, "not issue keys: abc 12"),
        ({"state": "green"}, "state must be one of"),
        ({"update_sequence_number": -1}, "updateSequenceNumber must be"),
        ({"build_number": True}, "buildNumber must be"),
        ({"display_name": " "}, "displayName is required"),
        ({"pipeline_id": "x" * 256}, "pipelineId is longer than 255"),
        ({"url": "ftp://ci"}, "url must be an http(s) URL"),
        ({"last_updated": datetime(2026, 1, 1)}, "lastUpdated must carry a time zone"),
    ],
)
async def test_build_rules_are_checked_before_any_call(
    devops: DevOpsResource, sandbox: Sandbox, change: dict[str, object], complaint: str
) -> None:
    sandbox.counters.clear()
    with pytest.raises(InvalidInput) as caught:
        await devops.submit_builds([build("ABC-1", **change)])
    assert complaint in caught.value.message
    assert caught.value.details["key"]["pipelineId"]
    assert not sandbox.counters


def test_exactly_100_keys_and_duplicates_are_fine() -> None:
    keys = [f"ABC-{n}" for n in range(1, MAX_ISSUE_KEYS + 1)]
    assert len(build("ABC-1", issue_keys=keys + keys[:10]).to_json()["issueKeys"]) == MAX_ISSUE_KEYS


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"environment_type": "prod"}, "environment.type must be one of"),
        ({"state": "rolling"}, "state must be one of"),
        ({"environment_id": ""}, "environment.id is required"),
        ({"pipeline_url": "not a url"}, "pipeline.url must be"),
    ],
)
def test_deployment_rules(change: dict[str, object], complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        deployment("ABC-1", **change).to_json()


async def test_properties_and_empty_submissions(devops: DevOpsResource) -> None:
    with pytest.raises(InvalidInput, match="at most 5 properties"):
        await devops.submit_builds([build("ABC-1")], properties={str(n): "v" for n in range(6)})
    with pytest.raises(InvalidInput, match="must be non-empty"):
        await devops.submit_builds([build("ABC-1")], properties={"_hidden": "v"})
    with pytest.raises(InvalidInput, match="nothing to submit"):
        await devops.submit_deployments([])


async def test_cloud_id_from_an_ex_jira_base_and_required_otherwise() -> None:
    async with httpx.AsyncClient() as client:
        transport = Transport(client, StaticCredentials.bearer(Secret("t")))
        found = DevOpsResource(ApiContext(transport, "https://api.example/ex/jira/abc-123", "cloud"))
        assert (found.api_url, found.cloud_id) == ("https://api.example", "abc-123")
        assert (
            found._build_url("a b", 2)
            == "https://api.example/jira/builds/0.1/cloud/abc-123/pipelines/a%20b/builds/2"
        )
        with pytest.raises(InvalidInput, match="cloudId"):
            DevOpsResource(ApiContext(transport, "https://api.example", "cloud"))._url("builds", "/bulk")


def test_sequence_number_is_epoch_milliseconds() -> None:
    assert sequence_number(WHEN) == 1767323045000


async def test_extra_fields_travel_but_cannot_override_the_checked_ones(
    devops: DevOpsResource, known_key: str
) -> None:
    tests = {"totalNumber": 3, "numberPassed": 2, "numberFailed": 1}
    assert (await devops.submit_builds([build(known_key, 8, extra={"testInfo": tests})])).ok
    assert (await devops.get_build("ci-main", 8))["testInfo"] == tests
    with pytest.raises(InvalidInput, match="extra fields may not set issueKeys, state"):
        build(known_key, extra={"state": "x", "issueKeys": ["A-1"]}).to_json()
    with pytest.raises(InvalidInput, match="extra fields may not set associations"):
        deployment(known_key, extra={"associations": []}).to_json()
