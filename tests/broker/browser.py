"""A scripted user in front of the sandbox's consent pages: GET the page, POST the form, follow back.

Each helper takes the authorize URL the broker printed, answers the consent
form the way a person would (pick a demo user, keep every site ticked, press
Allow or Deny) and returns the query string of the redirect to the broker's
callback, exactly what the loopback listener or the gateway would receive.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import httpx

__all__ = ["consent", "consent_redirect", "form_fields"]

_INPUT = re.compile(r"<input\b([^>]*)>")
_SELECT = re.compile(r"<select name=(\w+)>(.*?)</select>", re.S)
_OPTION = re.compile(r'<option value="([^"]*)"')
_ATTR = re.compile(r'(\w+)=(?:"([^"]*)"|(\S+))')
_ACTION = re.compile(r'<form method=post action="([^"]+)"')


def form_fields(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The consent form's action and its fields as a browser would submit them (checked boxes only)."""
    action = _ACTION.search(html)
    assert action, "the page has no consent form"
    fields: list[tuple[str, str]] = []
    for tag in _INPUT.finditer(html):
        attrs = {
            m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag.group(1))
        }
        if attrs.get("type") == "checkbox" and "checked" not in tag.group(1):
            continue
        if "name" in attrs:
            fields.append((attrs["name"], attrs.get("value", "")))
    return unescape(action.group(1)), fields


def _pick_user(html: str, account_id: str | None) -> tuple[str, str]:
    select = _SELECT.search(html)
    assert select, "the consent page has no user selector"
    options = [unescape(v) for v in _OPTION.findall(select.group(2))]
    assert options, "no demo user can consent"
    chosen = account_id if account_id is not None else options[0]
    assert chosen in options, "that user cannot consent here"
    return select.group(1), chosen


async def consent(
    client: httpx.AsyncClient, authorize_url: str, *, decision: str = "allow", account_id: str | None = None
) -> str:
    """Open ``authorize_url``, answer the form with ``decision``; the callback's query string."""
    location = await consent_redirect(client, authorize_url, decision=decision, account_id=account_id)
    return urlsplit(location).query


async def consent_redirect(
    client: httpx.AsyncClient, authorize_url: str, *, decision: str = "allow", account_id: str | None = None
) -> str:
    """Open ``authorize_url``, answer the form with ``decision``; where the server redirects the browser."""
    page = await client.get(authorize_url)
    assert page.status_code == 200, page.text
    action, fields = form_fields(page.text)
    fields.append(_pick_user(page.text, account_id))
    fields.append(("decision", decision))
    parts = urlsplit(authorize_url)
    answer = await client.post(f"{parts.scheme}://{parts.netloc}{action}", data=_grouped(fields))
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def _grouped(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in fields:
        out.setdefault(name, []).append(value)
    return out
