"""The admin endpoint: faults, counters, clock, and the effect of faults on requests."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from jiragw.sandbox import Sandbox


def _admin(sandbox: Sandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sandbox.admin_token}"}


async def test_admin_needs_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/healthz")).json() == {"ok": True}
    r = await client.get("/_sandbox/faults")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    r = await client.get("/_sandbox/faults", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


async def test_counters_count_by_operation_and_credential(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    for _ in range(3):
        await client.get("/sites/acme/rest/api/3/myself", headers=as_user("acme", "alice"))
    await client.get("/sites/acme/rest/api/3/myself")
    r = await client.get(
        "/_sandbox/counters", params={"operation": "getCurrentUser"}, headers=_admin(sandbox)
    )
    rows = r.json()["counters"]
    assert {(row["credential"], row["status"], row["count"]) for row in rows} == {
        ("alice@example.com", 200, 3),
        ("anonymous", 401, 1),
    }
    await client.delete("/_sandbox/counters", headers=_admin(sandbox))
    assert (await client.get("/_sandbox/counters", headers=_admin(sandbox))).json()["total"] == 0


async def test_rate_limit_set_at_run_time(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    r = await client.patch("/_sandbox/faults", json={"rate_limit": 2}, headers=_admin(sandbox))
    assert r.json()["rate_limit"] == 2
    statuses = [
        (await client.get("/sites/acme/rest/api/3/myself", headers=as_user("acme", "alice"))).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    limited = await client.get("/sites/acme/rest/api/3/myself", headers=as_user("acme", "alice"))
    assert limited.headers["retry-after"] == "1"
    assert limited.headers["ratelimit-reason"] == "jira-burst-based"
    # bob has his own budget
    assert (
        await client.get("/sites/acme/rest/api/3/myself", headers=as_user("acme", "bob"))
    ).status_code == 200


async def test_bad_fault_settings_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    r = await client.patch(
        "/_sandbox/faults", json={"latency_ms": 10, "error_rate": 7}, headers=_admin(sandbox)
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_input"
    assert sandbox.faults.latency_ms == 0
    r = await client.patch("/_sandbox/faults", content=b"[1,", headers=_admin(sandbox))
    assert r.status_code == 400


async def test_injected_errors(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    await client.patch("/_sandbox/faults", json={"error_rate": 1}, headers=_admin(sandbox))
    r = await client.get("/sites/acme/rest/api/3/myself", headers=as_user("acme", "alice"))
    assert r.status_code in (500, 503)
    assert r.json()["errorMessages"]


async def test_clock_advances(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    before = sandbox.clock.now()
    r = await client.post("/_sandbox/clock", json={"advance_seconds": 86400}, headers=_admin(sandbox))
    assert r.json()["offset_seconds"] == 86400
    assert (sandbox.clock.now() - before).total_seconds() >= 86400
    r = await client.post("/_sandbox/clock", json={"advance_seconds": "soon"}, headers=_admin(sandbox))
    assert r.status_code == 400
