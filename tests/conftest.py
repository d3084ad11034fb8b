"""Shared fixtures: a small seeded sandbox served in-process, and the spec files.

Tests that need ``../shared`` skip with a reason when it is absent, unless
``JIRAGW_STRICT=1`` (set by ``.ci/run``), which turns that skip into a failure.

Hypothesis runs under the ``ci`` profile when ``CI`` is set or ``JIRAGW_STRICT=1``:
derandomized (each property draws the same examples on every run, so CI passes
or fails the same way twice), no example database, no timing deadline, and a
failure prints the blob that replays it. Local runs keep Hypothesis's default
profile, which draws new examples each time and so keeps looking for bugs; a
counterexample it finds is pinned with ``@example`` on the property. Pass
``--hypothesis-profile=NAME`` to choose a profile explicitly.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from hypothesis import settings

from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.state.model import Instance, User

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SPEC_DIR = SHARED / "jira-openapi"

settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
)
if os.environ.get("CI") or os.environ.get("JIRAGW_STRICT") == "1":
    settings.load_profile("ci")


def need_shared(path: Path) -> Path:
    """``path`` under ../shared, or skip (fail under JIRAGW_STRICT=1) when absent."""
    if path.exists():
        return path
    message = f"{path} is absent (../shared is not beside the checkout)"
    if os.environ.get("JIRAGW_STRICT") == "1":
        pytest.fail(message + "; JIRAGW_STRICT=1 forbids skipping")
    pytest.skip(message)


@pytest.fixture
def platform_spec_path() -> Path:
    return need_shared(SPEC_DIR / "jira-platform-swagger-v3.v3.json")


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh small sandbox: site ``acme`` (Cloud) and ``corp`` (DC), 3 projects, 60 issues each."""
    return build_sandbox(projects=3, issues=60, seed=7)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as c:
        yield c


def user_auth(instance: Instance, key: str) -> httpx.Auth | dict[str, str]:
    """Credentials of demo user ``key`` as that instance expects them."""
    user = instance.find_user(key)
    assert user is not None
    if instance.kind == "cloud":
        return httpx.BasicAuth(user.email, user.api_token)
    return httpx.BasicAuth(user.username, user.password)


@pytest.fixture
def as_user(sandbox: Sandbox) -> Callable[[str, str], dict[str, str]]:
    """``as_user("acme", "alice")`` -> headers authenticating alice on that instance."""

    def make(where: str, key: str) -> dict[str, str]:
        instance = sandbox.sites.get(where) or sandbox.dcs[where]
        user: User | None = instance.find_user(key)
        assert user is not None
        request = httpx.Request("GET", "http://x/")
        auth = user_auth(instance, key)
        assert isinstance(auth, httpx.BasicAuth)
        flow = auth.auth_flow(request)
        signed = next(flow)
        return {"Authorization": signed.headers["Authorization"]}

    return make
