"""The sandbox on a real socket: readiness, and dropped connections as clients see them."""

from __future__ import annotations

import httpx
import pytest

from jiragw.sandbox import build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe

pytestmark = pytest.mark.live


def test_background_server_and_dropped_connection() -> None:
    sandbox = build_sandbox(projects=1, issues=5, seed=1)
    with BackgroundServer(sandbox).running() as url:
        info = describe(sandbox, url)
        alice = next(u for u in info["users"] if u["name"] == "alice")
        auth = (alice["email"], alice["api_token"])
        with httpx.Client(base_url=info["sites"]["acme"]["url"], auth=auth) as http:
            assert http.get("/rest/api/3/myself").status_code == 200
            sandbox.faults.update({"drop_rate": 1})
            with pytest.raises(httpx.RemoteProtocolError):
                http.get("/rest/api/3/myself")
            sandbox.faults.update({"drop_rate": 0})
            assert http.get("/rest/api/3/myself").status_code == 200
