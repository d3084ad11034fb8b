"""Tool arguments, checked where they enter: every call's arguments against the tool's JSON schema.

The schemas the tools publish (``tools/list``) are the ones enforced: closed
objects, with patterns for what goes into a Jira URL (issue and project keys,
numeric ids, connection names) and a length limit on JQL. A call whose
arguments break its schema is refused with :class:`~jiragw.errors.InvalidInput`
(``invalid_input``) naming the argument and the rule, before any connection is
opened or anything is sent; the message never repeats the offending value.

The validator (``jsonschema``, JSON Schema 2020-12 as MCP specifies) is
imported on the first call, not when the server starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from jiragw.errors import InvalidInput

from .tool import ToolSpec, schema

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

__all__ = [
    "CONNECTION_NAME",
    "ISSUE_KEY",
    "JQL",
    "MAX_JQL_LENGTH",
    "NUMERIC_ID",
    "PROJECT_KEY",
    "check_arguments",
    "input_schema",
    "whole",
]

# Longer JQL does not fit a GET request line on a default Data Center (8 KiB of request headers)
# and is refused here with the limit named, rather than failing somewhere on the way.
MAX_JQL_LENGTH: Final = 10_000


def whole(regex: str) -> str:
    """A ``pattern`` matching the whole string. ``jsonschema`` matches with Python's ``re``,
    whose ``$`` also matches before a final newline: ``(?!\\n)`` refuses that newline."""
    return f"^(?:{regex})$(?!\\n)"


ISSUE_KEY: Final[Mapping[str, Any]] = {
    "type": "string",
    "pattern": whole("[A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+"),
    "description": "Issue key, e.g. ABC-12.",
}
PROJECT_KEY: Final[Mapping[str, Any]] = {
    "type": "string",
    "pattern": whole("[A-Za-z][A-Za-z0-9_]*|[0-9]+"),
    "description": "Project key.",
}
NUMERIC_ID: Final[Mapping[str, Any]] = {"type": "string", "pattern": whole("[0-9]+")}
CONNECTION_NAME: Final[Mapping[str, Any]] = {
    "type": "string",
    "pattern": whole("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"),
}
JQL: Final[Mapping[str, Any]] = {"type": "string", "maxLength": MAX_JQL_LENGTH}

# What each pattern asks for, in words (the regular expression is shown for any other).
_PATTERN_WORDS: Final[Mapping[str, str]] = {
    ISSUE_KEY["pattern"]: "an issue key such as ABC-12, or a numeric issue id",
    PROJECT_KEY["pattern"]: "a project key such as ABC, or a numeric project id",
    NUMERIC_ID["pattern"]: "a numeric id",
    CONNECTION_NAME["pattern"]: "a connection name (letters, digits, '.', '_', '-')",
}

_validators: dict[str, Draft202012Validator] = {}


def input_schema(tool: ToolSpec, connections: Sequence[str] = ()) -> dict[str, Any]:
    """``tool``'s input schema as ``tools/list`` shows it: a Jira tool takes ``connection``, one
    of ``connections``, when there is a choice to make."""
    props = dict(tool.properties)
    required = list(tool.required)
    if tool.needs_connection and len(connections) > 1:
        props["connection"] = {"type": "string", "enum": list(connections), "description": "Which Jira."}
        required.append("connection")
    return schema(props, tuple(required))


def _checked_schema(tool: ToolSpec) -> dict[str, Any]:
    """The schema a call is checked against: the listed one, with ``connection`` a name the
    session then looks up (its own refusal names the choices), required only by the session."""
    props = dict(tool.properties)
    if tool.needs_connection:
        props["connection"] = CONNECTION_NAME
    return schema(props, tool.required)


def _validator(tool: ToolSpec) -> Draft202012Validator:
    found = _validators.get(tool.name)
    if found is None:
        from jsonschema import Draft202012Validator

        found = _validators[tool.name] = Draft202012Validator(_checked_schema(tool))
    return found


def _where(error: ValidationError) -> str:
    where = ""
    for part in error.absolute_path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "the arguments"


def _quoted(names: Iterable[str]) -> str:
    shown = [repr(n if len(n) <= 40 else n[:40] + "…") for n in sorted(names)[:5]]
    return ", ".join(shown)


def _describe(error: ValidationError, known: Iterable[str]) -> str:
    """What broke, naming the argument and the rule, never the value given."""
    where, rule = _where(error), str(error.validator)
    want: Any = error.validator_value
    instance: Any = error.instance
    if rule == "pattern":
        return f"{where} is not valid: it must be {_PATTERN_WORDS.get(str(want), f'text matching {want}')}"
    if rule == "maxLength":
        return f"{where} is too long: at most {want} characters, not {len(instance)}"
    if rule == "minLength":
        return f"{where} is too short: at least {want} characters"
    if rule == "type":
        return f"{where} must be of type {want}"
    if rule == "enum":
        return f"{where} must be one of: {', '.join(str(v) for v in want)}"
    if rule in {"minimum", "maximum"}:
        return f"{where} must be {'at least' if rule == 'minimum' else 'at most'} {want}"
    if rule in {"minItems", "maxItems"}:
        return f"{where} must hold {'at least' if rule == 'minItems' else 'at most'} {want} items"
    if rule == "uniqueItems":
        return f"{where} must not repeat an item"
    if rule == "required":
        missing = [name for name in want if name not in instance]
        return f"missing argument: {_quoted(missing)}"
    if rule == "additionalProperties":
        unknown = [str(name) for name in instance if name not in set(known)]
        return f"unknown argument: {_quoted(unknown)}"
    return f"{where} does not satisfy the rule {rule!r} of the tool's schema"


def check_arguments(tool: ToolSpec, arguments: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidInput` when ``arguments`` break ``tool``'s input schema."""
    from jsonschema.exceptions import best_match

    validator = _validator(tool)
    error = best_match(validator.iter_errors(dict(arguments)))
    if error is None:
        return
    known = _checked_schema(tool)["properties"]
    where = _where(error)
    raise InvalidInput(
        f"the arguments of {tool.name} are not valid: {_describe(error, known)}",
        details={"field": where} if where != "the arguments" else {},
    )
