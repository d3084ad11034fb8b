"""The store's async face: Store.run (one transaction in a worker thread) and Store.call."""

from __future__ import annotations

import threading

import pytest

from jiragw.errors import NotFound, StoreBusy
from jiragw.store import Store, Tx


async def test_run_commits_what_the_function_wrote_and_returns_its_result(store: Store) -> None:
    event_id = await store.run(lambda tx: tx.audit.append("test.run", actor="t", outcome="ok"), write=True)
    with store.transaction() as tx:
        assert [e.id for e in tx.audit.tail()] == [event_id]


async def test_run_rolls_back_and_raises_when_the_function_raises(store: Store) -> None:
    def fails(tx: Tx) -> None:
        tx.audit.append("test.rollback", actor="t", outcome="ok")
        tx.connections.get_by_name("ghost")

    with pytest.raises(NotFound):
        await store.run(fails, write=True)
    assert await store.run(lambda tx: tx.audit.tail()) == []


async def test_run_and_call_work_off_the_event_loop_thread(store: Store) -> None:
    loop_thread = threading.get_ident()
    assert await store.run(lambda tx: threading.get_ident()) != loop_thread

    def where(given: Store, label: str, *, times: int) -> tuple[Store, str, int]:
        return given, label * times, threading.get_ident()

    called_with, text, thread = await store.call(where, "ab", times=2)
    assert called_with is store
    assert text == "abab"
    assert thread != loop_thread


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_write_run_holds_the_sqlite_write_lock_from_its_start(store: Store) -> None:
    def other_writer() -> str:
        try:
            with store.transaction(immediate=True, lock_timeout=0.05):
                return "granted"
        except StoreBusy:
            return "busy"

    # Nothing is read or written first: only BEGIN IMMEDIATE can make the other writer wait.
    assert await store.run(lambda tx: other_writer(), write=True) == "busy"
    assert await store.run(lambda tx: other_writer()) == "granted"
