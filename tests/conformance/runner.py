"""Running recipes against the in-process sandbox: targets, placeholder filling, requests.

A :class:`Target` is one way of calling the sandbox (Cloud REST v3, Cloud
REST v2, DC REST v2). :func:`run_recipe` fills a recipe's placeholders for
the target's seeded instance (see :mod:`tests.conformance.recipe_kit`), runs
its setup requests, and returns the answer to the recipe's own request.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from jiragw.sandbox import Sandbox
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.sandbox.oauth import oauth_state
from jiragw.sandbox.routing import ENDPOINTS
from jiragw.sandbox.state.model import Instance
from tests.conformance.recipes import PLACEHOLDERS, ErrorRecipe, Recipe, Step

__all__ = [
    "AGILE_PREFIX",
    "ALL_CLASSIC",
    "PLACEHOLDER",
    "TARGETS",
    "Target",
    "Values",
    "bearer",
    "concrete_path",
    "credentials",
    "endpoints",
    "fill",
    "instance_of",
    "report",
    "run_recipe",
    "send",
    "targets_for",
]


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    instance: str
    version: str
    gateway: bool = False  # through api.atlassian.com's /ex/jira/{cloudId} with an OAuth bearer token

    def root(self, instance: Instance) -> str:
        """The instance root this target addresses (``instance`` is the target's own)."""
        if self.gateway:
            return f"/ex/jira/{instance.cloud_id}"
        return f"/sites/{self.instance}" if self.kind == "cloud" else f"/dc/{self.instance}"


TARGETS = (
    Target("cloud-v3", "cloud", "acme", "3"),
    Target("cloud-v2", "cloud", "acme", "2"),
    Target("dc-v2", "dc", "corp", "2"),
    Target("gateway-v3", "cloud", "acme", "3", gateway=True),
)

# The classic scopes: together they allow every operation a 3LO app can call.
ALL_CLASSIC = frozenset(
    {
        "read:jira-work",
        "write:jira-work",
        "read:jira-user",
        "manage:jira-project",
        "manage:jira-configuration",
        "manage:jira-webhook",
        "manage:jira-data-provider",
    }
)

_CLIENT, _REDIRECT = "conformance", "https://conformance.invalid/cb"


def bearer(
    sandbox: Sandbox, target: Target, user: str, scopes: frozenset[str] = ALL_CLASSIC
) -> dict[str, str]:
    """Headers with a fresh 3LO access token for ``user`` on the target's site, holding ``scopes``."""
    instance = instance_of(sandbox, target)
    account = instance.find_user(user)
    assert account is not None
    store = oauth_state(sandbox).cloud
    now = sandbox.clock.time()
    code = store.issue_code(
        client_id=_CLIENT,
        redirect_uri=_REDIRECT,
        account_id=account.account_id,
        resources=(instance.cloud_id,),
        scopes=scopes,
        now=now,
    )
    issued = store.redeem_code(
        code, client_id="conformance", redirect_uri="https://conformance.invalid/cb", now=now
    )
    return {"Authorization": f"Bearer {issued.access_token}"}


def targets_for(ep: Endpoint) -> list[Target]:
    return [t for t in TARGETS if t.kind in ep.flavors and t.version in ep.versions]


def credentials(
    sandbox: Sandbox, as_user: Callable[[str, str], dict[str, str]], target: Target, user: str | None
) -> dict[str, str]:
    if user is None:
        return {}
    return bearer(sandbox, target, user) if target.gateway else as_user(target.instance, user)


AGILE_PREFIX = "/rest/agile/"


def endpoints(*, agile: bool = False) -> list[Endpoint]:
    """The platform API's endpoints, or (``agile``) Jira Software's, validated by ``test_agile``."""
    # One path may be served by separate Cloud and DC handlers: keep both.
    seen: dict[tuple[str, str, frozenset[str]], Endpoint] = {}
    for ep in ENDPOINTS:
        if ep.path.startswith(AGILE_PREFIX) is agile:
            seen.setdefault((ep.method, ep.path, frozenset(ep.flavors)), ep)
    return sorted(seen.values(), key=lambda e: (e.operation, e.method, sorted(e.flavors)))


_SEQ = itertools.count(1)
PLACEHOLDER = re.compile(r"\{((?:int:)?[A-Za-z_][\w.]*)\}")


class Values(dict[str, str]):
    """Placeholder values, computed from the instance on first use."""

    def __init__(self, instance: Instance, version: str) -> None:
        super().__init__(version=version)
        self.instance = instance

    def __missing__(self, name: str) -> str:
        if name == "seq":  # a fresh number per use: names that must be unique
            return str(next(_SEQ))
        if name not in PLACEHOLDERS:
            raise KeyError(f"unknown placeholder {{{name}}} (not in PLACEHOLDERS nor a setup answer)")
        value = PLACEHOLDERS[name](self.instance)
        self[name] = value
        return value


def fill(value: Any, values: Values) -> Any:
    """``value`` with placeholders filled; ``"{int:name}"`` alone in a string becomes an integer."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole is not None and whole.group(1).startswith("int:"):
            return int(values[whole.group(1).removeprefix("int:")])
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, dict):
        return {fill(k, values): fill(v, values) for k, v in value.items()}
    return value


async def send(
    client: httpx.AsyncClient,
    target: Target,
    values: Values,
    step: Step | Recipe | ErrorRecipe,
    headers: dict[str, str],
) -> httpx.Response:
    body = step.body_v2 if target.version == "2" and step.body_v2 is not None else step.body
    return await client.request(
        step.method,
        target.root(values.instance) + fill(step.path, values),
        params=fill(dict(step.query), values),
        json=fill(body, values) if body is not None else None,
        headers=headers,
    )


def instance_of(sandbox: Sandbox, target: Target) -> Instance:
    found = sandbox.instance(target.kind, target.instance)
    assert found is not None
    return found


async def run_recipe(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
    target: Target,
    recipe: Recipe | ErrorRecipe,
    main_headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Run ``recipe``'s setup, then its request (with ``main_headers`` when given)."""
    values = Values(instance_of(sandbox, target), target.version)
    headers = credentials(sandbox, as_user, target, recipe.user)
    for n, step in enumerate(recipe.setup):
        answer = await send(client, target, values, step, headers)
        assert answer.is_success, f"setup {n} {step.method} {step.path}: {answer.status_code} {answer.text}"
        if answer.content and isinstance(data := answer.json(), dict):
            for key, val in data.items():
                if isinstance(val, str | int):
                    values[f"setup{n}.{key}"] = str(val)
    return await send(client, target, values, recipe, headers if main_headers is None else main_headers)


def report(problems: list[Any], limit: int = 15) -> str:
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n  ".join(lines)


def concrete_path(template: str, version: str, value: str = "1") -> str:
    """A registry path template with its version set and every parameter replaced by ``value``."""
    return re.sub(r"\{[^}]+\}", value, template.replace("{version}", version))
