"""A JQL builder whose output user input cannot restructure.

Every value is written as a double-quoted JQL string with ``\\``, ``"`` and
control characters escaped (JQL's string escapes: ``\\"``, ``\\\\``, ``\\n``,
``\\t``, ``\\r``, ``\\uXXXX``), so a value can never close its string, add a
clause, or become a keyword. Field names are written bare only when they are
plain identifiers that are not JQL keywords or reserved words; otherwise they
are quoted the same way. Function names must be identifiers; their arguments
are quoted.

    >>> q = (field("project").eq("PRJ") & field("labels").in_(["a", "b"])).order_by(field("created").desc())
    >>> str(q)
    'project = "PRJ" AND labels IN ("a", "b") ORDER BY created DESC'

Precedence follows Jira's (NOT > AND > OR); the builder parenthesises every
OR inside an AND and every operand of NOT, and flattens ``a & (b & c)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "And",
    "Clause",
    "Field",
    "Function",
    "Not",
    "Or",
    "Query",
    "Sort",
    "Terminal",
    "field",
    "fn",
    "order_by",
    "quote",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CUSTOM_FIELD = re.compile(r"cf\[[0-9]+\]\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
# Words JQL's grammar uses, and Jira's documented reserved words: a field name matching either is
# quoted rather than written bare (Jira rejects them bare).
_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc", "was", "changed", "cf"}
)
_RESERVED_WORDS = """
    abort access add after alias all alter any as audit avg before begin between boolean break byte
    catch char character check checkpoint collate collation column commit connect continue count
    create current date decimal declare decrement default defaults define delete delimiter
    difference distinct divide do double drop else encoding end equals escape exclusive exec execute
    exists explain false fetch file field first float for from function go goto grant greater group
    having identified if immediate increment index initial inner inout input insert int integer
    intersect intersection into isempty isnull join last left less like limit lock long max min
    minus mode modify modulo more multiply next noaudit notin nowait number object of on option
    outer output power previous prior privileges public raise raw remainder rename resource return
    returns revoke right row rowid rownum rows select session set share size sqrt start strict
    string subtract sum synonym table then to trans transaction trigger true uid union unique update
    user validate values view when whenever where while with
"""
_RESERVED = frozenset(_RESERVED_WORDS.split())


def quote(value: str) -> str:
    """``value`` as a double-quoted JQL string literal that parses back to exactly ``value``."""
    out = ['"']
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not ch.isprintable() and ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _name(name: str) -> str:
    if _CUSTOM_FIELD.match(name):
        return name
    if _IDENTIFIER.match(name) and name.lower() not in _KEYWORDS | _RESERVED:
        return name
    return quote(name)


@dataclass(frozen=True, slots=True)
class Function:
    """A JQL function call such as ``currentUser()`` or ``startOfDay("-1d")``."""

    name: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.name):
            raise ValueError(f"not a JQL function name: {self.name!r}")

    def __str__(self) -> str:
        return f"{self.name}({', '.join(quote(a) for a in self.args)})"


def fn(name: str, *args: str) -> Function:
    """A function operand: ``fn("currentUser")``, ``fn("startOfDay", "-1d")``."""
    return Function(name, tuple(args))


Scalar = str | int | Function


def _operand(value: Scalar) -> str:
    if isinstance(value, Function):
        return str(value)
    if isinstance(value, bool):  # bool is an int; JQL has no booleans
        raise TypeError("JQL has no boolean values")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"not a JQL value: {value!r}")


class Clause:
    """Base of the clause tree; combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    def __and__(self, other: Clause) -> Clause:
        return And(_flatten(And, (self, other)))

    def __or__(self, other: Clause) -> Clause:
        return Or(_flatten(Or, (self, other)))

    def __invert__(self) -> Clause:
        return Not(self)

    def order_by(self, *sorts: Sort | str) -> Query:
        return Query(self, tuple(_sort(s) for s in sorts))

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()


