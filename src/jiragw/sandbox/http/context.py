"""The request context: everything an endpoint's handler needs about one request.

A handler (:mod:`.endpoints`) receives a :class:`Ctx`: the sandbox and the
instance addressed, the caller (:mod:`.auth`), the path and query parameters,
the JSON body, and the links in the caller's API version.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from ..state.model import Instance, User
from ..state.sandbox import Sandbox
from .auth import AuthResult
from .errors import JiraHttpError, bad_request

__all__ = ["Ctx"]


class Ctx:
    """Everything a handler needs about one request."""

    __slots__ = ("_body", "auth", "base", "cost_issues", "instance", "request", "sandbox", "version")

    def __init__(
        self, sandbox: Sandbox, instance: Instance, request: Request, auth: AuthResult, base: str
    ) -> None:
        self.sandbox = sandbox
        self.instance = instance
        self.request = request
        self.auth = auth
        self.base = base  # the instance root URL as the caller addressed it
        version = request.path_params.get("version", "2")
        self.version = "2" if version == "latest" else version
        self.cost_issues = 0  # issues returned with fields beyond id/key (latency model)
        self._body: Any = _UNSET

    # -- identity --------------------------------------------------------
    @property
    def user(self) -> User:
        if self.auth.user is None:
            raise JiraHttpError(
                401, ["You are not authenticated. Authentication required to perform this operation."]
            )
        return self.auth.user

    @property
    def maybe_user(self) -> User | None:
        return self.auth.user

    @property
    def v3(self) -> bool:
        """True when the caller speaks REST v3 (ADF rich text)."""
        return self.version == "3"

    @property
    def cloud(self) -> bool:
        return self.instance.kind == "cloud"

    def require(self, permission: str, message: str | None = None) -> User:
        """The caller, who must hold ``permission`` (403 otherwise)."""
        user = self.user
        if not user.can(permission):
            raise JiraHttpError(403, [message or "You do not have permission to perform this operation."])
        return user

    # -- request data ----------------------------------------------------
    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def query_list(self, name: str) -> list[str] | None:
        """A list parameter given repeated and/or comma-separated; None when absent.

        An empty value (``?type=``) counts as absent, as Jira ignores it: an empty
        list would otherwise read as "match nothing".
        """
        values = self.request.query_params.getlist(name)
        parts = [part.strip() for v in values for part in v.split(",") if part.strip()]
        return parts or None

    def query_int(self, name: str, default: int, *, minimum: int | None = 0) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"The '{name}' parameter must be an integer, not '{raw}'.") from None
        if minimum is not None and value < minimum:
            raise bad_request(f"The '{name}' parameter must be at least {minimum}.")
        return value

    def query_bool(self, name: str, default: bool) -> bool:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        return raw.lower() == "true"

    async def body(self) -> Any:
        """The request's JSON body (400 with Jira's wording when it is not JSON)."""
        if self._body is _UNSET:
            raw = await self.request.body()
            if not raw:
                self._body = None
            else:
                try:
                    self._body = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise bad_request(
                        "Unexpected character in the request body: it is not valid JSON."
                    ) from None
        return self._body

    async def body_object(self) -> dict[str, Any]:
        body = await self.body()
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    # -- links -----------------------------------------------------------
    def url(self, rel: str) -> str:
        """An absolute ``self`` link under this instance (``rel`` starts with ``/``)."""
        return self.base + rel

    def api(self, rel: str) -> str:
        """A REST link in the caller's API version, e.g. ``api("/issue/10001")``."""
        return f"{self.base}/rest/api/{self.version}{rel}"


_UNSET: Any = object()
