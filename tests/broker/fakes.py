"""Stand-ins shared by the credential session's tests and the gateway's: a connection record, fake clocks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from jiragw.store import ConnectionRecord
from jiragw.store.models import Flavor

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def record(name: str = "acme", **changes: Any) -> ConnectionRecord:
    """A Cloud connection named ``name``, created and updated at :data:`T0`, with ``changes``."""
    base = ConnectionRecord(
        id=f"conn-{name}",
        name=name,
        grant_id=f"grant-{name}",
        flavor=Flavor.CLOUD,
        site_url=f"https://{name}.atlassian.net",
        api_base_url=f"https://{name}.atlassian.net",
        site_name=name,
        cloud_id=None,
        scopes=(),
        account_id=None,
        account_email=None,
        account_name=None,
        last_used_at=None,
        last_error=None,
        last_error_at=None,
        created_at=T0,
        updated_at=T0,
    )
    return dataclasses.replace(base, **changes)


class Clocks:
    """A monotonic clock and a wall clock that move only when a test moves them."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = T0

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.wall
