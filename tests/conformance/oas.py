"""Validate sandbox responses against Atlassian's OpenAPI 3.0 spec of the platform REST API.

:class:`Spec` loads ``jira-platform-swagger-v3.v3.json`` and, for an
``operationId`` and a status code, validates a JSON body against that
response's schema with ``openapi-schema-validator``'s OAS 3.0 *read*
validator: ``nullable`` and ``additionalProperties`` as OpenAPI 3.0 defines
them, and ``readOnly`` properties allowed (a response is what the server
reads out). ``$ref``s resolve into the spec's ``components``.

Formats are checked with Jira's own conventions, not RFC 3339's: Jira writes
timestamps as ``2024-01-31T09:15:00.000+0000`` (no colon in the offset), and
the spec's own examples do too.

Places where the spec is wrong about real Jira are not loosened here; they
are listed, with a reason each, in ``allowances.json`` and applied by
:meth:`Spec.errors`, which drops only the errors an allowance names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator

__all__ = ["Allowance", "Problem", "ResponseSpec", "Spec", "format_checker", "load_allowances", "load_spec"]

ALLOWANCES_FILE = Path(__file__).with_name("allowances.json")

_JIRA_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def format_checker() -> FormatChecker:
    """The formats the spec uses, as Jira writes them."""
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def _datetime(value: object) -> bool:
        return not isinstance(value, str) or _JIRA_DATETIME.fullmatch(value) is not None

    @checker.checks("date")
    def _date(value: object) -> bool:
        return not isinstance(value, str) or _DATE.fullmatch(value) is not None

    @checker.checks("uuid")
    def _uuid(value: object) -> bool:
        return not isinstance(value, str) or _UUID.fullmatch(value) is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        # Absolute URIs: a relative ``self`` link breaks clients that follow it.
        return not isinstance(value, str) or _URI.fullmatch(value) is not None

    for name, (low, high) in _INT_RANGES.items():

        def _int(value: object, low: int = low, high: int = high) -> bool:
            return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

        checker.checks(name)(_int)
    return checker


@dataclass(frozen=True)
class Problem:
    """One validation error, located by a JSON path into the body."""

    path: str
    message: str
    schema_path: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Allowance:
    """A documented difference between the spec and real Jira (see allowances.json)."""

    operations: tuple[str, ...]  # operationIds, or ("*",) for every operation
    targets: tuple[str, ...]  # "cloud-v3", "cloud-v2", "dc-v2", or ("*",)
    path: re.Pattern[str]  # regex over Problem.path
    message: re.Pattern[str]  # regex searched in Problem.message
    reason: str

    def covers(self, operation: str, target: str, problem: Problem) -> bool:
        return (
            ("*" in self.operations or operation in self.operations)
            and ("*" in self.targets or target in self.targets)
            and self.path.fullmatch(problem.path) is not None
            and self.message.search(problem.message) is not None
        )


def load_allowances(path: Path = ALLOWANCES_FILE) -> list[Allowance]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Allowance(
            tuple(a["operations"]),
            tuple(a["targets"]),
            re.compile(a["path"]),
            re.compile(a["message"]),
            a["reason"],
        )
        for a in data["allowances"]
    ]


@dataclass(frozen=True)
class ResponseSpec:
    operation_id: str
    method: str
    path: str  # the spec's template, e.g. /rest/api/3/issue/{issueIdOrKey}
    responses: dict[str, Any]

    @property
    def success_statuses(self) -> set[int]:
        return {int(code) for code in self.responses if code.isdigit() and 200 <= int(code) < 300}

    def schema(self, status: int) -> dict[str, Any] | None:
        """The JSON schema of the body for ``status`` (None: the spec documents no JSON body)."""
        response = self.responses.get(str(status)) or self.responses.get("default")
        if response is None:
            return None
        content = response.get("content", {})
        for media, body in content.items():
            if media.startswith("application/json") or media == "*/*":
                schema = body.get("schema")
                return dict(schema) if schema is not None else None
        return None


class Spec:
    """The platform spec, indexed by operationId, with cached validators."""

    def __init__(self, path: Path) -> None:
        self.raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.components: dict[str, Any] = self.raw["components"]
        self.operations: dict[str, ResponseSpec] = {}
        for tpl, item in self.raw["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.operations[op["operationId"]] = ResponseSpec(
                        op["operationId"], method.upper(), tpl, op.get("responses", {})
                    )
        self._validators: dict[tuple[str, int], OAS30ReadValidator | None] = {}
        self._checker = format_checker()

    def operation(self, operation_id: str) -> ResponseSpec:
        try:
            return self.operations[operation_id]
        except KeyError:
            raise KeyError(f"operationId {operation_id!r} is not in the platform spec") from None

    def _validator_for(self, schema: dict[str, Any]) -> OAS30ReadValidator:
        # The schema is wrapped beside the spec's components, so "#/components/..." resolves.
        root = {"allOf": [schema], "components": self.components}
        return OAS30ReadValidator(root, format_checker=self._checker)

    def validator(self, operation_id: str, status: int) -> OAS30ReadValidator | None:
        key = (operation_id, status)
        if key not in self._validators:
            schema = self.operation(operation_id).schema(status)
            self._validators[key] = None if schema is None else self._validator_for(schema)
        return self._validators[key]

    def component_validator(self, name: str) -> OAS30ReadValidator:
        key = ("#" + name, 0)
        if key not in self._validators:
            self._validators[key] = self._validator_for({"$ref": f"#/components/schemas/{name}"})
        found = self._validators[key]
        assert found is not None
        return found

    def problems(self, operation_id: str, status: int, body: Any) -> list[Problem]:
        """Every schema violation of ``body`` as the ``status`` response of ``operation_id``."""
        validator = self.validator(operation_id, status)
        if validator is None:
            return []
        return sorted(_flatten(validator.iter_errors(body)), key=lambda p: (p.path, p.message))

    def errors(
        self, operation_id: str, status: int, body: Any, target: str, allowances: list[Allowance]
    ) -> list[Problem]:
        """:meth:`problems` minus those an allowance covers for this operation and target."""
        return [
            p
            for p in self.problems(operation_id, status, body)
            if not any(a.covers(operation_id, target, p) for a in allowances)
        ]


def _flatten(errors: Iterator[ValidationError]) -> Iterator[Problem]:
    """Leaf errors: an ``allOf``/``anyOf`` failure reports what inside it failed."""
    for error in errors:
        if error.context:
            yield from _flatten(iter(error.context))
            continue
        yield Problem(
            error.json_path,
            error.message if len(error.message) < 300 else error.message[:300] + "...",
            "/".join(str(p) for p in error.schema_path),
        )


@cache
def load_spec(path: Path) -> Spec:
    return Spec(path)
