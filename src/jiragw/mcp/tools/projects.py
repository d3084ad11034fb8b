"""``projects``: list the projects, or one project's metadata (Jira "Projects", ``createmeta``).

Without ``project`` it lists key, name and type of every visible project.
With ``project`` it gives the issue types and the statuses of each; adding
``issue_type`` gives that type's create fields, required ones first, with the
allowed values an agent needs to fill them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..arguments import PROJECT_KEY
from ..render import name_of
from ..tool import Call, Op, Result, ToolSpec

__all__ = ["TOOLS"]

_LIST_MAX = 200
_VALUES_MAX = 30


async def _list(call: Call) -> Result:
    found = []
    async for project in call.jira.projects.search():
        found.append(project)
        if len(found) > _LIST_MAX:
            break
    shown = found[:_LIST_MAX]
    data = [
        {"key": p.key, "name": p.name, **({"type": p.project_type} if p.project_type else {})} for p in shown
    ]
    text = f"{len(shown)} projects:\n" + "\n".join(f"- {p['key']}: {p['name']}" for p in data)
    out: dict[str, Any] = {"projects": data}
    if len(found) > _LIST_MAX:
        out["truncated"] = True
        text += f"\nOnly the first {_LIST_MAX} are shown; name a project to see it."
    return Result(text, out)


async def _fields(call: Call, project: str, issue_type: str) -> tuple[list[str], list[dict[str, Any]]]:
    meta = await call.jira.projects.create_fields(project, issue_type)
    rows = sorted(meta.items(), key=lambda kv: (not kv[1].get("required"), str(kv[1].get("name"))))
    lines, data = [], []
    for fid, m in rows:
        allowed = [str(name_of(v)) for v in m.get("allowedValues") or [] if name_of(v)]
        item: dict[str, Any] = {"name": str(m.get("name") or fid), "id": fid}
        if m.get("required"):
            item["required"] = True
        kind = (m.get("schema") or {}).get("type")
        if kind:
            item["type"] = kind
        if allowed:
            item["allowed"] = allowed[:_VALUES_MAX]
        data.append(item)
        flag = " (required)" if item.get("required") else ""
        more = f" … {len(allowed) - _VALUES_MAX} more" if len(allowed) > _VALUES_MAX else ""
        values = f": {', '.join(allowed[:_VALUES_MAX])}{more}" if allowed else ""
        lines.append(f"- {item['name']}{flag}{values}")
    return lines, data


async def _projects(call: Call, args: Mapping[str, Any]) -> Result:
    key = args.get("project")
    if not key:
        return await _list(call)
    project = await call.jira.projects.get(str(key))
    statuses = await call.jira.projects.statuses(project.key)
    types = [t.name for t in project.issue_types]
    data: dict[str, Any] = {
        "key": project.key,
        "name": project.name,
        "issue_types": types,
        "statuses": {t: [s.name for s in sts] for t, sts in statuses.items()},
    }
    if project.lead is not None:
        data["lead"] = project.lead.display_name
    lines = [f"{project.key}: {project.name}" + (f" (lead {data['lead']})" if "lead" in data else "")]
    lines.append("Issue types: " + ", ".join(types))
    for t, names in data["statuses"].items():
        lines.append(f"Statuses of {t}: {', '.join(names)}")
    if args.get("issue_type"):
        field_lines, field_data = await _fields(call, project.key, str(args["issue_type"]))
        data["create_fields"] = field_data
        lines += [f"Create fields of {args['issue_type']}:", *field_lines]
    return Result("\n".join(lines), data)


TOOLS = (
    ToolSpec(
        name="projects",
        title="Projects and their metadata",
        description=(
            "Without 'project': list the projects (key, name). With "
            "'project': its issue types and the statuses "
            "of each; add 'issue_type' for the fields of its create "
            "screen (required ones and allowed values)."
        ),
        properties={
            "project": PROJECT_KEY,
            "issue_type": {"type": "string", "description": "Issue type name (with 'project')."},
        },
        ops=(
            Op("GET", "/rest/api/3/project/search", "cloud"),
            Op("GET", "/rest/api/3/project", "dc"),
            Op("GET", "/rest/api/3/project/ABC"),
            Op("GET", "/rest/api/3/project/ABC/statuses"),
            Op("GET", "/rest/api/3/issue/createmeta", "cloud"),
            Op("GET", "/rest/api/3/issue/createmeta/ABC/issuetypes/1", "dc"),
        ),
        handler=_projects,
    ),
)
