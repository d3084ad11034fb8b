"""Deterministic seed data: demo users, instances, projects and issues.

``build_sandbox(...)`` is the one way a :class:`~jiragw.sandbox.state.Sandbox`
is made, by the ``jiragw sandbox`` command and by tests alike. The same
arguments always give the same data and the same demo credentials.

The demo credentials (API tokens, passwords, PATs, the demo OAuth clients'
secrets) derive from a *credential seed* of their own, which defaults to the
data seed. The commands that open a port pass :func:`random_credential_seed`
unless the operator gave ``--seed``, so a sandbox reachable by others never
answers to credentials anyone can compute; tests building a sandbox in process
keep the deterministic default.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from ..state.defaults import DEMO_USERS, ensure_default_dashboard, install_defaults
from ..state.model import Instance, User
from ..state.sandbox import Sandbox

__all__ = ["build_sandbox", "demo_users", "new_instance", "populate", "random_credential_seed"]


def _derive(seed: int | str, *parts: str, length: int = 24) -> str:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).hexdigest()
    return digest[:length]


def random_credential_seed() -> str:
    """A credential seed nobody can guess (128 bits from :mod:`secrets`)."""
    return secrets.token_hex(16)


def demo_users(seed: int, credential_seed: str | None = None) -> list[User]:
    """The demo users; their credentials derive from ``credential_seed`` (default: ``seed``).

    Same seeds, same secrets; the account ids always follow the data seed.
    """
    creds = str(seed) if credential_seed is None else credential_seed
    users = []
    for key, name, perms in DEMO_USERS:
        users.append(
            User(
                account_id="5b10ac8d82e05b22cc7d" + _derive(seed, "acct", key, length=4),
                email=f"{key}@example.com",
                display_name=name,
                username=key,
                api_token="ATATT3x" + _derive(creds, "token", key, length=32),
                password="pw-" + _derive(creds, "password", key, length=16),
                pat="PAT" + _derive(creds, "pat", key, length=40),
                permissions=perms,
            )
        )
    return users


def new_instance(kind: str, name: str, seed: int, credential_seed: str | None = None) -> Instance:
    cloud_id = str(uuid.UUID(_derive(seed, "cloud", kind, name, length=32)))
    instance = Instance(kind="cloud" if kind == "cloud" else "dc", name=name, cloud_id=cloud_id)
    install_defaults(instance, demo_users(seed, credential_seed))
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
    credential_seed: str | None = None,
) -> Sandbox:
    """A sandbox with the given instances, each seeded with ``projects``/``issues``.

    ``credential_seed`` (default: ``seed``) is what the demo credentials derive from.
    """
    creds = str(seed) if credential_seed is None else credential_seed
    sandbox = Sandbox(seed=seed, credential_seed=creds)
    for name in sites:
        sandbox.sites[name] = new_instance("cloud", name, seed, creds)
    for name in dcs:
        sandbox.dcs[name] = new_instance("dc", name, seed, creds)
    for instance in sandbox.all_instances():
        populate(instance, projects=projects, issues=issues, seed=seed, now=sandbox.clock.now())
    return sandbox


def populate(instance: Instance, *, projects: int, issues: int, seed: int, now: datetime) -> None:
    """Fill ``instance`` with seeded projects and issues (see the seed generator)."""
    from .generator import generate

    generate(instance, projects=projects, issues=issues, seed=seed, now=now)
