"""``/healthz``, ``/readyz`` (ok and failing) and ``/metrics`` on the gateway app."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jiragw.broker import revoke_connection
from jiragw.broker.broker import FORCED_RENEWAL_MIN_AGE
from jiragw.config import Settings
from jiragw.errors import ConfigError
from jiragw.gateway import ops
from jiragw.store import Store, make_engine
from tests.broker.conftest import Demo, connect_3lo
from tests.store.conftest import FakeClock

from .conftest import SANDBOX, Env

pytestmark = pytest.mark.usefixtures("backend")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


DEAD_DB = "postgresql+psycopg://jiragw:canary-pw@127.0.0.1:9/nothing"  # discard port: refused at once


async def test_healthz_answers_without_io(env: Env) -> None:
    env.gw.store = Store(make_engine(DEAD_DB), env.store.keyring)
    response = await env.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_ok(env: Env) -> None:
    response = await env.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "master_key": "ok"}}
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_names_an_unreachable_database(env: Env) -> None:
    dead = Store(make_engine(DEAD_DB), env.store.keyring)
    env.gw.store = dead
    try:
        response = await env.client.get("/readyz")
    finally:
        dead.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["master_key"] == "ok"
    assert body["checks"]["database"].startswith("failed (")
    assert "canary-pw" not in response.text  # no driver message (it may hold a URL with a password)
    assert "127.0.0.1" not in response.text


async def test_readyz_names_a_missing_master_key(env: Env) -> None:
    env.gw.store = Store(env.store.engine, None)  # type: ignore[arg-type] - a store without its keyring
    response = await env.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["master_key"]
    assert response.json()["checks"]["database"] == "ok"


async def test_readyz_times_out_a_hung_database(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(ops, "_database", lambda store: release.wait(10))
    try:
        checks = await ops.readiness(env.gw, seconds=0.05)
    finally:
        release.set()
    assert checks["database"] == "timed out after 0.05s"
    assert checks["master_key"] == "ok"


async def test_metrics_exposes_every_family_and_counts_connections(env: Env) -> None:
    await env.connect_cloud()
    await env.connect_dc()
    await env.client.post("/api/v1/connections/corp/revoke", headers={"Authorization": "Bearer x"})
    await revoke_connection(env.broker, "corp")
    response = await env.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "jiragw_requests_total",
        "jiragw_request_seconds",
        "jiragw_upstream_seconds",
        "jiragw_upstream_rate_limited_total",
        "jiragw_denials_total",
        "jiragw_token_refreshes_total",
        "jiragw_connections",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name
    values = samples(text)
    assert values[("jiragw_connections", (("status", "active"),))] == 1
    assert values[("jiragw_connections", (("status", "revoked"),))] == 1
    assert values[("jiragw_connections", (("status", "reauth_required"),))] == 0
    assert values[("jiragw_requests_total", (("door", "api"), ("method", "POST"), ("status", "401")))] == 1


async def test_refreshes_are_counted_by_outcome(env: Env, clock: FakeClock) -> None:
    conn = await connect_3lo(env.broker, Demo(SANDBOX, env.demo), name="cloud3lo")
    creds = await env.broker.credentials_for(conn.name)
    clock.advance(seconds=FORCED_RENEWAL_MIN_AGE.total_seconds() + 1)  # a token that young is not renewed
    await env.broker.credentials_for(conn.name, stale=creds)  # Jira said 401: one forced refresh
    values = samples((await env.client.get("/metrics")).text)
    assert values[("jiragw_token_refreshes_total", (("outcome", "ok"),))] == 1


def _requiring_a_key(env: Env) -> None:
    env.gw.settings = dataclasses.replace(env.gw.settings, metrics_require_key=True)


@pytest.mark.parametrize("authorization", [None, "Bearer jgw_not-a-real-key-canary", "Basic Og=="])
async def test_metrics_can_require_a_key(env: Env, authorization: str | None) -> None:
    _requiring_a_key(env)
    headers = {"Authorization": authorization} if authorization else {}
    response = await env.client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "key_invalid"
    assert "jiragw_requests" not in response.text
    assert "canary" not in response.text


async def test_metrics_requiring_a_key_refuse_a_key_without_the_admin_scope(env: Env) -> None:
    _requiring_a_key(env)
    key, _ = env.key(preset="read-only")
    response = await env.client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "jiragw_requests" not in response.text


async def test_metrics_requiring_a_key_answer_an_admin_key(env: Env) -> None:
    _requiring_a_key(env)
    key, _ = env.key(preset="admin")
    response = await env.client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert "# TYPE jiragw_requests" in response.text


async def test_metrics_are_open_by_default_and_docs_stay_public(env: Env) -> None:
    assert not env.gw.settings.metrics_require_key
    assert (await env.client.get("/metrics")).status_code == 200
    _requiring_a_key(env)
    assert (await env.client.get("/docs")).status_code == 200


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_metrics_require_key_setting(value: str, expected: bool) -> None:
    assert Settings.from_env({"JIRAGW_METRICS_REQUIRE_KEY": value}).metrics_require_key is expected


def test_metrics_require_key_setting_refuses_other_words() -> None:
    with pytest.raises(ConfigError, match="JIRAGW_METRICS_REQUIRE_KEY"):
        Settings.from_env({"JIRAGW_METRICS_REQUIRE_KEY": "maybe"})
