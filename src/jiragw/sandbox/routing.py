"""The emulated Jira's route table: every route module's endpoints, as Starlette routes.

The table is built here, above the route modules, from what each one exports:
a route module (:mod:`jiragw.sandbox.routes`) declares its handlers and lists
them in its ``ROUTES`` tuple; :data:`HANDLERS` gathers those tuples,
:data:`ENDPOINTS` their endpoints, and :func:`jira_routes` turns them into
the routes one kind of instance serves
(each run by :func:`~jiragw.sandbox.http.dispatch.serve_endpoint`). Nothing
is registered on import.

Adding a route:

1. In the route module of its resource, write ``async def handler(ctx: Ctx)``
   and decorate it with ``@endpoint(method, path, operationId)``
   (:func:`jiragw.sandbox.http.endpoints.endpoint`): the path is relative to an
   instance's root, ``{version}`` stands for ``2``/``3``/``latest``, and
   ``flavors=("cloud",)`` or ``("dc",)`` limits it to one kind of instance.
   A handler serving several operations takes one decorator per operation.
   Raise :class:`~jiragw.sandbox.http.errors.JiraHttpError` (or
   ``bad_request``/``not_found``) for Jira's error answers.
2. Add the handler to the module's ``ROUTES`` tuple, at the bottom of the module.
3. A new route module also goes into :data:`HANDLERS` below.

A resource Jira serves outside its REST API (the avatar images ``avatarUrls``
point at) is no spec operation: decorate its handler with ``@servlet(method,
path, name)`` instead and list it in the module's ``SERVLETS`` tuple, which
:data:`SERVLETS` gathers; it is served like an endpoint but stays out of
:data:`ENDPOINTS`, which the conformance tests walk.

``tests/sandbox/test_routing.py`` fails when a declared endpoint is left out
of its module's ``ROUTES`` or a module is left out of :data:`HANDLERS`; the
conformance tests (``tests/conformance``) check each endpoint against the spec.

Literal path segments win over parameters (``issue/createmeta`` before
``issue/{key}``); Jira Software's ``/rest/agile/1.0`` is served under
``/rest/agile/latest`` too, the alias Jira keeps for it on Cloud and Data
Center; any other path gets Jira's JSON 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .http.auth import AuthHooks
from .http.dispatch import json_response, serve_endpoint, unknown_resource
from .http.endpoints import Endpoint, Handler, Servlet
from .routes import (
    agile,
    agile_writes,
    comments,
    createmeta,
    dashboards,
    fields,
    filters,
    issues,
    links,
    meta,
    project_parts,
    projects,
    search,
    server,
    transitions,
    users,
)
from .state.model import Kind

__all__ = ["ENDPOINTS", "HANDLERS", "SERVLETS", "jira_routes"]

HANDLERS: tuple[Handler, ...] = (
    *agile.ROUTES,
    *agile_writes.ROUTES,
    *comments.ROUTES,
    *createmeta.ROUTES,
    *dashboards.ROUTES,
    *fields.ROUTES,
    *filters.ROUTES,
    *issues.ROUTES,
    *links.ROUTES,
    *meta.ROUTES,
    *project_parts.ROUTES,
    *projects.ROUTES,
    *search.ROUTES,
    *server.ROUTES,
    *transitions.ROUTES,
    *users.ROUTES,
)
"""Every handler of the emulated Jira REST APIs (platform, Agile), Cloud and DC alike."""

ENDPOINTS: tuple[Endpoint, ...] = tuple(ep for handler in HANDLERS for ep in handler.endpoints)
"""Every endpoint the handlers serve: one per spec operation and path."""

SERVLETS: tuple[Servlet, ...] = (*projects.SERVLETS, *users.SERVLETS)
"""Handlers of what Jira serves outside its REST API (the avatar images): served, in no spec."""


def jira_routes(kind: Kind, hooks: AuthHooks) -> list[Route]:
    """Starlette routes for every endpoint that ``kind`` instances serve, authenticated with ``hooks``."""
    grouped: dict[str, list[Endpoint]] = {}
    for ep in (*ENDPOINTS, *(servlet.endpoint for servlet in SERVLETS)):
        if kind in ep.flavors:
            grouped.setdefault(ep.path, []).append(ep)
    out: list[Route] = []
    for path, eps in grouped.items():
        by_method = {ep.method: serve_endpoint(ep, hooks) for ep in eps}

        async def dispatch(request: Request, _by: dict[str, Any] = by_method) -> Response:
            handler = _by.get(request.method) or (_by.get("GET") if request.method == "HEAD" else None)
            if handler is None:
                return json_response({"errorMessages": ["Method not allowed."], "errors": {}}, 405)
            resp: Response = await handler(request)
            return resp

        for served in (path, *_aliases(path)):
            out.append(Route(served, dispatch, methods=list(by_method)))
    # Literal segments must win over parameters (``issue/createmeta`` before ``issue/{key}``).
    out.sort(key=lambda r: [(seg.startswith("{") and seg != "{version}", seg) for seg in r.path.split("/")])
    out.append(Route("/{rest:path}", unknown_resource, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]))
    return out


# Versioned prefixes Jira also serves under another name: (registered, alias). The
# platform API's ``latest`` is a ``{version}`` value instead, as it has several versions.
_PREFIX_ALIASES = (("/rest/agile/1.0/", "/rest/agile/latest/"),)


def _aliases(path: str) -> list[str]:
    """The other paths an endpoint declared at ``path`` answers on."""
    return [alias + path.removeprefix(prefix) for prefix, alias in _PREFIX_ALIASES if path.startswith(prefix)]
