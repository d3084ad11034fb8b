"""2LO on the DevOps APIs: tenant_info, builds and deployments bulk, by key."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox

from .conftest import DemoApp, three_legged


async def _token(client: httpx.AsyncClient, app: DemoApp) -> dict[str, str]:
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
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _build(key: str, number: int = 1, **over: Any) -> dict[str, Any]:
    build = {
        "schemaVersion": "1.0",
        "pipelineId": "ci-main",
        "buildNumber": number,
        "updateSequenceNumber": 1,
        "displayName": f"build {number}",
        "url": "https://ci.example/1",
        "state": "successful",
        "lastUpdated": "2024-01-01T00:00:00Z",
        "issueKeys": [key],
    }
    return {**build, **over}


async def test_builds_bulk_get_delete(client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp) -> None:
    cloud = (await client.get("/sites/acme/_edge/tenant_info")).json()["cloudId"]
    assert cloud == sandbox.sites["acme"].cloud_id
    auth = await _token(client, app2lo)
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    payload = {
        "builds": [
            _build(key, 1),
            _build("NOPE-999", 2),
            _build(key, 3, updateSequenceNumber=None),
            _build(key, 4, issueKeys=[f"ABC-{n}" for n in range(101)]),
        ]
    }
    r = await client.post(f"/jira/builds/0.1/cloud/{cloud}/bulk", json=payload, headers=auth)
    assert r.status_code == 202
    body = r.json()
    assert body["acceptedBuilds"] == [
        {"pipelineId": "ci-main", "buildNumber": 1},
        {"pipelineId": "ci-main", "buildNumber": 2},
    ]
    assert [rej["key"]["buildNumber"] for rej in body["rejectedBuilds"]] == [3, 4]
    assert all(rej["errors"][0]["message"] for rej in body["rejectedBuilds"])
    assert body["unknownIssueKeys"] == ["NOPE-999"]

    path = f"/jira/builds/0.1/cloud/{cloud}/pipelines/ci-main/builds/1"
    got = await client.get(path, headers=auth)
    assert got.status_code == 200
    assert got.json()["displayName"] == "build 1"
    # An older updateSequenceNumber does not overwrite a newer one.
    stale = {"builds": [_build(key, 1, updateSequenceNumber=0, displayName="stale")]}
    await client.post(f"/jira/builds/0.1/cloud/{cloud}/bulk", json=stale, headers=auth)
    assert (await client.get(path, headers=auth)).json()["displayName"] == "build 1"
    assert (await client.delete(path, headers=auth)).status_code == 202
    assert (await client.get(path, headers=auth)).status_code == 404


async def test_deployments_bulk(client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp) -> None:
    cloud = sandbox.sites["acme"].cloud_id
    auth = await _token(client, app2lo)
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    deployment = {
        "deploymentSequenceNumber": 7,
        "updateSequenceNumber": 1,
        "associations": [{"associationType": "issueKeys", "values": [key]}],
        "displayName": "deploy 7",
        "url": "https://cd.example/7",
        "description": "prod push",
        "lastUpdated": "2024-01-01T00:00:00Z",
        "state": "successful",
        "pipeline": {"id": "cd", "displayName": "CD", "url": "https://cd.example"},
        "environment": {"id": "prod", "displayName": "Production", "type": "production"},
    }
    r = await client.post(
        f"/jira/deployments/0.1/cloud/{cloud}/bulk", json={"deployments": [deployment]}, headers=auth
    )
    assert r.status_code == 202
    assert r.json()["acceptedDeployments"] == [
        {"pipelineId": "cd", "environmentId": "prod", "deploymentSequenceNumber": 7}
    ]
    path = f"/jira/deployments/0.1/cloud/{cloud}/pipelines/cd/environments/prod/deployments/7"
    assert (await client.get(path, headers=auth)).json()["displayName"] == "deploy 7"


@pytest.mark.parametrize("body", [{}, {"builds": []}, {"builds": "x"}, []])
async def test_bad_request_shape(
    client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp, body: Any
) -> None:
    auth = await _token(client, app2lo)
    r = await client.post(
        f"/jira/builds/0.1/cloud/{sandbox.sites['acme'].cloud_id}/bulk", json=body, headers=auth
    )
    assert r.status_code == 400
    assert r.json()[0]["message"]


async def test_devops_needs_the_right_token(
    client: httpx.AsyncClient, sandbox: Sandbox, app3lo: DemoApp
) -> None:
    cloud = sandbox.sites["acme"].cloud_id
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    url = f"/jira/builds/0.1/cloud/{cloud}/bulk"
    assert (await client.post(url, json={"builds": [_build(key)]})).status_code == 401
    plain = await three_legged(client, sandbox, app3lo, "read:jira-work")
    r = await client.post(
        url, json={"builds": [_build(key)]}, headers={"Authorization": f"Bearer {plain['access_token']}"}
    )
    assert r.status_code == 403
    provider = await three_legged(client, sandbox, app3lo, "manage:jira-data-provider")
    r = await client.post(
        url, json={"builds": [_build(key)]}, headers={"Authorization": f"Bearer {provider['access_token']}"}
    )
    assert r.status_code == 202


async def test_tenant_info_unknown_site(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sites/nope/_edge/tenant_info")).status_code == 404


def _deployment(
    key: str, pipeline: str, environment: str, seq: int = 1, name: str = "deploy"
) -> dict[str, Any]:
    return {
        "deploymentSequenceNumber": seq,
        "updateSequenceNumber": 1,
        "associations": [{"associationType": "issueKeys", "values": [key]}],
        "displayName": name,
        "url": "https://cd.example/1",
        "description": "push",
        "lastUpdated": "2024-01-01T00:00:00Z",
        "state": "successful",
        "pipeline": {"id": pipeline, "displayName": pipeline, "url": "https://cd.example"},
        "environment": {"id": environment, "displayName": environment, "type": "production"},
    }


async def test_a_build_whose_pipeline_id_holds_a_slash(
    client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp
) -> None:
    """Pipeline ids are free text: "team/app" is addressed as team%2Fapp, one path segment."""
    cloud = sandbox.sites["acme"].cloud_id
    auth = await _token(client, app2lo)
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    builds = [_build(key, 1, pipelineId="team/app"), _build(key, 1, pipelineId="team", displayName="other")]
    r = await client.post(f"/jira/builds/0.1/cloud/{cloud}/bulk", json={"builds": builds}, headers=auth)
    assert r.status_code == 202
    assert r.json()["acceptedBuilds"][0] == {"pipelineId": "team/app", "buildNumber": 1}

    path = f"/jira/builds/0.1/cloud/{cloud}/pipelines/team%2Fapp/builds/1"
    got = await client.get(path, headers=auth)
    assert got.status_code == 200
    assert got.json()["pipelineId"] == "team/app"
    assert got.json()["displayName"] == "build 1"
    # A bare "/" is a path separator: no such resource, as for any unknown path.
    bare = f"/jira/builds/0.1/cloud/{cloud}/pipelines/team/app/builds/1"
    assert (await client.get(bare, headers=auth)).status_code == 404
    assert (await client.delete(bare, headers=auth)).status_code == 404
    assert (await client.delete(path, headers=auth)).status_code == 202
    assert (await client.get(path, headers=auth)).status_code == 404
    # The pipeline "team" was another build all along, and is still there.
    other = await client.get(f"/jira/builds/0.1/cloud/{cloud}/pipelines/team/builds/1", headers=auth)
    assert other.json()["displayName"] == "other"


async def test_a_deployment_whose_ids_hold_slashes(
    client: httpx.AsyncClient, sandbox: Sandbox, app2lo: DemoApp
) -> None:
    cloud = sandbox.sites["acme"].cloud_id
    auth = await _token(client, app2lo)
    key = next(iter(sandbox.sites["acme"].issues.values())).key
    # ("team/app", "eu") and ("team", "app/eu") would both read "team/app/eu" if joined naively.
    deployments = [
        _deployment(key, "team/app", "eu", name="first"),
        _deployment(key, "team", "app/eu", name="second"),
    ]
    r = await client.post(
        f"/jira/deployments/0.1/cloud/{cloud}/bulk", json={"deployments": deployments}, headers=auth
    )
    assert r.status_code == 202
    assert len(r.json()["acceptedDeployments"]) == 2
    base = f"/jira/deployments/0.1/cloud/{cloud}/pipelines"
    first = f"{base}/team%2Fapp/environments/eu/deployments/1"
    second = f"{base}/team/environments/app%2Feu/deployments/1"
    assert (await client.get(first, headers=auth)).json()["displayName"] == "first"
    assert (await client.get(second, headers=auth)).json()["displayName"] == "second"
    bare = f"{base}/team/app/environments/eu/deployments/1"
    assert (await client.get(bare, headers=auth)).status_code == 404
    assert (await client.delete(first, headers=auth)).status_code == 202
    assert (await client.get(first, headers=auth)).status_code == 404
    assert (await client.get(second, headers=auth)).json()["displayName"] == "second"
