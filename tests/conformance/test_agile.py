"""Every emulated Agile 1.0 operation answers its recipes as Jira Software's spec documents.

The Software spec (``jira-software-swagger.v3.json``) is the oracle, on a Cloud
site and a Data Center instance (Agile 1.0 is the same on both; its issue
fields are REST v2 shapes, and its links point at ``/rest/api/2``). Operations
whose spec gives only an example (the sprint reads and writes) are checked
against the spec's ``SprintBean``; writes answering 204 must send no body.
Errors are the platform's ErrorCollection, and every operation refuses an
anonymous caller with a 401, under ``/rest/agile/1.0`` and its alias
``/rest/agile/latest`` alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.scopes import load_scope_table
from tests.conformance.invariants import paging_problems, self_link_problems, user_identity_problems
from tests.conformance.oas import Allowance, Problem, Spec, load_allowances, load_spec
from tests.conformance.recipes_agile import AGILE_ERROR_RECIPES, AGILE_RECIPES, SPRINT_SCHEMA_OPERATIONS
from tests.conformance.runner import (
    TARGETS,
    Target,
    concrete_path,
    endpoints,
    instance_of,
    report,
    run_recipe,
)
from tests.conftest import SPEC_DIR, need_shared

pytestmark = pytest.mark.spec

# Agile paths carry no REST version: one target per flavor (the v2 targets, whose links Agile uses).
AGILE_TARGETS = tuple(t for t in TARGETS if t.name in ("cloud-v2", "dc-v2"))
AGILE_ENDPOINTS = endpoints(agile=True)
CASES = [(ep, t) for ep in AGILE_ENDPOINTS for t in AGILE_TARGETS if t.kind in ep.flavors]


@pytest.fixture(scope="module")
def software() -> Spec:
    return load_spec(need_shared(SPEC_DIR / "jira-software-swagger.v3.json"))


@pytest.fixture(scope="module")
def platform() -> Spec:
    return load_spec(need_shared(SPEC_DIR / "jira-platform-swagger-v3.v3.json"))


@pytest.fixture(scope="module")
def allowances() -> list[Allowance]:
    return load_allowances()


def _sprint_problems(software: Spec, operation: str, body: Any) -> list[Problem]:
    shape = SPRINT_SCHEMA_OPERATIONS.get(operation)
    if shape is None:
        return []
    validator = software.component_validator("SprintBean")
    items = [body] if shape == "one" else body.get("values", [])
    problems = [
        Problem(f"$[{n}]", e.message, "SprintBean")
        for n, item in enumerate(items)
        for e in validator.iter_errors(item)
    ]
    if shape == "page" and not {"maxResults", "startAt", "isLast", "values"} <= set(body):
        problems.append(Problem("$", "not a page of sprints", "paging"))
    return problems


@pytest.mark.parametrize(("ep", "target"), CASES, ids=[f"{ep.operation}-{t.kind}" for ep, t in CASES])
async def test_agile_operation_conforms(
    ep: Endpoint,
    target: Target,
    software: Spec,
    allowances: list[Allowance],
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    recipes = [r for r in AGILE_RECIPES if r.operation == ep.operation and r.method == ep.method]
    assert recipes, f"no recipe for {ep.operation} ({ep.method} {ep.path}): add one to recipes_agile.py"
    documented = software.operation(ep.operation)
    for recipe in recipes:
        response = await run_recipe(client, sandbox, as_user, target, recipe)
        where = f"{recipe.method} {recipe.path} {recipe.query or ''} on {target.kind}"
        assert response.status_code in documented.success_statuses, f"{where}: {response.text[:500]}"
        if response.status_code == 204:  # the writes that answer with no body
            assert not response.content, where
            continue
        assert response.headers["content-type"].startswith("application/json"), where
        body = response.json()
        problems = software.errors(ep.operation, response.status_code, body, target.name, allowances)
        problems += _sprint_problems(software, ep.operation, body)
        problems += user_identity_problems(body, target.kind)
        problems += paging_problems(body)
        base = f"{client.base_url}".rstrip("/") + target.root(instance_of(sandbox, target))
        problems += self_link_problems(body, base, "2")
        assert not problems, f"{where}: body violates the spec:\n  {report(problems)}"


def test_agile_endpoints_match_the_software_spec(software: Spec) -> None:
    wrong = []
    for ep in AGILE_ENDPOINTS:
        if ep.operation not in software.operations:
            wrong.append(f"{ep.operation}: not an operationId of the Software spec")
            continue
        documented = software.operation(ep.operation)
        if (ep.method, ep.path) != (documented.method, documented.path):
            wrong.append(
                f"{ep.operation}: {ep.method} {ep.path} != spec {documented.method} {documented.path}"
            )
    assert AGILE_ENDPOINTS
    assert not wrong, "\n".join(wrong)


def test_agile_recipes_name_their_operations() -> None:
    table = load_scope_table()
    wrong = []
    for r in (*AGILE_RECIPES, *AGILE_ERROR_RECIPES):
        found = table.match(r.method, r.path.replace("{project_key}", "x"))
        if found is None or found.operation_id != r.operation:
            wrong.append(f"{r.operation}: {r.method} {r.path} is {found.operation_id if found else None}")
    assert not wrong, "\n".join(wrong)


ERROR_CASES = [(e, t) for e in AGILE_ERROR_RECIPES for t in AGILE_TARGETS]


@pytest.mark.parametrize(
    ("recipe", "target"), ERROR_CASES, ids=[f"{e.name}-{t.kind}" for e, t in ERROR_CASES]
)
async def test_agile_errors_are_error_collections(
    recipe: Any,
    target: Target,
    software: Spec,
    platform: Spec,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    response = await run_recipe(client, sandbox, as_user, target, recipe)
    assert response.status_code == recipe.status, response.text
    assert str(recipe.status) in software.operation(recipe.operation).responses
    body = response.json()
    assert not list(platform.component_validator("ErrorCollection").iter_errors(body))
    assert body["errorMessages"] or body["errors"]


PRIVATE = [(ep, t) for ep in AGILE_ENDPOINTS for t in AGILE_TARGETS]


@pytest.mark.parametrize(("ep", "target"), PRIVATE, ids=[f"{ep.operation}-{t.kind}" for ep, t in PRIVATE])
async def test_agile_anonymous_callers_get_401(
    ep: Endpoint, target: Target, platform: Spec, client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    root = target.root(instance_of(sandbox, target))
    # Served under ``latest`` too, Jira's alias of 1.0: a route, so a 401 rather than the unknown path's 404.
    for path in (ep.path, ep.path.replace("/rest/agile/1.0/", "/rest/agile/latest/", 1)):
        response = await client.request(ep.method, root + concrete_path(path, "2"))
        assert response.status_code == 401, f"{path}: {response.text}"
        assert not list(platform.component_validator("ErrorCollection").iter_errors(response.json()))
