"""Deterministic seed data: demo users, instances, projects and issues.

``build_sandbox(...)`` is the one way a :class:`~jiragw.sandbox.state.Sandbox`
is made, by the ``jiragw sandbox`` command and by tests alike. The same
arguments always give the same data and the same demo credentials.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from ..state.defaults import DEMO_USERS, ensure_default_dashboard, install_defaults
from ..state.model import Instance, User
from ..state.sandbox import Sandbox

__all__ = ["build_sandbox", "demo_users", "new_instance", "populate"]


def _derive(seed: int, *parts: str, length: int = 24) -> str:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).hexdigest()
    return digest[:length]


def demo_users(seed: int) -> list[User]:
    """The demo users with credentials derived from ``seed`` (same seed, same secrets)."""
    users = []
    for key, name, perms in DEMO_USERS:
        users.append(
            User(
                account_id="5b10ac8d82e05b22cc7d" + _derive(seed, "acct", key, length=4),
                email=f"{key}@example.com",
                display_name=name,
                username=key,
                api_token="ATATT3x" + _derive(seed, "token", key, length=32),
                password="pw-" + _derive(seed, "password", key, length=16),
                pat="PAT" + _derive(seed, "pat", key, length=40),
                permissions=perms,
            )
        )
    return users


def new_instance(kind: str, name: str, seed: int) -> Instance:
    cloud_id = str(uuid.UUID(_derive(seed, "cloud", kind, name, length=32)))
    instance = Instance(kind="cloud" if kind == "cloud" else "dc", name=name, cloud_id=cloud_id)
    install_defaults(instance, demo_users(seed))
    # Every Jira has its system dashboard from the start (Cloud and DC alike).
    ensure_default_dashboard(instance)
    return instance


def build_sandbox(
    *,
    sites: Sequence[str] = ("acme",),
    dcs: Sequence[str] = ("corp",),
    projects: int = 3,
    issues: int = 300,
    seed: int = 0,
) -> Sandbox:
    """A sandbox with the given instances, each seeded with ``projects``/``issues``."""
    sandbox = Sandbox(seed=seed)
    for name in sites:
        sandbox.sites[name] = new_instance("cloud", name, seed)
    for name in dcs:
        sandbox.dcs[name] = new_instance("dc", name, seed)
    for instance in sandbox.all_instances():
        populate(instance, projects=projects, issues=issues, seed=seed, now=sandbox.clock.now())
    return sandbox


def populate(instance: Instance, *, projects: int, issues: int, seed: int, now: datetime) -> None:
    """Fill ``instance`` with seeded projects and issues (see the seed generator)."""
    from .generator import generate

    generate(instance, projects=projects, issues=issues, seed=seed, now=now)
