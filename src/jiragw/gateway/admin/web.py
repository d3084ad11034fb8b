"""The admin UI's plumbing: templates, security headers, the session gate, CSRF, flash messages.

Every admin response goes through :meth:`AdminUI.render` or
:meth:`AdminUI.redirect`, which add ``Cache-Control: no-store``,
``Referrer-Policy: no-referrer``, a strict CSP (``default-src 'self'``; no
scripts at all) and ``X-Frame-Options: DENY``. :func:`admin_page` wraps a
handler: no session -> 303 to ``/login``; a POST without the session's CSRF
token -> 403, before the handler runs. Jinja2 autoescapes every template.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jiragw.gateway.admin.csrf import FIELD, CsrfGuard
from jiragw.gateway.admin.pending import PendingFlows
from jiragw.gateway.admin.sessions import AdminSession, session_of, session_token
from jiragw.gateway.admin.throttle import LoginThrottle
from jiragw.gateway.audit import Event
from jiragw.gateway.state import Gateway

__all__ = ["SECURITY_HEADERS", "AdminUI", "Ctx", "Handler", "admin_page", "ui_for"]

SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
_TEMPLATES = Path(__file__).parent / "templates"
_NAV = (
    ("/connections", "Connections"),
    ("/connect", "Connect Jira"),
    ("/keys", "Keys"),
    ("/audit", "Audit"),
    ("/mcp-config", "MCP"),
)


@dataclass(frozen=True, slots=True)
class Ctx:
    """One admin request: the session, and the form of a CSRF-checked POST."""

    request: Request
    session: AdminSession
    form: FormData | None

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]


Handler = Callable[["AdminUI", Ctx], Awaitable[Response]]


class AdminUI:
    """The admin UI of one gateway: its templates, CSRF key, flashes, pending flows and login throttle."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.csrf = CsrfGuard()
        # Read gw.monotonic at each call, so a test that swaps the gateway's clock drives the
        # pending flows' expiry and the throttle too.
        self.pending = PendingFlows(lambda: gw.monotonic())
        self.throttle = LoginThrottle(lambda: gw.monotonic())
        self._flashes: dict[str, list[tuple[str, str]]] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def session(self, request: Request) -> AdminSession | None:
        token = session_token(request)
        if token is None:
            return None
        principal = await self.gw.store.run(lambda tx: tx.admin.session_principal(token))
        return None if principal is None else session_of(token, principal)

    async def audit(self, action: str, *, actor: str, outcome: str = "ok", **fields: Any) -> None:
        """Record an admin action; it is committed when this returns, before the page is answered."""
        await self.gw.audit.commit(
            Event(action=action, actor=actor, outcome=outcome, at=self.gw.now(), **fields)
        )

    def flash(self, session: AdminSession, message: str, level: str = "ok") -> None:
        self._flashes.setdefault(session.token_hash, []).append((level, message))

    def render(
        self,
        template: str,
        session: AdminSession | None,
        *,
        status: int = 200,
        title: str = "",
        **context: Any,
    ) -> HTMLResponse:
        flashes = self._flashes.pop(session.token_hash, []) if session is not None else []
        html = self.env.get_template(template).render(
            title=title,
            session=session,
            csrf=self.csrf.token(session.token_hash) if session is not None else "",
            csrf_field=FIELD,
            nav=_NAV if session is not None else (),
            flashes=flashes,
            sandbox=self.gw.sandbox_info is not None,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=dict(SECURITY_HEADERS))

    def message(
        self, session: AdminSession | None, title: str, text: str, *, status: int = 400, back: str = "/"
    ) -> HTMLResponse:
        return self.render("message.html", session, status=status, title=title, text=text, back=back)

    @staticmethod
    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303, headers=dict(SECURITY_HEADERS))

    def checked(self, session: AdminSession, form: FormData) -> bool:
        token = form.get(FIELD)
        return self.csrf.valid(session.token_hash, token if isinstance(token, str) else None)


_ATTR = "_jiragw_admin_ui"


def ui_for(gw: Gateway) -> AdminUI:
    """The one :class:`AdminUI` of ``gw`` (shared by the admin pages and the OAuth routes).

    Kept in the gateway object's own ``__dict__`` so it lives and dies with it.
    """
    found = vars(gw).get(_ATTR)
    if isinstance(found, AdminUI):
        return found
    ui = AdminUI(gw)
    vars(gw)[_ATTR] = ui
    return ui


def admin_page(ui: AdminUI, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that needs a session and, for POST, a valid CSRF token."""

    async def endpoint(request: Request) -> Response:
        session = await ui.session(request)
        if session is None:
            return ui.redirect("/login")
        form: FormData | None = None
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=1000)
            if not ui.checked(session, form):
                return ui.message(
                    session,
                    "Form expired",
                    "The form's security token is missing or wrong. Reload the page and try again.",
                    status=403,
                )
        return await handler(ui, Ctx(request, session, form))

    return endpoint
