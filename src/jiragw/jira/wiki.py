"""Markdown ↔ Jira wiki markup, the rich-text format of Jira Data Center's v2 API.

Both directions go through ADF (:mod:`.adf`): Markdown is parsed with
markdown-it-py into ADF there, and :func:`adf_to_wiki` writes wiki markup
from ADF; :func:`wiki_to_adf` reads wiki markup into ADF, which :func:`.adf.to_md`
writes as Markdown. So the same constructs are covered, where wiki has them
(Jira's text-formatting notation, https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa):

=====================================  ==============================
ADF / Markdown                         wiki
=====================================  ==============================
heading level n                        ``hn. text``
strong / em / strike / code            ``*b*`` ``_e_`` ``-s-`` ``{{code}}``
link                                   ``[text|url]`` (``[url]``)
mention                                ``[~accountid:ID]``
bullet / ordered / nested lists        ``*`` ``#`` ``**`` ``#*`` ...
task list                              ``* (/) done`` / ``* ( ) todo``
code block with language               ``{code:lang}...{code}`` (``{noformat}`` read)
blockquote                             ``{quote}...{quote}`` (``bq.`` read)
panel info/note/tip/warning            ``{info}`` ``{note}`` ``{tip}`` ``{warning}``
panel error/success/custom             ``{panel:panelType=error}``
table                                  ``||h||h||`` / ``|c|c|``
rule                                   ``----``
hard break                             a newline in a paragraph; ``\\\\`` in a list item, heading or cell
media                                  ``!url!`` / ``!file-id!``
emoji                                  ``:smile:``
=====================================  ==============================

Wiki has no date or status lozenge: dates are written as ISO dates and
statuses as ``[STATUS]`` text, which read back as text. Unknown ADF nodes are
written as their text or a visible ``[ADF node: type]`` placeholder, as in
:mod:`.adf`.

This module is the public face: ADF → wiki lives in :mod:`.adf_to_wiki`,
wiki → ADF in :mod:`.wiki_to_adf`, and the syntax both share in
:mod:`.wiki_syntax`.
"""

from __future__ import annotations

from .adf import to_adf, to_md
from .adf_to_wiki import adf_to_wiki
from .wiki_to_adf import wiki_to_adf

__all__ = ["adf_to_wiki", "md_to_wiki", "wiki_to_adf", "wiki_to_md"]


def md_to_wiki(markdown: str) -> str:
    """Wiki markup for ``markdown``."""
    return adf_to_wiki(to_adf(markdown))


def wiki_to_md(wiki: str) -> str:
    """Markdown for wiki markup ``wiki``."""
    return to_md(wiki_to_adf(wiki))
