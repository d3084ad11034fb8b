"""The Jira SDK: the typed client every door of jiragw uses, and its public face.

    from jiragw.jira import JiraClient, field

    async with JiraClient.from_connection("acme") as jira:
        query = (field("project").eq("PRJ") & field("status").eq("In Progress")).order_by("created")
        async for issue in jira.export(str(query), fields=["summary"]):
            print(issue["key"], issue["fields"]["summary"])

What is exported here is the SDK's stable surface: the clients
(:class:`JiraClient`, :class:`SyncJiraClient`), fixed credentials for scripts
(:class:`StaticCredentials` over a :class:`Secret`), the models, the JQL builder, and the errors a
caller catches (every one a :class:`JiragwError` with a stable ``code``).
Transport and policy live in :mod:`.transport`, :mod:`.policy`,
:mod:`.limiter`, :mod:`.errors_map` and :mod:`.pagination`; markup conversion
in :mod:`.adf`, :mod:`.wiki` and :mod:`.jql`: they may change behind these names.

Names load on first use, so importing one submodule (the CLI's JQL helpers,
say) does not pull in the client and its HTTP stack. See
docs/architecture.md, "The SDK".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiragw.errors import (
        AuthError,
        Conflict,
        InvalidInput,
        InvalidJql,
        JiragwError,
        NotFound,
        PermissionDenied,
        RateLimited,
        ReauthRequired,
        ScopeDenied,
        UpstreamError,
        UpstreamUnavailable,
    )
    from jiragw.secrets import Secret

    from .client import JiraClient, SyncJiraClient
    from .jql import And, Clause, Field, Function, Not, Or, Query, Sort, field, fn, order_by, quote
    from .models import (
        ChangelogEntry,
        Comment,
        Component,
        Issue,
        IssueType,
        Project,
        Status,
        Transition,
        User,
        Version,
    )
    from .transport import CredentialProvider, StaticCredentials

__all__ = [
    "And",
    "AuthError",
    "ChangelogEntry",
    "Clause",
    "Comment",
    "Component",
    "Conflict",
    "CredentialProvider",
    "Field",
    "Function",
    "InvalidInput",
    "InvalidJql",
    "Issue",
    "IssueType",
    "JiraClient",
    "JiragwError",
    "Not",
    "NotFound",
    "Or",
    "PermissionDenied",
    "Project",
    "Query",
    "RateLimited",
    "ReauthRequired",
    "ScopeDenied",
    "Secret",
    "Sort",
    "StaticCredentials",
    "Status",
    "SyncJiraClient",
    "Transition",
    "UpstreamError",
    "UpstreamUnavailable",
    "User",
    "Version",
    "field",
    "fn",
    "order_by",
    "quote",
]

# Where each public name lives (a module relative to this package, or the exception tree).
_HOMES: dict[str, str] = {
    **dict.fromkeys(("JiraClient", "SyncJiraClient"), ".client"),
    **dict.fromkeys(("CredentialProvider", "StaticCredentials"), ".transport"),
    **dict.fromkeys(
        (
            "And",
            "Clause",
            "Field",
            "Function",
            "Not",
            "Or",
            "Query",
            "Sort",
            "field",
            "fn",
            "order_by",
            "quote",
        ),
        ".jql",
    ),
    **dict.fromkeys(
        (
            "ChangelogEntry",
            "Comment",
            "Component",
            "Issue",
            "IssueType",
            "Project",
            "Status",
            "Transition",
            "User",
            "Version",
        ),
        ".models",
    ),
    **dict.fromkeys(
        (
            "AuthError",
            "Conflict",
            "InvalidInput",
            "InvalidJql",
            "JiragwError",
            "NotFound",
            "PermissionDenied",
            "RateLimited",
            "ReauthRequired",
            "ScopeDenied",
            "UpstreamError",
            "UpstreamUnavailable",
        ),
        "jiragw.errors",
    ),
    "Secret": "jiragw.secrets",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
