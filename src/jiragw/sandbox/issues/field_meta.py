"""Jira's ``FieldMetadata`` for settable fields: editmeta, createmeta and ``transitions.fields``.

One description per field (required flag, schema, name, operations, allowed
values), shared by the platform spec's ``getEditIssueMeta``,
``getCreateIssueMeta*`` and ``getTransitions`` (``expand=transitions.fields``).
"""

from __future__ import annotations

from typing import Any

from ..http.context import Ctx
from ..state.model import Instance, Project
from .field_values import LIST_FIELDS, field_options

__all__ = ["field_metadata"]


# Schemas for settable system fields whose FieldDef carries none (Jira's JsonTypeBean).
_FALLBACK_SCHEMAS: dict[str, dict[str, Any]] = {"parent": {"type": "issuelink", "system": "parent"}}


def field_metadata(ctx: Ctx, project: Project, fid: str, *, required: bool = False) -> dict[str, Any] | None:
    """Jira's ``FieldMetadata`` for one settable field (``None`` for unknown ids)."""
    from ..rendering.shapes import render_priority

    inst: Instance = ctx.instance
    fdef = inst.fields.get(fid)
    if fdef is None:
        return None
    ops = ["add", "set", "remove"] if fid in LIST_FIELDS else ["set"]
    out: dict[str, Any] = {
        "required": required,
        "schema": fdef.schema or _FALLBACK_SCHEMAS.get(fid, {"type": "any", "system": fid}),
        "name": fdef.name,
        "key": fid,
        "operations": ops,
        "hasDefaultValue": False,
    }
    allowed: list[dict[str, Any]] | None = None
    if fid == "priority":
        allowed = [render_priority(ctx, p) for p in inst.priorities.values()]
    elif fid == "resolution":
        allowed = [
            {"self": ctx.api(f"/resolution/{r.id}"), "id": r.id, "name": r.name, "description": r.description}
            for r in inst.resolutions.values()
        ]
    elif fid == "components":
        allowed = [
            {"self": ctx.api(f"/component/{c}"), "id": str(c), "name": inst.components[c].name}
            for c in project.component_ids
            if c in inst.components
        ]
    elif fid in ("fixVersions", "versions"):
        allowed = [
            {"self": ctx.api(f"/version/{v}"), "id": str(v), "name": inst.versions[v].name}
            for v in project.version_ids
            if v in inst.versions
        ]
    elif fdef.schema and fdef.schema.get("type") == "option":
        allowed = [{"self": ctx.api(f"/customFieldOption/{o['id']}"), **o} for o in field_options(fdef)]
    if allowed is not None:
        out["allowedValues"] = allowed
    return out
