"""The route table serves every endpoint the route modules declare, and only those."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import jiragw.sandbox.routes
from jiragw.sandbox.http.auth import AuthHooks
from jiragw.sandbox.http.endpoints import Endpoint
from jiragw.sandbox.routing import ENDPOINTS, jira_routes


def _route_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{jiragw.sandbox.routes.__name__}.{info.name}")
        for info in pkgutil.iter_modules(jiragw.sandbox.routes.__path__)
    ]


def _declared(module: ModuleType) -> list[Endpoint]:
    """The endpoints ``module`` declares itself (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, Endpoint) and value.handler.__module__ == module.__name__
    ]


def test_every_declared_endpoint_is_in_its_modules_routes() -> None:
    missing = [
        f"{module.__name__}.{ep.handler.__name__}"
        for module in _route_modules()
        for ep in _declared(module)
        if ep not in getattr(module, "ROUTES", ())
    ]
    assert not missing, "declared but not in the module's ROUTES: " + ", ".join(missing)


def test_every_route_module_is_in_the_table() -> None:
    declared = [ep for module in _route_modules() for ep in _declared(module)]
    assert len(declared) > 100
    assert sorted(ENDPOINTS, key=id) == sorted(declared, key=id)  # each once, none left out


def test_a_route_table_per_kind_of_instance() -> None:
    """Cloud serves the Cloud-only operations, DC the DC-only ones; both end with the JSON 404."""
    cloud = {route.path for route in jira_routes("cloud", AuthHooks())}
    dc = {route.path for route in jira_routes("dc", AuthHooks())}
    cloud_only = {ep.path for ep in ENDPOINTS if ep.flavors == {"cloud"}}
    dc_only = {ep.path for ep in ENDPOINTS if ep.flavors == {"dc"}}
    assert cloud_only
    assert cloud_only <= cloud
    assert dc_only
    assert dc_only <= dc
    assert "/{rest:path}" in cloud
    assert "/{rest:path}" in dc
    assert not (cloud_only - {ep.path for ep in ENDPOINTS if "dc" in ep.flavors}) & dc
    assert not (dc_only - {ep.path for ep in ENDPOINTS if "cloud" in ep.flavors}) & cloud
