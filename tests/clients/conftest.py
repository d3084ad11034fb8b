"""A live sandbox on a loopback port for the real third-party clients (they use requests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox.server import BackgroundServer
from jiragw.sandbox.state.model import User

# Two projects and 1,300 issues per instance: PRJ holds 650, enough for several
# pages at the 100-per-page cap and the ">= 500 issues" client pagination test.
PROJECTS = 2
ISSUES = 1300


@dataclass
class Live:
    sandbox: Sandbox
    base_url: str

    def site_url(self, name: str = "acme") -> str:
        return f"{self.base_url}/sites/{name}"

    def dc_url(self, name: str = "corp") -> str:
        return f"{self.base_url}/dc/{name}"

    def user(self, key: str) -> User:
        user = self.sandbox.sites["acme"].find_user(key)
        assert user is not None
        return user


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    sandbox = build_sandbox(projects=PROJECTS, issues=ISSUES, seed=11)
    server = BackgroundServer(sandbox)
    with server.running() as url:
        yield Live(sandbox, url)
