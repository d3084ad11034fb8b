"""The JQL tokenizer.

Tokens: unquoted words (``PRJ-12``, ``-7d``, ``currentUser``), double- or
single-quoted strings, ``cf[N]`` custom field references, the comparison
operators ``= != < <= > >= ~ !~``, ``( ) ,`` and the symbolic logical
operators ``&& & || | !``. Backslash escapes (``\\t \\n \\r \\" \\' \\\\ \\ ``
and ``\\uXXXX``) work inside and outside quotes. Jira's reserved characters
(``+ . , ; ? | * / % ^ $ # @ [ ]``) cannot appear in an unquoted word; using
one is an error naming its ``\\uXXXX`` escape, as in Jira.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import parse_error

__all__ = ["Token", "tokenize"]

_RESERVED_CHARS = frozenset("+.,;?|*/%^$#@[]")
# Characters that end an unquoted word without being part of it.
_DELIMITERS = frozenset("=!<>~(),\"'&|")
_WHITESPACE = frozenset(" \t\r\n\f")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'", "\\": "\\", " ": " "}
_OPERATORS = ("!=", "<=", ">=", "!~", "=", "<", ">", "~")
_SYMBOLS = {"&&": "and", "||": "or", "&": "and", "|": "or", "!": "not", "(": "(", ")": ")", ",": ","}


@dataclass(frozen=True, slots=True)
class Token:
    """``kind`` is word, string, cf, op, and, or, not, (, ), "," or eof; ``text`` is unescaped."""

    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        """The keyword a bare word spells (``""`` for anything else)."""
        return self.text.upper() if self.kind == "word" else ""

    def shown(self) -> str:
        return "EOF" if self.kind == "eof" else self.text


def _escape(src: str, i: int, start: int) -> tuple[str, int]:
    """The character escaped at ``src[i] == '\\'`` and the index after the escape."""
    if i + 1 >= len(src):
        raise parse_error(src, i, f"The escape sequence '\\' in the string '{src[start:i]}' is illegal.")
    nxt = src[i + 1]
    if nxt == "u":
        digits = src[i + 2 : i + 6]
        if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
            return chr(int(digits, 16)), i + 6
        raise parse_error(
            src, i, f"The escape sequence '\\u{digits}' in the string '{src[start:i]}' is illegal."
        )
    if nxt in _ESCAPES:
        return _ESCAPES[nxt], i + 2
    raise parse_error(src, i, f"The escape sequence '\\{nxt}' in the string '{src[start:i]}' is illegal.")


def _reserved(src: str, i: int) -> Exception:
    ch = src[i]
    return parse_error(
        src,
        i,
        f"The character '{ch}' is a reserved JQL character. "
        f"You must enclose it in a string or use the escape '\\u{ord(ch):04x}' instead.",
    )


def _quoted(src: str, i: int) -> tuple[Token, int]:
    quote = src[i]
    j = i + 1
    out: list[str] = []
    while j < len(src):
        ch = src[j]
        if ch == quote:
            return Token("string", "".join(out), i), j + 1
        if ch == "\\":
            esc, j = _escape(src, j, i + 1)
            out.append(esc)
            continue
        out.append(ch)
        j += 1
    raise parse_error(src, i, f"The quoted string '{''.join(out)}' has not been completed.")


def _word(src: str, i: int) -> tuple[Token, int]:
    j = i
    out: list[str] = []
    while j < len(src):
        ch = src[j]
        if ch in _WHITESPACE or ch in _DELIMITERS:
            break
        if ch == "\\":
            esc, j = _escape(src, j, i)
            out.append(esc)
            continue
        if ch == "[" and "".join(out).lower() == "cf":
            return _custom_field(src, i, j)
        if ch in _RESERVED_CHARS or not ch.isprintable():
            raise _reserved(src, j)
        out.append(ch)
        j += 1
    return Token("word", "".join(out), i), j


def _custom_field(src: str, start: int, bracket: int) -> tuple[Token, int]:
    end = src.find("]", bracket)
    digits = src[bracket + 1 : end] if end >= 0 else ""
    if end < 0 or not digits.isascii() or not digits.isdigit():
        raise parse_error(
            src,
            bracket,
            f"Expecting a custom field id but got '{src[bracket + 1 : end if end >= 0 else bracket + 12]}'.",
        )
    return Token("cf", digits, start), end + 1


def tokenize(src: str) -> list[Token]:
    """All tokens of ``src``, ending with an ``eof`` token."""
    tokens: list[Token] = []
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        if ch in "\"'":
            tok, i = _quoted(src, i)
            tokens.append(tok)
            continue
        op = next((o for o in _OPERATORS if src.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op, i))
            i += len(op)
            continue
        sym = next((s for s in ("&&", "||") if src.startswith(s, i)), ch if ch in _SYMBOLS else None)
        if sym is not None:
            tokens.append(Token(_SYMBOLS[sym], sym, i))
            i += len(sym)
            continue
        if ch in _RESERVED_CHARS or not ch.isprintable():
            raise _reserved(src, i)
        tok, i = _word(src, i)
        tokens.append(tok)
    tokens.append(Token("eof", "", n))
    return tokens
