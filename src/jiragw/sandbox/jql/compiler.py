"""Compiling a JQL syntax tree into one predicate closure, and the public entry point.

Names are resolved to ids once, here; each clause becomes a closure comparing
ids per issue, and AND/OR/NOT compose closures, so matching never re-walks
the tree. Like Jira, ``!=``, ``NOT IN`` and ``!~`` never match an issue
whose field is empty (use ``IS EMPTY`` for those).

Validation problems (unknown field, value, function, bad operator or date)
are collected while compiling. :func:`compile_jql` raises them together;
:func:`compile_jql_lenient` serves the legacy search's ``validateQuery=warn``
and ``none`` the way Jira does: an invalid value matches nothing, so it drops
out of an ``IN`` list (``project in (PRJ, NOPE)`` is ``project = PRJ``), a
clause left without a valid value, field or operator matches no issue, and
the rest of the query is evaluated as usual (``!=``/``NOT IN``/``NOT`` negate
that "nothing", ``project != NOPE`` finds every issue); the problems come back
as ``CompiledJql.warnings``. Syntax errors raise :class:`JqlError` either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..rendering.text import issue_text
from ..state.model import Instance, Issue, User
from .ast import And, Clause, Empty, FieldRef, Func, ListOperand, Not, Or, Query, SortItem, Terminal, Value
from .errors import JqlError
from .fields import OPERATORS, ResolvedField, resolve_field
from .ordering import SortSpec, sort_issues, sort_spec
from .parser import parse
from .textsearch import compile_text_query
from .values import Resolver

__all__ = ["CompiledJql", "compile_jql", "compile_jql_lenient"]

Pred = Callable[[Issue], bool]
# Jira's order for a query without ORDER BY.
_DEFAULT_ORDER = (SortItem(FieldRef("created", 0), True),)
_RANGE_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _never(issue: Issue) -> bool:
    return False


class CompiledJql:
    """A compiled query: ``matches`` one issue, or ``search`` (filter + ORDER BY) many.

    ``warnings`` holds the validation problems a lenient compilation let through
    (always empty from :func:`compile_jql`).
    """

    __slots__ = ("_order", "_pred", "bounded", "fields_referenced", "jql", "order_by", "warnings")

    def __init__(
        self,
        jql: str,
        pred: Pred | None,
        order: list[SortSpec],
        fields_referenced: set[str],
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.jql = jql
        self.warnings = warnings
        self._pred = pred
        self._order = order
        self.bounded = pred is not None
        self.order_by: list[tuple[str, bool]] = [(s.field_id, s.descending) for s in order]
        self.fields_referenced = fields_referenced

    def matches(self, issue: Issue) -> bool:
        return True if self._pred is None else self._pred(issue)

    def search(self, issues: Iterable[Issue]) -> list[Issue]:
        pred = self._pred
        found = list(issues) if pred is None else [i for i in issues if pred(i)]
        return sort_issues(found, self._order)


class _Compiler:
    def __init__(
        self,
        instance: Instance,
        user: User | None,
        now: datetime,
        filter_stack: tuple[int, ...],
        lenient: bool,
    ) -> None:
        self.instance = instance
        self.lenient = lenient
        self.user = user
        self.now = now
        self.filter_stack = filter_stack
        self.values = Resolver(instance, user, now)
        self.errors = self.values.errors
        self.fields: set[str] = set()

    def clause(self, node: Clause) -> Pred:
        if isinstance(node, And):
            return _all([self.clause(c) for c in node.children])
        if isinstance(node, Or):
            return _any([self.clause(c) for c in node.children])
        if isinstance(node, Not):
            inner = self.clause(node.child)
            return lambda i: not inner(i)
        return self.terminal(node)

    def field(self, node: Terminal) -> ResolvedField | None:
        field = resolve_field(self.instance, node.field)
        if field is None:
            self.errors.append(
                f"Field '{node.field.label}' does not exist or you do not have permission to view it."
            )
            return None
        self.fields.add(field.id)
        return field

    def terminal(self, node: Terminal) -> Pred:
        field = self.field(node)
        if field is None:
            return _never
        op, operand = node.op, node.operand
        label = field.label
        if op not in OPERATORS[field.kind]:
            self.errors.append(f"The operator '{op.upper()}' is not supported by the '{label}' field.")
            return _never
        if op in ("is", "is not") and not isinstance(operand, Empty):
            self.errors.append(
                f"The operator '{op.upper()}' only supports the use of EMPTY or NULL values "
                f"for field '{label}'."
            )
            return _never
        if op not in ("in", "not in") and isinstance(operand, ListOperand):
            self.errors.append(
                f"The operator '{op.upper()}' does not support list values for field '{label}'."
            )
            return _never
        if field.kind == "filter":
            return self.filter_clause(field, op, operand)
        if isinstance(operand, ListOperand):
            return self.equality_clause(field, op, operand)
        if op in ("~", "!~"):
            return self.text_clause(field, op, operand)
        if op in _RANGE_OPS:
            return self.range_clause(field, op, operand)
        return self.equality_clause(field, op, operand)

    def items(self, operand: Value | Empty | Func | ListOperand) -> tuple[Value | Empty | Func, ...]:
        return operand.items if isinstance(operand, ListOperand) else (operand,)

    # -- clause kinds ----------------------------------------------------
    def equality_clause(self, field: ResolvedField, op: str, operand: Any) -> Pred:
        atoms: set[Any] = set()
        has_empty = False
        for item in self.items(operand):
            has_empty |= isinstance(item, Empty)
            atoms.update(self.values.atoms(field, item))
        if None in atoms:  # "resolution = Unresolved"
            atoms.discard(None)
            has_empty = True
        get = self.values.getter(field)
        multi = field.kind in ("labels", "component", "version", "watcher", "sprint")
        frozen = frozenset(atoms)
        if op in ("=", "in", "is"):
            if multi:
                return lambda i: (
                    (not frozen.isdisjoint(v) or (has_empty and not v)) if (v := get(i)) else has_empty
                )
            if len(frozen) == 1 and not has_empty:
                (one,) = frozen
                return lambda i: get(i) == one
            return lambda i: (v := get(i)) in frozen or (has_empty and v is None)
        if multi:
            return lambda i: bool(v := get(i)) and frozen.isdisjoint(v)
        return lambda i: (v := get(i)) is not None and v not in frozen

    def range_clause(self, field: ResolvedField, op: str, operand: Value | Empty | Func) -> Pred:
        if isinstance(operand, Empty):
            self.errors.append(
                f"The operator '{op}' does not support EMPTY values for field '{field.label}'."
            )
            return _never
        atoms = self.values.atoms(field, operand)
        if len(atoms) != 1:
            return _never
        compare = _RANGE_OPS[op]
        if field.kind == "issuekey":
            return self.key_range(compare, atoms[0], operand)
        get = self.values.getter(field)
        bound = atoms[0]
        if field.kind == "priority":
            ranks = self.values.priority_rank
            bound = ranks[bound]
            return lambda i: i.priority_id is not None and compare(ranks.get(i.priority_id, 0), bound)
        return lambda i: (v := get(i)) is not None and compare(v, bound)

    def key_range(self, compare: Callable[[Any, Any], bool], issue_id: int, operand: Any) -> Pred:
        if isinstance(operand, Value) and operand.text.isdigit():
            return lambda i: compare(i.id, issue_id)
        target = self.instance.issues.get(issue_id)
        if target is None:
            return _never
        project_id, number = target.project_id, _key_number(target.key)
        return lambda i: i.project_id == project_id and compare(_key_number(i.key), number)

    def text_clause(self, field: ResolvedField, op: str, operand: Value | Empty | Func) -> Pred:
        if isinstance(operand, Empty):
            return self.equality_clause(field, "is" if op == "~" else "is not", operand)
        if not isinstance(operand, Value):
            self.errors.append(
                f"A value provided by the function '{operand.name}' is invalid for the field '{field.label}'."
            )
            return _never
        match = compile_text_query(operand.text)
        if match is None:
            self.errors.append(f"The field '{field.label}' does not support searching for an empty string.")
            return _never
        get: Callable[[Issue], str] = issue_text if field.kind == "alltext" else self.values.getter(field)
        if op == "~":
            return lambda i: match(get(i))
        return lambda i: bool(t := get(i)) and not match(t)

    def filter_clause(self, field: ResolvedField, op: str, operand: Any) -> Pred:
        preds: list[Pred] = []
        unbounded = False
        for item in self.items(operand):
            if not isinstance(item, Value):
                self.errors.append(f"The field '{field.label}' only accepts filter ids or names.")
                continue
            saved = self._find_filter(item.text)
            if saved is None:
                self.errors.append(f"The value '{item.text}' does not exist for the field '{field.label}'.")
                continue
            if saved.id in self.filter_stack:
                self.errors.append(
                    f"Field '{field.label}' with value '{item.text}' matches filter '{saved.name}' "
                    "and causes a cyclical reference, this query can not be executed and should be edited."
                )
                continue
            sub = _compile(
                self.instance, saved.jql, self.user, self.now, (*self.filter_stack, saved.id), self.lenient
            )
            self.errors.extend(sub.warnings)
            self.fields |= sub.fields_referenced
            if sub._pred is None:
                unbounded = True
            else:
                preds.append(sub._pred)
        anyp: Pred = (lambda i: True) if unbounded else _any(preds) if preds else _never
        if op in ("=", "in"):
            return anyp
        return lambda i: not anyp(i)

    def _find_filter(self, text: str) -> Any:
        if text.isdigit() and int(text) in self.instance.filters:
            return self.instance.filters[int(text)]
        low = text.lower()
        return next((f for f in self.instance.filters.values() if f.name.lower() == low), None)


def _key_number(key: str) -> int:
    tail = key.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def _all(preds: list[Pred]) -> Pred:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i: a(i) and b(i)
    return lambda i: all(p(i) for p in preds)


def _any(preds: list[Pred]) -> Pred:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i: a(i) or b(i)
    return lambda i: any(p(i) for p in preds)


def _compile(
    instance: Instance,
    jql: str,
    user: User | None,
    now: datetime,
    filter_stack: tuple[int, ...],
    lenient: bool,
) -> CompiledJql:
    query: Query = parse(jql)
    compiler = _Compiler(instance, user, now, filter_stack, lenient)
    pred = compiler.clause(query.where) if query.where is not None else None
    order: list[SortSpec] = []
    for item in query.order_by if query.order_by is not None else _DEFAULT_ORDER:
        spec = sort_spec(instance, compiler.values, item)
        if spec is None:
            compiler.errors.append(f"Not able to sort using field '{item.field.label}'.")
            continue
        if query.order_by is not None:
            compiler.fields.add(spec.field_id)
        order.append(spec)
    problems = list(dict.fromkeys(compiler.errors))
    if problems and not lenient:
        raise JqlError(problems)
    # Every failing clause compiled to "matches nothing" and unsortable fields were
    # skipped, so the predicate and order already are what the lenient path answers.
    return CompiledJql(jql, pred, order, compiler.fields, tuple(problems))


def compile_jql(instance: Instance, jql: str | None, *, user: User | None, now: datetime) -> CompiledJql:
    """Parse, validate and compile ``jql`` for ``user`` at ``now`` (raises :class:`JqlError`)."""
    return _compile(instance, jql or "", user, now, (), lenient=False)


def compile_jql_lenient(
    instance: Instance, jql: str | None, *, user: User | None, now: datetime
) -> CompiledJql:
    """Compile ``jql`` the way ``validateQuery=warn|none`` searches do.

    Invalid values, fields, functions and operators match nothing instead of
    failing the query; the problems are listed in ``warnings``. Syntax errors
    still raise :class:`JqlError`.
    """
    return _compile(instance, jql or "", user, now, (), lenient=True)
