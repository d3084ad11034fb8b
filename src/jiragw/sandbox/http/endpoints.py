"""Endpoints of the emulated Jira REST APIs: a handler declared for one spec operation.

A route module decorates each handler with :func:`endpoint`, naming the
method, the path template (relative to an instance's root, ``{version}``
standing for ``2``/``3``/``latest``) and the spec's ``operationId``. The
decorator records nothing anywhere: it turns the handler into an
:class:`Endpoint`, which the module lists in its ``ROUTES`` and the route
table (:mod:`jiragw.sandbox.routing`) serves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..state.model import Kind
from .context import Ctx

__all__ = ["Endpoint", "Handler", "Reply", "endpoint"]


@dataclass(slots=True)
class Reply:
    """A handler's explicit answer (status, JSON body, headers)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    operation: str
    handler: Handler
    flavors: frozenset[Kind]
    anonymous: bool
    versions: frozenset[str]


def endpoint(
    method: str,
    path: str,
    operation: str,
    *,
    flavors: Iterable[Kind] = ("cloud", "dc"),
    anonymous: bool = False,
    versions: Iterable[str] = ("2", "3", "latest"),
) -> Callable[[Handler], Endpoint]:
    """Declare a handler for ``method path`` (``operation`` = the spec's operationId)."""

    def deco(fn: Handler) -> Endpoint:
        return Endpoint(method, path, operation, fn, frozenset(flavors), anonymous, frozenset(versions))

    return deco
