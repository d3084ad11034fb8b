"""``/docs``: the management API's OpenAPI document rendered as one self-contained HTML page.

No Swagger UI and no asset from the network: a plain page listing each
operation (method, path, summary, parameters, request body, responses) with a
link to the raw document. Every string from the document is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

__all__ = ["endpoint", "render"]

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#172b4d}
code{font:13px ui-monospace,monospace}
.op{border:1px solid #dfe1e6;border-radius:6px;margin:.75rem 0;padding:.5rem .9rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#006644}.post{color:#0747a6}.delete{color:#bf2600}.put,.patch{color:#974f0c}
table{border-collapse:collapse;margin:.3rem 0}
td,th{text-align:left;padding:.1rem .6rem .1rem 0;vertical-align:top}
.muted{color:#6b778c}
"""


def _ref_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_ref_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_ref_name(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def _operation(method: str, path: str, op: dict[str, Any]) -> str:
    rows = []
    for p in op.get("parameters", []):
        required = "required" if p.get("required") else "optional"
        rows.append(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p.get('in', ''))}</td>"
            f"<td>{escape(_ref_name(p.get('schema', {})))}</td><td class=muted>{required}</td>"
            f"<td>{escape(p.get('description', ''))}</td></tr>"
        )
    params = f"<table>{''.join(rows)}</table>" if rows else ""
    body = ""
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        body = f"<div>Body: <code>{escape(_ref_name(content.get('schema', {})))}</code></div>"
    answers = []
    for status, answer in sorted(op.get("responses", {}).items()):
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        what = f" <code>{escape(_ref_name(schema))}</code>" if schema else ""
        answers.append(f"<code>{escape(status)}</code>{what}")
    secured = "" if op.get("security") else " <span class=muted>(no key needed)</span>"
    return (
        f'<div class=op id="{escape(op.get("operationId", ""))}"><span class="m {method}">{method}</span>'
        f"<code>{escape(path)}</code> — {escape(op.get('summary', ''))}{secured}"
        f"{params}{body}<div class=muted>Responses: {', '.join(answers)}</div></div>"
    )


def _schema(name: str, schema: dict[str, Any]) -> str:
    fields = "".join(
        f"<tr><td><code>{escape(field)}</code></td><td>{escape(_ref_name(spec))}</td>"
        f"<td>{escape(spec.get('description', ''))}</td></tr>"
        for field, spec in schema.get("properties", {}).items()
    )
    return f'<h3 id="schema-{escape(name)}">{escape(name)}</h3><table>{fields}</table>'


def render(doc: dict[str, Any], openapi_url: str) -> str:
    """The HTML page of an OpenAPI document."""
    base = "".join(s.get("url", "") for s in doc.get("servers", [])[:1])
    info = doc.get("info", {})
    sections: dict[str, list[str]] = {}
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                sections.setdefault(tag, []).append(_operation(method, base + path, item[method]))
    ops = "".join(f"<h2>{escape(tag)}</h2>{''.join(items)}" for tag, items in sections.items())
    schemas = "".join(_schema(n, s) for n, s in doc.get("components", {}).get("schemas", {}).items())
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(info.get('title', 'API'))}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info.get('title', 'API'))} "
        f"<span class=muted>{escape(info.get('version', ''))}</span></h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        f'<p>Machine-readable: <a href="{escape(openapi_url)}"><code>{escape(openapi_url)}</code></a>. '
        "Authenticate with <code>Authorization: Bearer jgw_...</code> (a key with the "
        '<code>jiragw:admin</code> scope). Errors are <code>{"error": {"code", "message"}}</code>.</p>'
        f"{ops}<h2>Schemas</h2>{schemas}</body></html>"
    )


def endpoint(openapi: Callable[[], dict[str, Any]], openapi_url: str) -> Callable[[Request], Any]:
    """A Starlette endpoint serving :func:`render` of ``openapi()`` (rendered once)."""
    page: list[str] = []

    async def docs(request: Request) -> HTMLResponse:
        if not page:
            page.append(render(openapi(), openapi_url))
        return HTMLResponse(page[0])

    return docs
