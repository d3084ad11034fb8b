"""The route table serves every endpoint the route modules declare, and only those."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import jiragw.sandbox.routes
from jiragw.sandbox.http.auth import AuthHooks
from jiragw.sandbox.http.endpoints import Handler, Servlet
from jiragw.sandbox.routing import ENDPOINTS, HANDLERS, SERVLETS, jira_routes


def _route_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{jiragw.sandbox.routes.__name__}.{info.name}")
        for info in pkgutil.iter_modules(jiragw.sandbox.routes.__path__)
    ]


def _declared(module: ModuleType) -> list[Handler]:
    """The handlers ``module`` declares itself (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, Handler) and value.fn.__module__ == module.__name__
    ]


def test_every_declared_handler_is_in_its_modules_routes() -> None:
    missing = [
        f"{module.__name__}.{handler.fn.__name__}"
        for module in _route_modules()
        for handler in _declared(module)
        if handler not in getattr(module, "ROUTES", ())
    ]
    assert not missing, "declared but not in the module's ROUTES: " + ", ".join(missing)


def test_every_route_module_is_in_the_table() -> None:
    declared = [handler for module in _route_modules() for handler in _declared(module)]
    assert len(declared) > 100
    assert sorted(HANDLERS, key=id) == sorted(declared, key=id)  # each once, none left out
    assert len(ENDPOINTS) == sum(len(handler.endpoints) for handler in declared)


def test_a_handler_serves_one_endpoint_per_decorator() -> None:
    """``@endpoint`` stacks: a handler serving two operations holds both, in reading order."""
    from jiragw.sandbox.routes.users import get_all_users

    assert [ep.operation for ep in get_all_users.endpoints] == ["getAllUsersDefault", "getAllUsers"]
    assert {ep.handler for ep in get_all_users.endpoints} == {get_all_users.fn}
    assert {ep.operation for ep in ENDPOINTS} >= {"getAllUsersDefault", "getAllUsers"}


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


def test_servlets_are_served_but_are_no_spec_endpoint() -> None:
    """The avatar images: declared with @servlet, in their module's SERVLETS, routed for both kinds."""
    declared = [
        value
        for module in _route_modules()
        for value in vars(module).values()
        if isinstance(value, Servlet) and value.endpoint.handler.__module__ == module.__name__
    ]
    assert sorted(SERVLETS, key=id) == sorted(declared, key=id)
    paths = {servlet.endpoint.path for servlet in SERVLETS}
    assert paths == {"/secure/useravatar", "/secure/projectavatar"}
    assert not paths & {ep.path for ep in ENDPOINTS}
    for kind in ("cloud", "dc"):
        assert paths <= {route.path for route in jira_routes(kind, AuthHooks())}
