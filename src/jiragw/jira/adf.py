"""Markdown ↔ Atlassian Document Format (ADF), the rich-text format of Jira Cloud's v3 API.

:func:`to_adf` parses CommonMark with markdown-it-py (tables, strikethrough and
task lists via mdit-py-plugins) and builds a ``doc`` that validates against
Atlassian's ADF JSON schema (``adf-schema-full-v1.json``). :func:`to_md`
writes Markdown back. Syntax beyond CommonMark/GFM, recognised by small
markdown-it inline rules and written back the same way:

==================================  =========================================
Markdown                            ADF
==================================  =========================================
``@[Display Name](accountid:ID)``   ``mention`` (``id``, ``text="@Display Name"``)
``:smile:``                         ``emoji`` (``shortName=":smile:"``)
``{date:2024-01-31}``               ``date`` (epoch milliseconds, UTC midnight;
                                    ``{date:1706659200123}`` for other instants)
``{status:IN PROGRESS|blue}``       ``status`` (colour defaults to ``neutral``)
``> [!INFO]`` first line of a quote  ``panel`` (INFO NOTE TIP WARNING ERROR SUCCESS
                                    CUSTOM; GitHub's IMPORTANT/CAUTION read as
                                    note/error)
``![alt](media:ID?collection=C)``   ``mediaSingle`` of a Jira file; any other image
                                    URL is an ``external`` media
``- [ ]`` / ``- [x]`` lists          ``taskList`` / ``taskItem`` (TODO/DONE)
==================================  =========================================

Where ADF's content model is narrower than Markdown's (no heading or quote in
a quote, no table in a list item, code cannot carry other marks), the
offending block is flattened into paragraphs rather than producing invalid
ADF. ADF → Markdown never drops content: a node it does not know is written
as its text content or, failing that, a visible ``[ADF node: type]``
placeholder.

This module is the public face: Markdown → ADF lives in :mod:`.md_to_adf`,
ADF → Markdown in :mod:`.adf_to_md`, and the node tables both share in
:mod:`.adf_nodes`. The Markdown parser loads with the first :func:`to_adf`,
not with the SDK: most programs that import the SDK (the MCP server's start,
an export) never write Markdown to Jira.
"""

from __future__ import annotations

from .adf_nodes import PANEL_TYPES, Node
from .adf_to_md import to_md

__all__ = ["PANEL_TYPES", "to_adf", "to_md"]


def to_adf(markdown: str) -> Node:
    """The ADF ``doc`` for ``markdown`` (the syntax above); see :func:`.md_to_adf.to_adf`."""
    from .md_to_adf import to_adf as parse

    return parse(markdown)
