"""Endpoints of the emulated Jira REST APIs: a handler declared for one spec operation.

A route module decorates each handler function with :func:`endpoint`,
naming the method, the path template (relative to an instance's root,
``{version}`` standing for ``2``/``3``/``latest``) and the spec's
``operationId``; a function serving several operations takes one decorator
per operation. The decorator records nothing anywhere: it turns the function
into a :class:`Handler` holding its endpoints (:class:`Endpoint`), which the
module lists in its ``ROUTES`` and the route table
(:mod:`jiragw.sandbox.routing`) serves.

The few resources Jira serves outside its REST API (the avatar images its
answers link to) are no spec operation: :func:`servlet` declares their
handlers as a :class:`Servlet`, which a module lists in its ``SERVLETS``
instead, so that the operations the conformance tests walk stay the spec's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..state.model import Kind
from .context import Ctx

__all__ = ["Endpoint", "Handler", "HandlerFn", "Reply", "Servlet", "endpoint", "servlet"]


@dataclass(slots=True)
class Reply:
    """A handler's explicit answer (status, JSON body, headers)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


HandlerFn = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One spec operation at one path, served by ``handler``."""

    method: str
    path: str
    operation: str
    handler: HandlerFn
    flavors: frozenset[Kind]
    anonymous: bool
    versions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Handler:
    """A handler function with the endpoints it serves, one per :func:`endpoint` decorator."""

    fn: HandlerFn
    endpoints: tuple[Endpoint, ...]


def endpoint(
    method: str,
    path: str,
    operation: str,
    *,
    flavors: Iterable[Kind] = ("cloud", "dc"),
    anonymous: bool = False,
    versions: Iterable[str] = ("2", "3", "latest"),
) -> Callable[[HandlerFn | Handler], Handler]:
    """Declare a handler for ``method path`` (``operation`` = the spec's operationId)."""

    def deco(target: HandlerFn | Handler) -> Handler:
        fn, earlier = (target.fn, target.endpoints) if isinstance(target, Handler) else (target, ())
        declared = Endpoint(method, path, operation, fn, frozenset(flavors), anonymous, frozenset(versions))
        return Handler(fn, (declared, *earlier))  # in reading order: the outer decorator first

    return deco


@dataclass(frozen=True, slots=True)
class Servlet:
    """A handler for a resource outside the REST API; ``endpoint.operation`` names the servlet."""

    endpoint: Endpoint


def servlet(
    method: str, path: str, name: str, *, flavors: Iterable[Kind] = ("cloud", "dc")
) -> Callable[[HandlerFn], Servlet]:
    """Declare a handler for ``method path`` outside the REST API (``name`` labels its counter)."""

    def deco(fn: HandlerFn) -> Servlet:
        return Servlet(Endpoint(method, path, name, fn, frozenset(flavors), False, frozenset()))

    return deco
