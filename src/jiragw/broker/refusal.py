"""What a refusal from Jira says, sans-IO: its messages, and whether it is an OAuth scope denial.

Jira answers errors with an ErrorCollection (``{"errorMessages": [...],
"errors": {"field": "message"}}``, Jira REST API v2/v3 "Status codes"); the
Atlassian API gateway in front of OAuth calls answers
``{"code": 401, "message": "Unauthorized; scope does not match"}`` when the
token lacks a scope. Renewing the token cannot add a scope, so the credential
session (:mod:`jiragw.broker.session`) tells that 401 from a stale token here;
the SDK's error mapping (:mod:`jiragw.jira.errors_map`) reads the same messages.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

__all__ = ["error_texts", "is_scope_denial", "jira_details"]

_SCOPE_COMPLAINT = re.compile(
    r"scope does not match|scopes? (?:is |are )?(?:missing|required)", re.IGNORECASE
)


def _parse(body: bytes | str | Any) -> Any:
    if isinstance(body, bytes | str):
        if not body:
            return None
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
    return body


def jira_details(status: int, body: Any) -> dict[str, Any]:
    """``status`` plus Jira's ``errorMessages``/``errors`` (and a gateway ``message``) from ``body``."""
    data = _parse(body)
    details: dict[str, Any] = {"status": status, "errorMessages": [], "errors": {}}
    if isinstance(data, dict):
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            details["errorMessages"] = [str(m) for m in messages]
        errors = data.get("errors")
        if isinstance(errors, dict):
            details["errors"] = {str(k): str(v) for k, v in errors.items()}
        message = data.get("message")
        if isinstance(message, str) and message:
            details["message"] = message
    elif isinstance(data, list):
        # The DevOps APIs (builds, deployments) answer errors as [{"message": ...}, ...].
        details["errorMessages"] = [
            str(item["message"]) for item in data if isinstance(item, dict) and "message" in item
        ]
    return details


def error_texts(details: dict[str, Any]) -> list[str]:
    """Every message of :func:`jira_details`' answer, in order."""
    texts = list(details["errorMessages"]) + list(details["errors"].values())
    if "message" in details:
        texts.append(details["message"])
    return texts


def is_scope_denial(status: int, body: Any) -> bool:
    """True for the gateway's "scope does not match" answer (401 or 403)."""
    if status not in (401, 403):
        return False
    return any(_SCOPE_COMPLAINT.search(t) for t in error_texts(jira_details(status, body)))
