"""The tool groups, one module each; :data:`ALL_TOOLS` is the full set in listing order."""

from __future__ import annotations

from ..tool import ToolSpec
from . import (
    agile,
    comments,
    connections,
    devops,
    filters_dashboards,
    issues,
    projects,
    search,
    summary,
    users_fields,
)

__all__ = ["ALL_TOOLS", "by_name"]

ALL_TOOLS: tuple[ToolSpec, ...] = (
    *search.TOOLS,
    *issues.TOOLS,
    *comments.TOOLS,
    *projects.TOOLS,
    *users_fields.TOOLS,
    *filters_dashboards.TOOLS,
    *agile.TOOLS,
    *summary.TOOLS,
    *devops.TOOLS,
    *connections.TOOLS,
)


def by_name() -> dict[str, ToolSpec]:
    return {t.name: t for t in ALL_TOOLS}
