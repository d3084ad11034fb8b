"""What the admin UI holds in memory between two steps of a connect flow (never in a page or URL).

- a started OAuth flow, by the SHA-256 of its ``state`` (or OAuth 1.0a
  request token): the client secret or private key the callback needs, and,
  for a re-authorization, the grant that gets the new tokens;
- an OAuth 1.0a draft: the generated key pair between "show me what to paste
  into Jira" and "authorize";
- a site picker: the connections one consent created, until the admin keeps some.

Every entry is bound to the admin session that made it and expires with the
OAuth state's 10-minute TTL. The flow itself (state, PKCE verifier, request
token) is in the store; only these short-lived secrets stay in process memory,
so a flow started on one gateway process must come back to the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from jiragw.secrets import Secret

__all__ = ["FLOW_TTL", "Draft", "Expiring", "Flow", "PendingFlows", "Picker", "state_digest"]

FLOW_TTL = 600.0
T = TypeVar("T")


def state_digest(value: Secret | str) -> str:
    text = value.reveal() if isinstance(value, Secret) else value
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Flow:
    """A started authorization whose callback has not arrived yet."""

    kind: Literal["oauth2", "oauth1"]
    owner: str  # the admin session's token hash
    client_secret: Secret | None = None
    private_key: Secret | None = None
    reauthorize_grant: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """An OAuth 1.0a application link being set up: the key pair stays here until authorize."""

    owner: str
    name: str
    dc_url: str
    consumer_key: str
    private_key: Secret
    public_key_pem: str
    allow_insecure_http: bool = False


@dataclass(frozen=True, slots=True)
class Picker:
    """The connections one consent created, waiting for the admin to keep some."""

    owner: str
    names: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass
class Expiring(Generic[T]):
    """A small map whose entries expire ``ttl`` seconds after insertion."""

    ttl: float = FLOW_TTL
    clock: Callable[[], float] = time.monotonic
    _items: dict[str, tuple[float, T]] = field(default_factory=dict)

    def put(self, key: str, value: T) -> None:
        now = self.clock()
        for stale in [k for k, (at, _) in self._items.items() if now - at >= self.ttl]:
            del self._items[stale]
        self._items[key] = (now, value)

    def get(self, key: str) -> T | None:
        hit = self._items.get(key)
        if hit is None or self.clock() - hit[0] >= self.ttl:
            self._items.pop(key, None)
            return None
        return hit[1]

    def pop(self, key: str) -> T | None:
        value = self.get(key)
        self._items.pop(key, None)
        return value


class PendingFlows:
    """The three maps, each entry owned by one admin session."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.flows: Expiring[Flow] = Expiring(clock=clock)
        self.drafts: Expiring[Draft] = Expiring(clock=clock)
        self.pickers: Expiring[Picker] = Expiring(clock=clock)

    def add_flow(self, state: Secret | str, flow: Flow) -> None:
        self.flows.put(state_digest(state), flow)

    def flow_for(self, state: Secret | str, owner: str) -> Flow | None:
        """The flow ``state`` names if ``owner`` started it (a stranger's callback sees nothing)."""
        flow = self.flows.get(state_digest(state))
        if flow is None or not hmac.compare_digest(flow.owner, owner):
            return None
        return flow

    def drop_flow(self, state: Secret | str) -> None:
        self.flows.pop(state_digest(state))

    def add_draft(self, draft: Draft) -> str:
        draft_id = secrets.token_urlsafe(16)
        self.drafts.put(draft_id, draft)
        return draft_id

    def draft(self, draft_id: str, owner: str) -> Draft | None:
        found = self.drafts.get(draft_id)
        return found if found is not None and hmac.compare_digest(found.owner, owner) else None

    def add_picker(self, picker: Picker) -> str:
        picker_id = secrets.token_urlsafe(16)
        self.pickers.put(picker_id, picker)
        return picker_id

    def take_picker(self, picker_id: str, owner: str) -> Picker | None:
        found = self.pickers.get(picker_id)
        if found is None or not hmac.compare_digest(found.owner, owner):
            return None
        self.pickers.pop(picker_id)
        return found
