"""``connections``: the connections this session can reach, with their status.

Answers from the gateway's store only (no Jira call): name, flavor, method,
site, status (active / reauth_required / revoked) and, for one connection,
its scopes, token expiry and last error. A connection that needs a human
says where to re-authorize it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.broker.manage import list_connections

from ..arguments import CONNECTION_NAME
from ..tool import Call, Result, ToolSpec

__all__ = ["TOOLS"]


async def _connections(call: Call, args: Mapping[str, Any]) -> Result:
    reachable = {c.name for c in await call.access.connections()}
    views = [v for v in await list_connections(call.access.broker) if v.name in reachable]
    wanted = args.get("name")
    if wanted:
        views = [v for v in views if v.name == wanted]
    data = []
    lines = []
    for v in views:
        item: dict[str, Any] = {
            "name": v.name,
            "flavor": v.flavor,
            "method": v.method,
            "site": v.site_url,
            "status": v.status,
        }
        if v.status_reason and v.status != "active":
            item["reason"] = v.status_reason
        if wanted:
            item.update(
                {
                    k: val
                    for k, val in {
                        "scopes": list(v.scopes),
                        "account": v.account,
                        "expires": v.access_expires_at.isoformat() if v.access_expires_at else None,
                        "last_error": v.last_error,
                    }.items()
                    if val
                }
            )
        data.append(item)
        line = f"- {v.name}: {v.status} ({v.flavor}, {v.method}, {v.site_url})"
        if v.status == "reauth_required":
            where = f"{call.access.public_url}/" if call.access.public_url else "`jiragw connect`"
            line += f"; re-authorize at {where}"
        lines.append(line)
    text = (
        "\n".join(lines)
        if lines
        else "No connection is reachable" + (f" named {wanted!r}." if wanted else ".")
    )
    return Result(text, {"connections": data})


TOOLS = (
    ToolSpec(
        name="connections",
        title="Jira connections",
        description=(
            "The Jira connections this session can use, with status (active, reauth_required, revoked)."
        ),
        properties={"name": {**CONNECTION_NAME, "description": "Show one connection in detail."}},
        handler=_connections,
        needs_connection=False,
    ),
)
