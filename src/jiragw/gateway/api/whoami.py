"""``GET /whoami``: the calling key, for any valid key (admin or not)."""

from __future__ import annotations

from fastapi import APIRouter

from jiragw.gateway.api.deps import Caller, Gw, names
from jiragw.gateway.api.models import KeyOut, WhoAmI
from jiragw.keys import is_admin

__all__ = ["router"]

router = APIRouter(tags=["keys"])


@router.get("/whoami", summary="The calling key (any valid key)")
async def whoami(gw: Gw, key: Caller) -> WhoAmI:
    by_id = await gw.store.run(names)
    return WhoAmI(key=KeyOut.of(key, gw.now(), by_id), admin=is_admin(key))
