"""Route modules of the emulated Jira REST APIs; importing this registers them all."""

from . import (  # noqa: F401
    agile,
    agile_writes,
    comments,
    dashboards,
    fields,
    filters,
    issues,
    links,
    meta,
    projects,
    search,
    server,
    transitions,
    users,
)
