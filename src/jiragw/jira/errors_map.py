"""Jira's error answers, translated once into jiragw's exception tree.

Jira answers errors with an ErrorCollection (``{"errorMessages": [...],
"errors": {"field": "message"}}``, Jira REST API v2/v3 "Status codes"); the
Atlassian API gateway in front of OAuth calls answers
``{"code": 401, "message": "Unauthorized; scope does not match"}`` when the
token lacks a scope. :func:`error_from_response` maps status and body to one
class of :mod:`jiragw.errors`, keeping Jira's messages in ``details``.

The table below is the whole mapping; special cases (scope, JQL) are the
only branches. Reading the body and telling a scope denial are shared with
the credential session, in :mod:`jiragw.broker.refusal`.
"""

from __future__ import annotations

import re
from typing import Any

from jiragw.broker.refusal import error_texts, is_scope_denial, jira_details
from jiragw.errors import (
    AuthError,
    Conflict,
    InvalidInput,
    InvalidJql,
    JiragwError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ScopeDenied,
    UpstreamError,
    UpstreamUnavailable,
)

__all__ = ["error_from_response", "is_scope_denial", "jira_details"]

_BY_STATUS: dict[int, type[JiragwError]] = {
    400: InvalidInput,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    405: InvalidInput,
    409: Conflict,
    410: NotFound,
    413: InvalidInput,
    415: InvalidInput,
    422: InvalidInput,
    429: RateLimited,
    502: UpstreamUnavailable,
    503: UpstreamUnavailable,
    504: UpstreamUnavailable,
}

# Endpoints whose 400 answers are about the JQL they were given.
_SEARCH_PATH = re.compile(r"/rest/api/[^/]+/(search(/jql)?|jql/(parse|match|sanitize))/?$")
# ... unless the complaint is about a paging or validation parameter instead.
_PARAMETER_COMPLAINT = re.compile(r"maxResults|startAt|nextPageToken|validateQuery|page token", re.IGNORECASE)


def error_from_response(
    status: int,
    body: Any,
    *,
    path: str = "",
    retry_after: float | None = None,
) -> JiragwError:
    """The exception for a Jira error answer (``status`` >= 400) to a request for ``path``.

    ``body`` is the raw bytes or the parsed JSON; ``retry_after`` is what the
    rate-limit headers asked for, kept on :class:`RateLimited`.
    """
    details = jira_details(status, body)
    texts = error_texts(details)
    message = "; ".join(texts) or f"Jira answered HTTP {status}"
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = UpstreamError if status >= 500 or status < 400 else InvalidInput
    if is_scope_denial(status, body):
        cls = ScopeDenied
    elif (
        status == 400 and _SEARCH_PATH.search(path) and not any(_PARAMETER_COMPLAINT.search(t) for t in texts)
    ):
        cls = InvalidJql
    if cls is RateLimited:
        return RateLimited(message, retry_after=retry_after, details=details)
    return cls(message, details=details)
