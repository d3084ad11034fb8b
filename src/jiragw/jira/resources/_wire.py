"""What the resources share at the wire: checking and reading Jira's JSON, vetting numeric ids.

Jira's answers are checked for the JSON shape a resource reads before it reads
them (an :class:`UpstreamError` otherwise). Ids that Jira defines as numbers
are checked to be numbers before any call (an :class:`InvalidInput` otherwise),
so the caller learns at once what is wrong; every id then goes into its path
through :func:`jiragw.jira.urlpath.path`, as one encoded segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiragw.errors import InvalidInput, UpstreamError

__all__ = ["json_object", "numeric_id", "owner_ref"]


def json_object(body: Any) -> dict[str, Any]:
    """``body`` when Jira answered a JSON object."""
    if not isinstance(body, dict):
        raise UpstreamError("Jira answered with something other than a JSON object")
    return body


def owner_ref(data: Mapping[str, Any]) -> str | None:
    """The ``owner`` of a dashboard or filter: its accountId (Cloud) or username (DC), if named."""
    owner = data.get("owner")
    ref = (owner.get("accountId") or owner.get("name")) if isinstance(owner, dict) else None
    return None if ref is None else str(ref)


def numeric_id(value: str | int, what: str) -> str:
    """``value`` as the text of a numeric id; ``what`` names the entity in the refusal."""
    text = str(value).strip()
    if not text.isdigit():
        raise InvalidInput(f"a {what} id is a number, not {text!r}")
    return text
