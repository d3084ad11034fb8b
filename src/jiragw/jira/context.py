"""What every SDK resource needs about one Jira: where it is, which flavor, and the transport.

Resources (``jira/resources/*.py``) take an :class:`ApiContext` and call Jira
only through its helpers, which go through :meth:`Transport.send` — the one
I/O seam. Cloud speaks REST v3 (ADF rich text) by default, Data Center v2
(wiki strings); ``api()`` builds the URL for the context's version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .transport import QueryParams, Transport

__all__ = ["ApiContext", "Flavor"]

Flavor = Literal["cloud", "dc"]


@dataclass(frozen=True, slots=True)
class ApiContext:
    """One Jira instance as seen by the SDK."""

    transport: Transport
    base_url: str  # the instance root: a site URL, a DC base URL, or api.atlassian.com/ex/jira/{cloudId}
    flavor: Flavor
    version: str = ""  # REST API version; "" picks 3 on Cloud and 2 on DC
    cloud_id: str | None = None  # the site's cloudId, when known (DevOps APIs need it)

    @property
    def api_version(self) -> str:
        return self.version or ("3" if self.flavor == "cloud" else "2")

    @property
    def cloud(self) -> bool:
        return self.flavor == "cloud"

    @property
    def adf(self) -> bool:
        """True when rich text travels as ADF (REST v3), False for wiki strings (v2)."""
        return self.api_version == "3"

    def api(self, path: str) -> str:
        """The URL of ``path`` (starting with ``/``) under ``/rest/api/{version}``."""
        return f"{self.base_url.rstrip('/')}/rest/api/{self.api_version}{path}"

    def url(self, path: str) -> str:
        """The URL of ``path`` under the instance root (for non-``/rest/api`` resources)."""
        return f"{self.base_url.rstrip('/')}{path}"

    async def get(self, path: str, params: QueryParams | None = None) -> Any:
        return await self.transport.request_json("GET", self.api(path), params=params)

    async def post(
        self,
        path: str,
        json: Any = None,
        params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        return await self.transport.request_json(
            "POST", self.api(path), json=json, params=params, headers=headers
        )

    async def put(self, path: str, json: Any = None, params: QueryParams | None = None) -> Any:
        return await self.transport.request_json("PUT", self.api(path), json=json, params=params)

    async def delete(self, path: str, params: QueryParams | None = None) -> Any:
        return await self.transport.request_json("DELETE", self.api(path), params=params)
