"""Jira wiki markup facts shared by its writer (:mod:`.adf_to_wiki`) and reader (:mod:`.wiki_to_adf`).

Jira's text-formatting notation: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa
"""

from __future__ import annotations

import re

__all__ = ["BACKSLASH", "MARK_CHARS", "PANEL_MACROS", "TASK_RE"]

# Panel types that have a macro of their own ({info}...{info}); the others use {panel:panelType=...}.
PANEL_MACROS = {"info": "info", "note": "note", "tip": "tip", "warning": "warning"}
# Emphasis delimiter → ADF mark.
MARK_CHARS = {"*": "strong", "_": "em", "-": "strike"}
# A literal backslash: a backslash cannot escape itself, since ``\\`` is wiki's forced line break.
BACKSLASH = "&#92;"
# A list item's text that reads as a task: ``(/) done`` / ``( ) todo``.
TASK_RE = re.compile(r"\((/| )\)\s*(.*)", re.DOTALL)
