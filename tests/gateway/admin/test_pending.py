"""In-memory pending flows: owned by one session, expiring with the OAuth state's TTL."""

from __future__ import annotations

from jiragw.gateway.admin.pending import FLOW_TTL, Draft, Flow, PendingFlows, Picker
from jiragw.secrets import Secret


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_flows_belong_to_their_session_and_expire() -> None:
    ticks = Ticks()
    pending = PendingFlows(clock=ticks)
    pending.add_flow(Secret("state-1"), Flow("oauth2", "owner-a", client_secret=Secret("s")))
    assert pending.flow_for("state-1", "owner-b") is None
    found = pending.flow_for("state-1", "owner-a")
    assert found is not None
    assert found.client_secret == Secret("s")
    ticks.now = FLOW_TTL
    assert pending.flow_for("state-1", "owner-a") is None


def test_expired_entries_are_purged_on_insert() -> None:
    ticks = Ticks()
    pending = PendingFlows(clock=ticks)
    pending.add_flow("old", Flow("oauth2", "o"))
    ticks.now = FLOW_TTL + 1
    pending.add_flow("new", Flow("oauth2", "o"))
    assert len(pending.flows._items) == 1


def test_drafts_and_pickers() -> None:
    pending = PendingFlows()
    draft_id = pending.add_draft(Draft("o", "n", "http://dc", "ck", Secret("pem"), "pub"))
    assert pending.draft(draft_id, "other") is None
    assert pending.draft(draft_id, "o") is not None
    picker_id = pending.add_picker(Picker("o", ("a", "b"), ("A", "B")))
    assert pending.take_picker(picker_id, "other") is None
    assert pending.take_picker(picker_id, "o") is not None
    assert pending.take_picker(picker_id, "o") is None  # single use
