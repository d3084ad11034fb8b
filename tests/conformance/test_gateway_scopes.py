"""Through the API gateway, each operation needs exactly its scopes from the scope table.

For every Cloud v3 operation with a recipe, the recipe's own request (its
setup runs with a full token) is sent with a token holding only the
operation's classic scopes, then only its granular scopes: both must
succeed. A token holding neither set is refused with the gateway's
``401 {"code": 401, "message": "Unauthorized; scope does not match"}``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.scopes import Operation, load_scope_table
from tests.conformance.recipes import recipes_for
from tests.conformance.runner import (
    TARGETS,
    bearer,
    concrete_path,
    endpoints,
    instance_of,
    run_recipe,
    targets_for,
)

pytestmark = pytest.mark.spec

GATEWAY = next(t for t in TARGETS if t.gateway)


def _operation(ep: Endpoint) -> Operation:
    found = load_scope_table().match(ep.method, concrete_path(ep.path, "3", "x"))
    assert found is not None, ep
    return found


def _scopes(ep: Endpoint, kind: str) -> frozenset[str]:
    op = _operation(ep)
    return op.classic_scopes if kind == "classic" else op.granular_scopes


CASES = [
    (ep, kind)
    for ep in endpoints()
    if GATEWAY in targets_for(ep)
    and any(
        r.method == ep.method and (not r.targets or GATEWAY.name in r.targets)
        for r in recipes_for(ep.operation)
    )
    for kind in ("classic", "granular")
    if _scopes(ep, kind)  # some operations list no granular set
]


@pytest.mark.parametrize(("ep", "kind"), CASES, ids=[f"{ep.operation}-{ep.method}-{k}" for ep, k in CASES])
async def test_operation_needs_only_its_scopes(
    ep: Endpoint,
    kind: str,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    op = _operation(ep)
    scopes = op.classic_scopes if kind == "classic" else op.granular_scopes
    recipes = [
        r
        for r in recipes_for(ep.operation)
        if r.method == ep.method and (not r.targets or GATEWAY.name in r.targets)
    ]
    assert recipes, f"no gateway recipe for {ep.operation}"
    recipe = recipes[0]
    headers = bearer(sandbox, GATEWAY, recipe.user, frozenset(scopes))
    response = await run_recipe(client, sandbox, as_user, GATEWAY, recipe, main_headers=headers)
    assert response.is_success, (
        f"{kind} scopes {sorted(scopes)}: {response.status_code} {response.text[:300]}"
    )


# Operations listing no scope at all (getServerInfo: basic auth or anonymous) are left out.
REFUSED = [
    ep
    for ep in endpoints()
    if GATEWAY in targets_for(ep) and _scopes(ep, "classic") | _scopes(ep, "granular")
]


@pytest.mark.parametrize("ep", REFUSED, ids=[f"{ep.operation}-{ep.method}" for ep in REFUSED])
async def test_a_token_without_the_scopes_is_refused(
    ep: Endpoint, client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    # A scope no Jira platform operation lists: it satisfies neither set.
    headers = bearer(sandbox, GATEWAY, "admin", frozenset({"read:me"}))
    root = GATEWAY.root(instance_of(sandbox, GATEWAY))
    response = await client.request(ep.method, root + concrete_path(ep.path, "3"), headers=headers)
    assert response.status_code == 401, response.text
    assert response.json() == {"code": 401, "message": "Unauthorized; scope does not match"}
