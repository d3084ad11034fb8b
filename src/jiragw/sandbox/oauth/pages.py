"""The server-rendered pages of the emulated authorization servers: consent and errors.

One self-contained HTML page (inline CSS, no scripts, no external assets)
that a human can click through and a test can drive with one form POST:
who is consenting (a demo-user selector), what is asked (app name, scopes),
where (a site picker, when the server covers several sites), Allow/Deny, and
a one-time nonce naming the pending request server-side. The page never
carries a secret: no client secret, no code, no token, not even the
client's ``state`` (kept with the pending request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

__all__ = ["ConsentPage", "error_page"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#172b4d}"
    "h1{font-size:1.4rem}fieldset{border:1px solid #dfe1e6;border-radius:6px;margin:1rem 0}"
    "li{font-family:monospace}button{padding:.5rem 1.2rem;margin-right:.5rem;border-radius:4px;"
    "border:0;cursor:pointer}.allow{background:#0052cc;color:#fff}.deny{background:#ebecf0}"
    ".err{color:#bf2600}"
)

_SECURE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    # form-action also governs the redirect that answers the form (Chromium enforces it), and the
    # consent answer redirects to the client's registered callback, on any origin.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:"
    ),
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_SECURE_HEADERS)


def error_page(title: str, message: str, status: int = 400) -> HTMLResponse:
    """An error shown to the user instead of a redirect (e.g. an unregistered redirect URI)."""
    return _page(title, f"<h1 class=err>{escape(title)}</h1><p>{escape(message)}</p>", status)


@dataclass(frozen=True, slots=True)
class ConsentPage:
    """What the consent form shows and posts back to ``action``."""

    action: str
    server_name: str  # "Atlassian", "Jira Data Center corp"
    app_name: str
    scopes: tuple[str, ...]
    users: tuple[tuple[str, str], ...]  # (value, label)
    nonce: str
    sites: tuple[tuple[str, str], ...] = ()  # (cloud id, label); empty: no site picker
    nonce_field: str = "nonce"

    def render(self) -> HTMLResponse:
        scopes = "".join(f"<li>{escape(s)}</li>" for s in self.scopes)
        users = _options(self.users)
        sites = ""
        if self.sites:
            boxes = "".join(
                f'<label><input type=checkbox name=site value="{escape(v, quote=True)}" checked> '
                f"{escape(label)}</label><br>"
                for v, label in self.sites
            )
            sites = f"<fieldset><legend>Use app on</legend>{boxes}</fieldset>"
        body = (
            f"<h1>{escape(self.app_name)} is requesting access to your "
            f"{escape(self.server_name)} account</h1>"
            f'<form method=post action="{escape(self.action, quote=True)}">'
            f'<input type=hidden name="{escape(self.nonce_field, quote=True)}" '
            f'value="{escape(self.nonce, quote=True)}">'
            f"<fieldset><legend>Signed in as</legend><select name=user>{users}</select></fieldset>"
            f"{sites}<fieldset><legend>It wants to</legend><ul>{scopes}</ul></fieldset>"
            "<button class=allow name=decision value=allow>Accept</button>"
            "<button class=deny name=decision value=deny>Deny</button></form>"
        )
        return _page(f"{self.app_name}: authorize", body)


def _options(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{escape(v, quote=True)}">{escape(label)}</option>' for v, label in values)
