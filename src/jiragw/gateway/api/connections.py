"""``/connections``: list, show, test, revoke and remove connections (admin keys only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from jiragw.broker import list_connections, remove_connection, revoke_connection, show_connection
from jiragw.errors import JiragwError
from jiragw.gateway.api.deps import Admin, Gw, audited
from jiragw.gateway.api.models import CONNECTION_NAME, ConnectionOut, ConnectionTest, ErrorDetail

__all__ = ["router"]

router = APIRouter(tags=["connections"])

ConnectionParam = Annotated[str, Path(pattern=CONNECTION_NAME, description="A connection name.")]


@router.get("/connections", summary="Every connection and its status")
async def connections_list(gw: Gw, key: Admin) -> list[ConnectionOut]:
    return [ConnectionOut.of(v) for v in await list_connections(gw.broker)]


@router.get("/connections/{name}", summary="One connection")
async def connections_show(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionOut:
    return ConnectionOut.of(await show_connection(gw.broker, name))


@router.post("/connections/{name}/test", summary="Call Jira's myself with it")
async def connections_test(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionTest:
    async with audited(gw, key, "api.connection.test", "POST", name):
        await show_connection(gw.broker, name)  # NotFound is the caller's error, not the test's
        try:
            me = await gw.broker.test(name)
        except JiragwError as exc:
            return ConnectionTest(name=name, ok=False, error=ErrorDetail(code=exc.code, message=exc.message))
    return ConnectionTest(
        name=name, ok=True, display_name=me.display_name, account_id=me.account_id, user=me.name
    )


@router.post("/connections/{name}/revoke", summary="Revoke its grant (terminal)")
async def connections_revoke(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionOut:
    async with audited(gw, key, "api.connection.revoke", "POST", name):
        await revoke_connection(gw.broker, name, reason=f"revoked through the API by key {key.id}")
    return ConnectionOut.of(await show_connection(gw.broker, name))


@router.delete(
    "/connections/{name}",
    summary="Remove it (and its grant's secrets once unused)",
    status_code=204,
    response_class=Response,
)
async def connections_remove(gw: Gw, name: ConnectionParam, key: Admin) -> Response:
    async with audited(gw, key, "api.connection.remove", "DELETE", name):
        await remove_connection(gw.broker, name)
    return Response(status_code=204)
