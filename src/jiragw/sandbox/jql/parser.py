"""A recursive-descent parser for JQL, with Jira's error messages.

Grammar (keywords case-insensitive)::

    query    := [or] [ORDER BY sort ("," sort)*] EOF
    or       := and (("OR" | "||" | "|") and)*
    and      := not (("AND" | "&&" | "&") not)*
    not      := ("NOT" | "!") not | "(" or ")" | terminal
    terminal := field operator operand
    operator := = | != | < | <= | > | >= | ~ | !~ | IN | NOT IN | IS | IS NOT
    operand  := EMPTY | NULL | value | function | "(" item ("," item)* ")"
    function := word "(" [arg ("," arg)*] ")"
    sort     := field [ASC | DESC]

Precedence is NOT > AND > OR, as documented for Jira. The history operators
WAS and CHANGED are recognised and rejected (the sandbox keeps no search
history index).
"""

from __future__ import annotations

from .ast import (
    And,
    Clause,
    Empty,
    FieldRef,
    Func,
    ListOperand,
    Not,
    Operand,
    Or,
    Query,
    SortItem,
    Terminal,
    Value,
)
from .errors import VALID_OPERATORS, JqlError, parse_error
from .lexer import Token, tokenize

__all__ = ["parse"]

# Words the grammar itself uses: as a value or field they must be quoted.
KEYWORDS = frozenset(
    {"AND", "OR", "NOT", "IN", "IS", "EMPTY", "NULL", "ORDER", "BY", "ASC", "DESC", "WAS", "CHANGED", "CF"}
)
# Jira's list of reserved words (JQL's documented restrictions), minus the keywords above.
RESERVED_WORDS = frozenset(
    """
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
    """.split()  # noqa: SIM905 - a word list reads best as one
)
_HISTORY = frozenset({"WAS", "CHANGED"})


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.tokens = tokenize(src)
        self.i = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def error(self, tok: Token, what: str) -> JqlError:
        return parse_error(self.src, tok.pos, what)

    def is_and(self) -> bool:
        return self.tok.kind == "and" or self.tok.upper == "AND"

    def is_or(self) -> bool:
        return self.tok.kind == "or" or self.tok.upper == "OR"

    def is_not(self) -> bool:
        return self.tok.kind == "not" or self.tok.upper == "NOT"

    def check_word(self, tok: Token, role: str) -> None:
        """Reject a bare keyword or reserved word used as a field name or value."""
        if tok.kind != "word":
            return
        if tok.upper in KEYWORDS:
            raise self.error(
                tok,
                f"Expecting {role} but got '{tok.text}'. "
                f"You must surround '{tok.text}' in quotation marks to use it as {_as(role)}.",
            )
        if tok.text.lower() in RESERVED_WORDS:
            raise self.error(
                tok,
                f"'{tok.text}' is a reserved JQL word. "
                "You must surround it in quotation marks to use it in a query.",
            )

    # -- grammar ---------------------------------------------------------
    def query(self) -> Query:
        where: Clause | None = None
        if self.tok.kind != "eof" and self.tok.upper != "ORDER":
            where = self.or_clause()
        order: tuple[SortItem, ...] | None = None
        if self.tok.upper == "ORDER":
            order = self.order_by()
        if self.tok.kind != "eof":
            raise self.error(self.tok, f"Expecting either 'OR' or 'AND' but got '{self.tok.text}'.")
        return Query(where, order)

    def or_clause(self) -> Clause:
        children = [self.and_clause()]
        while self.is_or():
            self.advance()
            children.append(self.and_clause())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_clause(self) -> Clause:
        children = [self.not_clause()]
        while self.is_and():
            self.advance()
            children.append(self.not_clause())
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_clause(self) -> Clause:
        self.depth += 1
        if self.depth > 200:  # deep nesting is hostile input, not a query
            raise self.error(self.tok, "The query is nested too deeply.")
        try:
            if self.is_not():
                self.advance()
                return Not(self.not_clause())
            if self.tok.kind == "(":
                self.advance()
                inner = self.or_clause()
                if self.tok.kind != ")":
                    if self.tok.kind == "eof":
                        raise self.error(self.tok, "Expecting ')' before the end of the query.")
                    raise self.error(self.tok, f"Expecting either 'OR' or 'AND' but got '{self.tok.text}'.")
                self.advance()
                return inner
            return self.terminal()
        finally:
            self.depth -= 1

    def field(self) -> FieldRef:
        tok = self.tok
        if tok.kind == "eof":
            raise self.error(tok, "Expecting a field name at the end of the query.")
        if tok.kind == "cf":
            self.advance()
            return FieldRef(f"cf[{tok.text}]", tok.pos, tok.text)
        if tok.kind not in ("word", "string"):
            raise self.error(tok, f"Expecting a field name but got '{tok.text}'.")
        self.check_word(tok, "a field name")
        self.advance()
        return FieldRef(tok.text, tok.pos)

    def terminal(self) -> Terminal:
        field = self.field()
        op = self.operator()
        return Terminal(field, op, self.operand(op))

    def operator(self) -> str:
        tok = self.tok
        if tok.kind == "op":
            self.advance()
            return tok.text
        if tok.upper == "IN":
            self.advance()
            return "in"
        if tok.upper == "IS":
            self.advance()
            if self.is_not():
                self.advance()
                return "is not"
            return "is"
        if self.is_not() and self.tokens[self.i + 1].upper == "IN":
            self.i += 2
            return "not in"
        if tok.upper in _HISTORY:
            raise self.error(tok, f"The sandbox does not support the history operator '{tok.text}'.")
        if tok.kind == "eof":
            raise self.error(tok, f"Expecting operator before the end of the query. {VALID_OPERATORS}")
        raise self.error(tok, f"Expecting operator but got '{tok.text}'. {VALID_OPERATORS}")

    def operand(self, op: str) -> Operand:
        tok = self.tok
        if tok.upper in ("EMPTY", "NULL"):
            self.advance()
            return Empty(tok.pos)
        if tok.kind == "(":
            return self.list_operand()
        return self.single()

    def single(self) -> Value | Empty | Func:
        tok = self.tok
        if tok.upper in ("EMPTY", "NULL"):
            self.advance()
            return Empty(tok.pos)
        if tok.kind == "eof":
            raise self.error(tok, "Expecting either a value, list or function before the end of the query.")
        if tok.kind not in ("word", "string"):
            raise self.error(tok, f"Expecting either a value, list or function but got '{tok.text}'.")
        self.check_word(tok, "either a value, list or function")
        self.advance()
        if tok.kind == "word" and self.tok.kind == "(":
            return self.function(tok)
        return Value(tok.text, tok.pos, tok.kind == "string")

    def function(self, name: Token) -> Func:
        self.advance()  # "("
        args: list[str] = []
        if self.tok.kind == ")":
            self.advance()
            return Func(name.text, (), name.pos)
        while True:
            arg = self.tok
            if arg.kind == "eof":
                raise self.error(arg, "Expecting ')' before the end of the query.")
            if arg.kind not in ("word", "string"):
                raise self.error(arg, f"Expecting a function argument but got '{arg.text}'.")
            args.append(arg.text)
            self.advance()
            if self.tok.kind == ",":
                self.advance()
                continue
            if self.tok.kind == ")":
                self.advance()
                return Func(name.text, tuple(args), name.pos)
            if self.tok.kind == "eof":
                raise self.error(self.tok, "Expecting ')' before the end of the query.")
            raise self.error(self.tok, f"Expecting ',' or ')' but got '{self.tok.text}'.")

    def list_operand(self) -> ListOperand:
        start = self.advance()  # "("
        items = [self.single()]
        while self.tok.kind == ",":
            self.advance()
            items.append(self.single())
        if self.tok.kind == "eof":
            raise self.error(self.tok, "Expecting ')' before the end of the query.")
        if self.tok.kind != ")":
            raise self.error(self.tok, f"Expecting ',' or ')' but got '{self.tok.text}'.")
        self.advance()
        return ListOperand(tuple(items), start.pos)

    def order_by(self) -> tuple[SortItem, ...]:
        self.advance()  # ORDER
        if self.tok.upper != "BY":
            if self.tok.kind == "eof":
                raise self.error(self.tok, "Expecting 'BY' before the end of the query.")
            raise self.error(self.tok, f"Expecting 'BY' but got '{self.tok.text}'.")
        self.advance()
        items: list[SortItem] = []
        while True:
            field = self.field()
            descending: bool | None = None
            if self.tok.upper in ("ASC", "DESC"):
                descending = self.advance().upper == "DESC"
            items.append(SortItem(field, descending))
            if self.tok.kind == ",":
                self.advance()
                continue
            if self.tok.kind == "eof":
                return tuple(items)
            raise self.error(self.tok, f"Expecting either 'ASC', 'DESC' or ',' but got '{self.tok.text}'.")


def _as(role: str) -> str:
    return "a field name" if role == "a field name" else "a value"


def parse(src: str) -> Query:
    """The syntax tree of ``src`` (raises :class:`JqlError` with Jira's message)."""
    return _Parser(src).query()
