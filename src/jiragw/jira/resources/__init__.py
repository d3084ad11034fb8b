"""The SDK's resources: one class per Jira resource group, each over one :class:`ApiContext`.

Rich text crosses the SDK as Markdown: :func:`to_jira_text` turns Markdown into
what the context's REST version carries (ADF on v3, wiki markup on v2) and
:func:`from_jira_text` turns Jira's value back into Markdown.
"""

from __future__ import annotations

from typing import Any

from ..adf import to_adf, to_md
from ..context import ApiContext
from ..wiki import md_to_wiki, wiki_to_md

__all__ = ["from_jira_text", "to_jira_text"]


def to_jira_text(ctx: ApiContext, markdown: str) -> Any:
    """Markdown as the context's rich-text value: an ADF document on v3, wiki markup on v2."""
    return to_adf(markdown) if ctx.adf else md_to_wiki(markdown)


def from_jira_text(ctx: ApiContext, value: Any) -> str:
    """Jira's rich-text value (ADF document or wiki string) as Markdown; ``""`` for none."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return to_md(value).rstrip("\n")  # the same text whichever version carried it
    return wiki_to_md(str(value)).rstrip("\n")
