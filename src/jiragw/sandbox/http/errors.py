"""The errors the emulated Jira answers with: Jira's ErrorCollection.

A leaf module: it imports nothing else of the sandbox, so every layer (the
request plumbing, issues, JQL, the OAuth servers) can raise these. The
dispatcher (:mod:`.dispatch`) maps :class:`JiraHttpError` to the body
``{"errorMessages": [...], "errors": {...}}`` with its status and headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import SandboxError

__all__ = ["JiraHttpError", "bad_request", "not_found"]


class JiraHttpError(SandboxError):
    """An error the emulated Jira answers with, as an ErrorCollection."""

    def __init__(
        self,
        status: int,
        messages: Iterable[str] = (),
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.error_messages = list(messages)
        self.errors = dict(errors or {})
        super().__init__("; ".join([*self.error_messages, *self.errors.values()]) or f"HTTP {status}")
        self.http_status = status
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.error_messages, "errors": self.errors}


def bad_request(*messages: str, **errors: str) -> JiraHttpError:
    return JiraHttpError(400, messages, errors)


def not_found(*messages: str) -> JiraHttpError:
    return JiraHttpError(404, messages)
