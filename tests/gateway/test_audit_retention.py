"""The gateway's audit pruning (jiragw.gateway.audit_retention), run by the app's lifespan."""

from __future__ import annotations

from datetime import timedelta

from jiragw.gateway.audit_retention import AuditPruner
from jiragw.store import Store

from .conftest import Env


def _append_aged(store: Store, *days: int) -> None:
    now = store.clock()
    with store.transaction() as tx:
        for age in days:
            tx.audit.append("proxy", actor="t", outcome="ok", at=now - timedelta(days=age), target=f"{age}d")


def _targets(store: Store) -> list[str]:
    with store.transaction() as tx:
        return sorted(e.target or "" for e in tx.audit.tail() if e.actor == "t")


async def test_the_gateway_prunes_past_retention_when_it_starts(env: Env) -> None:
    _append_aged(env.store, 400, 366, 30)
    pruner: AuditPruner = env.app.state.audit_pruner
    assert pruner.retention_days == env.gw.settings.audit_retention_days == 365
    async with env.app.router.lifespan_context(env.app):
        await pruner.pruned.wait()
    assert _targets(env.store) == ["30d"]


async def test_a_retention_of_zero_keeps_everything(store: Store) -> None:
    _append_aged(store, 4000)
    pruner = AuditPruner(store, 0)
    pruner.start()
    assert await pruner.prune_once() == 0
    await pruner.stop()
    assert _targets(store) == ["4000d"]


async def test_the_pruner_runs_again_after_its_interval(store: Store) -> None:
    _append_aged(store, 40)
    pruner = AuditPruner(store, 30, every=0.01)
    pruner.start()
    try:
        await pruner.pruned.wait()
        assert _targets(store) == []
        pruner.pruned.clear()
        _append_aged(store, 31)
        await pruner.pruned.wait()
        assert _targets(store) == []
        assert pruner.rounds >= 2
    finally:
        await pruner.stop()
