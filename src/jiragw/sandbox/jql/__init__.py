"""The sandbox's JQL engine: a parser and evaluator for a documented subset of JQL.

``compile_jql(instance, jql, user=..., now=...)`` parses and validates a query
once (names resolved to ids, errors worded like Jira's, raised as
:class:`JqlError`, HTTP 400) and returns a :class:`CompiledJql` whose
``search`` filters and sorts issues. ``compile_jql_lenient`` is the same
compilation for searches run with ``validateQuery=warn|none``: invalid values
match nothing instead of failing the query, the problems are returned as
``CompiledJql.warnings`` (see :mod:`.compiler`). Supported:

- fields: project, key/issuekey/issue/id, summary, description, environment,
  comment, text, status, statusCategory, assignee, reporter, creator,
  watcher, issuetype/type, priority, labels, created/createdDate,
  updated/updatedDate, resolved/resolutiondate, statusCategoryChangedDate,
  resolution, duedate/due, component, fixVersion, affectedVersion, parent,
  filter, and custom fields by ``cf[N]`` or by (quoted) name;
- operators ``= != > >= < <= ~ !~ IN, NOT IN, IS [NOT] EMPTY|NULL`` with
  EMPTY/NULL also inside IN lists; ``AND OR NOT`` (``&& || !``), NOT > AND > OR;
- functions currentUser(), now(), startOf/endOf Day/Week/Month/Year([inc]),
  standardIssueTypes(), subTaskIssueTypes();
- ORDER BY several fields with ASC/DESC; no ORDER BY means ``created DESC``.

Details live with each part: :mod:`.lexer` (tokens, escapes, reserved
characters), :mod:`.parser` (grammar), :mod:`.dates` (date formats),
:mod:`.textsearch` (what ``~`` matches), :mod:`.ordering` (sort orders).
"""

from __future__ import annotations

from .compiler import CompiledJql, compile_jql, compile_jql_lenient
from .errors import JqlError

__all__ = ["CompiledJql", "JqlError", "compile_jql", "compile_jql_lenient"]