def _flatten(kind: type[And] | type[Or], parts: Iterable[Clause]) -> tuple[Clause, ...]:
    out: list[Clause] = []
    for part in parts:
        out.extend(part.children if isinstance(part, kind) else (part,))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Terminal(Clause):
    """``field op operand``; ``operand`` is already rendered JQL."""

    field: str
    op: str
    operand: str

    def render(self) -> str:
        return f"{_name(self.field)} {self.op} {self.operand}"


@dataclass(frozen=True, slots=True)
class And(Clause):
    children: tuple[Clause, ...]

    def render(self) -> str:
        return " AND ".join(f"({c.render()})" if isinstance(c, Or) else c.render() for c in self.children)


@dataclass(frozen=True, slots=True)
class Or(Clause):
    children: tuple[Clause, ...]

    def render(self) -> str:
        return " OR ".join(f"({c.render()})" if isinstance(c, And) else c.render() for c in self.children)


@dataclass(frozen=True, slots=True)
class Not(Clause):
    child: Clause

    def render(self) -> str:
        return f"NOT ({self.child.render()})"


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool | None = None  # None: the field's default direction

    def render(self) -> str:
        if self.descending is None:
            return _name(self.field)
        return f"{_name(self.field)} {'DESC' if self.descending else 'ASC'}"


def _sort(item: Sort | str) -> Sort:
    return Sort(item) if isinstance(item, str) else item


@dataclass(frozen=True, slots=True)
class Field:
    """A field to build clauses on; see :func:`field`."""

    name: str

    def _term(self, op: str, value: Scalar) -> Terminal:
        return Terminal(self.name, op, _operand(value))

    def eq(self, value: Scalar) -> Terminal:
        return self._term("=", value)

    def ne(self, value: Scalar) -> Terminal:
        return self._term("!=", value)

    def lt(self, value: Scalar) -> Terminal:
        return self._term("<", value)

    def le(self, value: Scalar) -> Terminal:
        return self._term("<=", value)

    def gt(self, value: Scalar) -> Terminal:
        return self._term(">", value)

    def ge(self, value: Scalar) -> Terminal:
        return self._term(">=", value)

    def contains(self, value: str) -> Terminal:
        """The text-search operator ``~``."""
        return self._term("~", value)

    def not_contains(self, value: str) -> Terminal:
        return self._term("!~", value)

    def in_(self, values: Iterable[Scalar]) -> Terminal:
        return Terminal(self.name, "IN", _list(values))

    def not_in(self, values: Iterable[Scalar]) -> Terminal:
        return Terminal(self.name, "NOT IN", _list(values))

    def is_empty(self) -> Terminal:
        return Terminal(self.name, "IS", "EMPTY")

    def is_not_empty(self) -> Terminal:
        return Terminal(self.name, "IS NOT", "EMPTY")

    def asc(self) -> Sort:
        return Sort(self.name, False)

    def desc(self) -> Sort:
        return Sort(self.name, True)


def _list(values: Iterable[Scalar]) -> str:
    items = [_operand(v) for v in values]
    if not items:
        raise ValueError("IN needs at least one value")
    return f"({', '.join(items)})"


def field(name: str) -> Field:
    """A field by clause name (``project``), custom field name (``Story Points``) or ``cf[10010]``."""
    return Field(name)


@dataclass(frozen=True, slots=True)
class Query:
    """A whole query: an optional clause and an optional ORDER BY."""

    where: Clause | None = None
    sorts: tuple[Sort, ...] = ()

    def render(self) -> str:
        parts = [self.where.render()] if self.where is not None else []
        if self.sorts:
            parts.append("ORDER BY " + ", ".join(s.render() for s in self.sorts))
        return " ".join(parts)

    def __str__(self) -> str:
        return self.render()


def order_by(*sorts: Sort | str) -> Query:
    """A query with only an ORDER BY: ``order_by(field("created").desc(), "key")``."""
    return Query(None, tuple(_sort(s) for s in sorts))
