"""``serverInfo`` and ``myself``: what every client calls first."""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..http.endpoints import endpoint
from ..rendering.shapes import jira_datetime, render_user

# Build facts reported by serverInfo; DC numbers look like a current 9.x LTS.
_CLOUD_VERSION = ("1001.0.0-SNAPSHOT", [1001, 0, 0], 100_290)
_DC_VERSION = ("9.12.15", [9, 12, 15], 9_120_015)


@endpoint("GET", "/rest/api/{version}/serverInfo", "getServerInfo", anonymous=True)
async def server_info(ctx: Ctx) -> dict[str, Any]:
    version, numbers, build = _CLOUD_VERSION if ctx.cloud else _DC_VERSION
    out: dict[str, Any] = {
        "baseUrl": ctx.base,
        "version": version,
        "versionNumbers": numbers,
        "deploymentType": "Cloud" if ctx.cloud else "Server",
        "buildNumber": build,
        "buildDate": "2025-12-01T00:00:00.000+0000",
        "serverTime": jira_datetime(ctx.sandbox.clock.now()),
        "scmInfo": "0c7e1c5b2d",
        "serverTitle": ctx.instance.title,
    }
    if not ctx.cloud:
        out["deploymentType"] = "Server"
    return out


@endpoint("GET", "/rest/api/{version}/myself", "getCurrentUser")
async def myself(ctx: Ctx) -> dict[str, Any]:
    return render_user(ctx, ctx.user, full=True)


ROUTES = (server_info, myself)
