"""``GET /oauth/token/accessible-resources`` and ``GET {site}/_edge/tenant_info``.

The first lists the sites an access token's grant covers, as Atlassian's
"OAuth 2.0 (3LO) apps" guide shows it (``[{id, url, name, scopes,
avatarUrl}]``, ``id`` being the cloudId); a client-credentials token covers no
user-consented site and gets ``[]``. The second is the unauthenticated lookup
of a site's cloudId used by 2LO clients (``{"cloudId": ...}``).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from .errors import OAuthHttpError
from .gateway import UNAUTHORIZED
from .plumbing import Call, json_reply, oauth_route

__all__ = ["resources_routes"]


def _bearer(call: Call) -> str:
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _accessible_resources(call: Call) -> Response:
    found = call.oauth.cloud.access(_bearer(call), call.now) if _bearer(call) else None
    if found is None or found.expired:
        raise OAuthHttpError(401, {"code": 401, "message": UNAUTHORIZED})
    grant = found.grant
    call.credential = f"oauth:{grant.client_id[:64]}"
    if grant.account_id is None:
        return json_reply([])
    scopes = sorted(s for s in grant.scopes if s != "offline_access")
    root = call.root()
    out = []
    for name, inst in call.sandbox.sites.items():
        if inst.cloud_id in grant.resources:
            out.append(
                {
                    "id": inst.cloud_id,
                    "url": f"{root}/sites/{name}",
                    "name": name,
                    "scopes": scopes,
                    "avatarUrl": f"{root}/sites/{name}/images/site-avatar.png",
                }
            )
    return json_reply(out)


async def _tenant_info(call: Call) -> Response:
    inst = call.sandbox.sites.get(call.request.path_params["site"])
    if inst is None:
        raise OAuthHttpError(404, {"errorMessages": ["Site not found."], "errors": {}})
    return json_reply({"cloudId": inst.cloud_id})


def resources_routes() -> list[Route]:
    return [
        oauth_route(
            "/oauth/token/accessible-resources",
            _accessible_resources,
            methods=["GET"],
            instance="api",
            operation="accessible-resources",
        ),
        oauth_route(
            "/sites/{site}/_edge/tenant_info",
            _tenant_info,
            methods=["GET"],
            instance=lambda r: f"sites/{r.path_params['site']}",
            operation="tenant_info",
        ),
    ]
