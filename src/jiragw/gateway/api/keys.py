"""``/keys``: list, create (the response carries the key, once), show and revoke inbound keys; the presets.

Creation and revocation go through :mod:`jiragw.keys`, the one implementation
the admin UI and CLI share; the calling admin key is the actor.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Response

from jiragw.errors import InvalidInput
from jiragw.gateway.api.deps import PREFIX, Admin, Gw, audited, names, utc
from jiragw.gateway.api.models import TEXT, ErrorBody, KeyCreate, KeyCreated, KeyOut, PresetOut
from jiragw.keys import PRESETS, create_key, list_keys, preset_scopes, revoke_key

__all__ = ["router"]

router = APIRouter(tags=["keys"])

KeyRef = Annotated[str, Path(min_length=1, max_length=128, pattern=TEXT, description="A key id or its name.")]


@router.get("/keys", summary="Every inbound key (never the key itself)")
async def keys_list(gw: Gw, key: Admin) -> list[KeyOut]:
    records = await gw.store.call(list_keys)
    by_id = await gw.store.run(names)
    now = gw.now()
    return [KeyOut.of(r, now, by_id) for r in records]


@router.get("/keys/presets", summary="The ready-made scope ceilings")
async def keys_presets(gw: Gw, key: Admin) -> list[PresetOut]:
    out = []
    for preset in PRESETS.values():
        scopes, read_only = preset_scopes(preset.name, gw.table)
        out.append(
            PresetOut(name=preset.name, label=preset.label, read_only=read_only, scopes=sorted(scopes))
        )
    return out


@router.post(
    "/keys",
    summary="Create a key; the response carries it, once",
    status_code=201,
    responses={404: {"model": ErrorBody, "description": "A named connection does not exist."}},
)
async def keys_create(gw: Gw, body: KeyCreate, key: Admin, response: Response) -> KeyCreated:
    async with audited(gw, key, "api.key.create", "POST", body.name):
        if body.preset is not None and body.scopes is not None:
            raise InvalidInput("give a preset or scopes, not both")
        if body.expires_at is not None and body.expires_in_days is not None:
            raise InvalidInput("give expires_at or expires_in_days, not both")
        expires = utc(body.expires_at, "expires_at") if body.expires_at is not None else None
        if body.expires_in_days is not None:
            expires = gw.now() + timedelta(days=body.expires_in_days)
        minted, record = await gw.store.call(
            create_key,
            name=body.name,
            connections=body.connections,
            created_by=f"key:{key.id}",
            preset=body.preset,
            scopes=body.scopes,
            read_only=body.read_only,
            expires_at=expires,
        )
    by_id = await gw.store.run(names)
    out = KeyOut.of(record, gw.now(), by_id)
    response.headers["Location"] = f"{PREFIX}/keys/{record.id}"
    return KeyCreated(**out.model_dump(), key=minted.secret.reveal())


@router.get("/keys/{ref}", summary="One key, by id or name")
async def keys_show(gw: Gw, ref: KeyRef, key: Admin) -> KeyOut:
    record = await gw.store.run(lambda tx: tx.keys.find(ref))
    by_id = await gw.store.run(names)
    return KeyOut.of(record, gw.now(), by_id)


@router.post("/keys/{ref}/revoke", summary="Revoke a key, effective at once")
async def keys_revoke(gw: Gw, ref: KeyRef, key: Admin) -> KeyOut:
    async with audited(gw, key, "api.key.revoke", "POST", ref):
        record = await gw.store.call(revoke_key, ref, actor=f"key:{key.id}")
        gw.forget_key(record.id)
    by_id = await gw.store.run(names)
    return KeyOut.of(record, gw.now(), by_id)
