"""Failing requests answer with Jira's ErrorCollection, and absent resources are absent.

- :data:`ERROR_RECIPES`: requests that must fail with a given status and a
  valid ``{"errorMessages": [...], "errors": {...}}`` body.
- Every non-anonymous operation answers 401 to a caller without credentials.
- Data Center serves neither REST v3 nor the Cloud-only operations (404).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.sandbox.routing import ENDPOINTS
from tests.conformance.oas import Spec, load_spec
from tests.conformance.recipes import ERROR_RECIPES, ErrorRecipe
from tests.conformance.runner import (
    TARGETS,
    Target,
    concrete_path,
    endpoints,
    instance_of,
    run_recipe,
    targets_for,
)
from tests.conftest import SPEC_DIR, need_shared

pytestmark = pytest.mark.spec


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(need_shared(SPEC_DIR / "jira-platform-swagger-v3.v3.json"))


ERROR_CASES = [
    (e, t)
    for e in ERROR_RECIPES
    for t in TARGETS
    # Through the gateway an anonymous call is refused by api.atlassian.com itself (not an ErrorCollection).
    if (not e.targets or t.name in e.targets)
    and not (t.gateway and e.user is None)
    and any(ep.operation == e.operation and t in targets_for(ep) for ep in ENDPOINTS)
]


@pytest.mark.parametrize(
    ("recipe", "target"), ERROR_CASES, ids=[f"{e.name}-{t.name}" for e, t in ERROR_CASES]
)
async def test_error_bodies_are_error_collections(
    recipe: ErrorRecipe,
    target: Target,
    spec: Spec,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    response = await run_recipe(client, sandbox, as_user, target, recipe)
    assert response.status_code == recipe.status, response.text
    body = response.json()
    problems = sorted(spec.component_validator("ErrorCollection").iter_errors(body), key=str)
    assert not problems, [p.message for p in problems]
    assert body["errorMessages"] or body["errors"], "an error must say what went wrong"
    documented = spec.operation(recipe.operation).schema(recipe.status)
    if documented is not None:
        assert not spec.problems(recipe.operation, recipe.status, body)


CLOUD_ONLY = sorted(
    {(ep.method, ep.path) for ep in ENDPOINTS if "dc" not in ep.flavors}
    - {(ep.method, ep.path) for ep in ENDPOINTS if "dc" in ep.flavors}
)


@pytest.mark.parametrize(("method", "path"), CLOUD_ONLY, ids=[f"{m} {p}" for m, p in CLOUD_ONLY])
async def test_cloud_only_operations_are_absent_on_dc(
    method: str, path: str, client: httpx.AsyncClient, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    """Data Center has no such resource: 404, as a DC server answers for an unknown REST path."""
    response = await client.request(
        method, "/dc/corp" + concrete_path(path, "2"), headers=as_user("corp", "admin")
    )
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("ep", endpoints(), ids=[f"{ep.operation}-{ep.method}" for ep in endpoints()])
async def test_dc_has_no_rest_v3(
    ep: Endpoint, client: httpx.AsyncClient, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    if "/rest/api/{version}/" not in ep.path:
        pytest.skip("not a versioned platform path")
    response = await client.request(
        ep.method, "/dc/corp" + concrete_path(ep.path, "3"), headers=as_user("corp", "admin")
    )
    assert response.status_code == 404, response.text


PRIVATE_CASES = [
    (ep, t)
    for ep in endpoints()
    for t in targets_for(ep)
    if not ep.anonymous and t.name in ("cloud-v3", "dc-v2")
]


@pytest.mark.parametrize(
    ("ep", "target"), PRIVATE_CASES, ids=[f"{ep.operation}-{ep.method}-{t.name}" for ep, t in PRIVATE_CASES]
)
async def test_anonymous_callers_get_401(
    ep: Endpoint, target: Target, spec: Spec, client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Without credentials every non-anonymous operation answers 401 with an ErrorCollection."""
    root = target.root(instance_of(sandbox, target))
    response = await client.request(ep.method, root + concrete_path(ep.path, target.version))
    assert response.status_code == 401, response.text
    body = response.json()
    assert not list(spec.component_validator("ErrorCollection").iter_errors(body))
    assert body["errorMessages"]
