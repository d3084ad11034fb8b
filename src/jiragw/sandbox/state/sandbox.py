"""The whole sandbox's state: its instances, clock, faults and counters.

One :class:`Sandbox` object backs one ASGI app (:func:`jiragw.sandbox.app.create_app`).
Everything mutable lives here so that tests can build one, poke it, and
inspect it without a network.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import Clock
from .faults import Faults
from .model import Instance

if TYPE_CHECKING:
    from ..oauth.state import OAuthState

__all__ = ["RequestKey", "Sandbox"]


@dataclass(frozen=True, slots=True)
class RequestKey:
    """What a request counter is keyed by: no secrets, only labels."""

    instance: str  # "sites/acme", "dc/corp", "auth", "admin"
    operation: str  # spec operationId or a route label
    method: str
    credential: str  # "alice@example.com", "pat:bob", "anonymous"
    status: int


@dataclass
class Sandbox:
    """All emulated instances plus the knobs that change their behaviour."""

    sites: dict[str, Instance] = field(default_factory=dict)
    dcs: dict[str, Instance] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    faults: Faults = field(default_factory=Faults)
    counters: Counter[RequestKey] = field(default_factory=Counter)
    admin_token: str = field(default_factory=lambda: "sbx_" + secrets.token_urlsafe(24))
    seed: int = 0
    # What the demo credentials derive from (see :mod:`jiragw.sandbox.seeding`); empty: ``str(seed)``.
    credential_seed: str = ""
    # What the emulated OAuth servers remember (clients, tokens, consents): made on
    # first use by :func:`jiragw.sandbox.oauth.oauth_state`, never saved.
    oauth: OAuthState | None = None

    def __post_init__(self) -> None:
        if not self.credential_seed:
            self.credential_seed = str(self.seed)

    def instance(self, kind: str, name: str) -> Instance | None:
        return (self.sites if kind == "cloud" else self.dcs).get(name)

    def site_by_cloud_id(self, cloud_id: str) -> Instance | None:
        for inst in self.sites.values():
            if inst.cloud_id == cloud_id:
                return inst
        return None

    def all_instances(self) -> list[Instance]:
        return [*self.sites.values(), *self.dcs.values()]

    def count(self, key: RequestKey) -> None:
        self.counters[key] += 1

    def counters_json(self) -> list[dict[str, Any]]:
        return [
            {
                "instance": k.instance,
                "operation": k.operation,
                "method": k.method,
                "credential": k.credential,
                "status": k.status,
                "count": n,
            }
            for k, n in sorted(self.counters.items(), key=lambda kv: (kv[0].instance, kv[0].operation))
        ]
