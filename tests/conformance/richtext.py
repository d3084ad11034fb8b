"""Rich text in responses: ADF documents on REST v3, wiki strings on REST v2.

The platform spec leaves issue fields and comment bodies untyped, so the
schema check cannot tell a v3 ADF document from a v2 string. This module
finds the rich-text places in a response body (an issue's ``description``
and ``environment``, comment ``body``s) and checks each: on v3 it must be an
ADF ``doc`` valid against Atlassian's ADF JSON schema
(``adf-schema-full-v1.json``), on v2 a string. ``null`` is fine on both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.conformance.oas import Problem

__all__ = ["rich_text_problems"]

_ISSUE_RICH_FIELDS = ("description", "environment")


@cache
def _adf_validator(path: Path) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _places(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every rich-text value under ``node``."""
    if isinstance(node, list):
        for n, item in enumerate(node):
            yield from _places(item, f"{path}[{n}]")
        return
    if not isinstance(node, dict):
        return
    fields = node.get("fields")
    # An issue (not a createmeta issue type nor a transition, whose "fields" hold metadata).
    if isinstance(fields, dict) and "key" in node:
        for name in _ISSUE_RICH_FIELDS:
            if name in fields:
                yield f"{path}.fields.{name}", fields[name]
    if "body" in node and "author" in node:  # a comment
        yield f"{path}.body", node["body"]
    for key, value in node.items():
        if key != "renderedFields":  # HTML strings on every version
            yield from _places(value, f"{path}.{key}")


def rich_text_problems(body: Any, *, v3: bool, adf_schema: Path) -> list[Problem]:
    problems = []
    for where, value in _places(body, "$"):
        if value is None:
            continue
        if not v3:
            if not isinstance(value, str):
                problems.append(
                    Problem(where, f"REST v2 rich text must be a string, not {value!r:.80}", "v2")
                )
            continue
        if not (isinstance(value, dict) and value.get("type") == "doc"):
            problems.append(Problem(where, f"REST v3 rich text must be an ADF doc, not {value!r:.80}", "adf"))
            continue
        for error in _adf_validator(adf_schema).iter_errors(value):
            problems.append(Problem(where + error.json_path[1:], f"ADF: {error.message:.200}", "adf"))
    return problems
