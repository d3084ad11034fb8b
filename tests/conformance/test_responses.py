"""Every emulated operation answers its recipes with a documented status and a spec-valid body.

The walk is driven by the sandbox's endpoint registry: each registered
operation is exercised on Cloud REST v3, Cloud REST v2, DC REST v2 and Cloud
REST v3 through the API gateway with a 3LO token (whichever it serves), with
its recipes (``recipes_config.py``, ``recipes_work.py``). The platform spec's
v3 schema is the oracle for all of them, plus what it cannot express: rich
text per REST version (``richtext.py``) and user identity, links and paging
(``invariants.py``). Places where the spec is wrong about real Jira are
listed in ``allowances.json``, never loosened in the validator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.scopes import load_scope_table
from tests.conformance.invariants import paging_problems, self_link_problems, user_identity_problems
from tests.conformance.oas import Allowance, Spec, load_allowances, load_spec
from tests.conformance.recipes import ERROR_RECIPES, RECIPES, recipes_for
from tests.conformance.richtext import rich_text_problems
from tests.conformance.runner import (
    PLACEHOLDER,
    TARGETS,
    Target,
    endpoints,
    instance_of,
    report,
    run_recipe,
    targets_for,
)
from tests.conftest import SPEC_DIR, need_shared

pytestmark = pytest.mark.spec


def _walked(ep: Endpoint, target: Target) -> bool:
    """False when the operation's recipes deliberately leave ``target`` out (e.g. the legacy
    search, which Cloud answers 410: the error recipes check that instead). An operation
    with no recipe at all stays in, so its test fails and asks for one."""
    recipes = [r for r in recipes_for(ep.operation) if r.method == ep.method]
    return not recipes or any(not r.targets or target.name in r.targets for r in recipes)


CASES = [(ep, t) for ep in endpoints() for t in targets_for(ep) if _walked(ep, t)]


@pytest.fixture(scope="module")
def adf_schema() -> Path:
    return need_shared(SPEC_DIR / "adf-schema-full-v1.json")


@pytest.fixture(scope="module")
def allowances() -> list[Allowance]:
    return load_allowances()


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(need_shared(SPEC_DIR / "jira-platform-swagger-v3.v3.json"))


@pytest.mark.parametrize(
    ("ep", "target"), CASES, ids=[f"{ep.operation}-{ep.method}-{t.name}" for ep, t in CASES]
)
async def test_operation_conforms(
    ep: Endpoint,
    target: Target,
    spec: Spec,
    allowances: list[Allowance],
    adf_schema: Path,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    recipes = [r for r in recipes_for(ep.operation) if r.method == ep.method]
    assert recipes, f"no recipe for {ep.operation} ({ep.method} {ep.path}): add one to a recipe module"
    recipes = [r for r in recipes if not r.targets or target.name in r.targets]
    documented = spec.operation(ep.operation)
    for recipe in recipes:
        response = await run_recipe(client, sandbox, as_user, target, recipe)
        where = f"{recipe.method} {recipe.path} {recipe.query or ''} on {target.name}"
        assert response.status_code in documented.success_statuses, (
            f"{where}: status {response.status_code} not in {sorted(documented.success_statuses)}: "
            f"{response.text[:500]}"
        )
        schema = documented.schema(response.status_code)
        if response.status_code == 204 or schema is None:
            continue
        if not response.content:
            # Jira answers some operations with no body where the spec's schema is ``{}`` (anything).
            assert schema == {}, f"{where}: empty body, but the spec documents one"
            continue
        assert response.headers["content-type"].startswith("application/json"), where
        body = response.json()
        problems = spec.errors(ep.operation, response.status_code, body, target.name, allowances)
        problems += rich_text_problems(body, v3=target.version == "3", adf_schema=adf_schema)
        problems += user_identity_problems(body, target.kind)
        problems += paging_problems(body)
        base = f"{client.base_url}".rstrip("/") + target.root(instance_of(sandbox, target))
        problems += self_link_problems(body, base, target.version)
        assert not problems, f"{where}: body violates the spec:\n  {report(problems)}"


def test_registered_endpoints_match_the_spec(spec: Spec) -> None:
    """Each endpoint uses its operation's exact method and path template."""
    wrong = []
    for ep in endpoints():
        if ep.operation not in spec.operations:
            wrong.append(f"{ep.operation}: not an operationId of the platform spec")
            continue
        documented = spec.operation(ep.operation)
        ours = ep.path.replace("/rest/api/{version}/", "/rest/api/3/")
        if (ep.method, ours) != (documented.method, documented.path):
            wrong.append(f"{ep.operation}: {ep.method} {ours} != spec {documented.method} {documented.path}")
    assert not wrong, "\n".join(wrong)


def test_every_recipe_names_its_operation() -> None:
    """Each recipe's method and path belong to the operationId it names (catches typos and drift)."""
    table = load_scope_table()
    wrong = []
    for r in (*RECIPES, *ERROR_RECIPES):
        concrete = PLACEHOLDER.sub(lambda m: "3" if m.group(1) == "version" else "x", r.path)
        found = table.match(r.method, concrete)
        if found is None or found.operation_id != r.operation:
            wrong.append(f"{r.operation}: {r.method} {r.path} is {found.operation_id if found else None}")
    assert not wrong, "\n".join(wrong)


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """How many operations the sandbox emulates and the suite validates (see with ``-s``)."""
    registered = {(ep.operation, ep.method) for ep in endpoints()}  # Agile: test_agile.py
    validated = {(op, m) for op, m in registered if any(r.method == m for r in recipes_for(op))}
    by_target = {t.name: sum(1 for _, tt in CASES if tt == t) for t in TARGETS}
    errors = len(ERROR_RECIPES)
    with capsys.disabled():
        print(
            f"\n[conformance] {len(registered)} operations emulated, {len(validated)} validated "
            f"against the spec; endpoint x target cases: {by_target}; error recipes: {errors}"
        )
    missing = sorted(registered - validated)
    assert len(validated) == len(registered), f"operations without a recipe: {missing}"
