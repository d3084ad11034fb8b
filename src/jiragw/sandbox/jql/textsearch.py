"""Jira's text search (``~`` / ``!~``), approximated over lower-cased plain text.

What the sandbox supports, compared with Jira's Lucene-based search:

- the query is split into terms; every term must occur as a whole word,
  case-insensitively, in any order (Jira's default AND of terms);
- a term also matches its plural (``issue`` finds "issues"), a rough stand-in
  for Jira's English stemming;
- ``*`` matches any run of word characters and ``?`` one character, at the
  start, middle or end of a term (``win*``, ``*dows``);
- ``"exact phrase"`` inside the value matches those words adjacent, in order;
- a term prefixed by ``-`` or ``!`` must not occur; ``+`` is accepted and ignored;
- a term with inner punctuation (``PRJ-12``, ``foo.bar``) is a phrase of its words,
  as Lucene's tokenizer would see it.

Not supported: fuzzy (``~``), proximity, boosts, boolean OR/NOT inside the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["compile_text_query"]

_PART = re.compile(r'(-|!|\+)?"([^"]*)"|(\S+)')
_WORD = re.compile(r"[\w*?]+")


def _word_pattern(word: str) -> str:
    # Runs of "*" collapse, and wildcards past the fourth are dropped, so a
    # hostile term cannot make the regex backtrack polynomially.
    word = re.sub(r"\*+", "*", word)
    extra = [i for i, c in enumerate(word) if c in "*?"][4:]
    if extra:
        word = "".join(c for i, c in enumerate(word) if i not in extra)
    body = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in word)
    return body if word[-1] in "*?" else body + "(?:e?s)?"


def _phrase(words: list[str]) -> re.Pattern[str] | None:
    words = [w for w in words if w.strip("*?")]
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\W+".join(_word_pattern(w) for w in words) + r"(?!\w)")


def compile_text_query(query: str) -> Callable[[str], bool] | None:
    """A matcher over lower-cased text, or None when the query has no searchable term."""
    required: list[re.Pattern[str]] = []
    excluded: list[re.Pattern[str]] = []
    for m in _PART.finditer(query.lower()):
        sign, phrase, bare = m.groups()
        text = phrase if phrase is not None else bare
        if bare is not None and bare[0] in "-!+" and len(bare) > 1:
            sign, text = bare[0], bare[1:]
        pattern = _phrase(_WORD.findall(text))
        if pattern is None:
            continue
        (excluded if sign in ("-", "!") else required).append(pattern)
    if not required and not excluded:
        return None
    req, exc = tuple(required), tuple(excluded)

    def match(text: str) -> bool:
        return all(p.search(text) for p in req) and not any(p.search(text) for p in exc)

    return match
