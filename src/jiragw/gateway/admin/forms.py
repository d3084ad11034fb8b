"""The connect forms as data: one :class:`FormSpec` per Atlassian auth method (DESIGN.md, "Auth methods").

A form lists its fields; :func:`connect_forms` fills sandbox defaults
(site, DC and demo OAuth client ids) when the gateway runs with
``--sandbox``. Secret fields are ``password`` inputs that are never
pre-filled or re-rendered; an empty client secret in sandbox mode means "the
demo app's secret", looked up on the server by :func:`sandbox_client_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from jiragw.auth.oauth1 import suggest_consumer_key

__all__ = [
    "DEFAULT_3LO_SCOPES",
    "DEFAULT_DC_SCOPES",
    "INSECURE_FIELD",
    "Field",
    "FormSpec",
    "connect_forms",
    "sandbox_client_secret",
]

DEFAULT_3LO_SCOPES = "read:jira-work write:jira-work read:jira-user offline_access"
DEFAULT_DC_SCOPES = "WRITE"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | url | email | password | date | checkbox
    required: bool = True
    default: str = ""
    help: str = ""


@dataclass(frozen=True, slots=True)
class FormSpec:
    title: str
    summary: str
    action: str
    button: str
    fields: tuple[Field, ...]
    hidden: tuple[tuple[str, str], ...] = ()

    def secret_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.kind == "password")


_NAME = Field("name", "Connection name", help="letters, digits, '.', '_' or '-'")
# Plain HTTP to a host other than this machine is refused unless the admin ticks this.
INSECURE_FIELD = "allow_insecure_http"
_INSECURE = Field(
    INSECURE_FIELD,
    "Allow plain HTTP",
    kind="checkbox",
    required=False,
    help="only for a Jira on a network you trust: over http:// credentials travel unencrypted",
)

_FORMS: dict[str, FormSpec] = {
    "oauth": FormSpec(
        "Jira Cloud (OAuth 2.0)",
        "Recommended for Cloud: consent in Atlassian's page; tokens refresh automatically.",
        "/v1/outbound/oauth/start",
        "Continue to Atlassian",
        (
            replace(_NAME, help="with several sites, each connection is named <name>-<site>"),
            Field(
                "scopes", "Scopes", default=DEFAULT_3LO_SCOPES, help="space-separated; keep offline_access"
            ),
            Field("client_id", "OAuth app client id"),
            Field("client_secret", "OAuth app client secret", kind="password"),
        ),
        hidden=(("kind", "3lo"),),
    ),
    "api-token": FormSpec(
        "Jira Cloud (API token)",
        "A user's API token with their email (Basic auth); checked against /myself before it is stored.",
        "/connect/api-token",
        "Connect",
        (
            _NAME,
            Field("site_url", "Site URL", kind="url", help="https://your-site.atlassian.net"),
            Field("email", "Account email", kind="email"),
            Field("token", "API token", kind="password"),
            _INSECURE,
        ),
    ),
    "client-credentials": FormSpec(
        "Jira Cloud DevOps (OAuth 2.0 client credentials)",
        "For the Builds and Deployments APIs only.",
        "/connect/client-credentials",
        "Connect",
        (
            _NAME,
            Field("site_url", "Site URL", kind="url"),
            Field("client_id", "Client id"),
            Field("client_secret", "Client secret", kind="password"),
            _INSECURE,
        ),
    ),
    "dc-oauth": FormSpec(
        "Jira Data Center (OAuth 2.0)",
        "An incoming OAuth 2.0 application link (authorization code with PKCE).",
        "/v1/outbound/oauth/start",
        "Continue to Jira",
        (
            _NAME,
            Field("dc_url", "Jira base URL", kind="url"),
            Field("client_id", "Client id"),
            Field("client_secret", "Client secret", kind="password"),
            Field("scopes", "Scopes", default=DEFAULT_DC_SCOPES, help="READ, WRITE, ADMIN or SYSTEM_ADMIN"),
            _INSECURE,
        ),
        hidden=(("kind", "dc"),),
    ),
    "pat": FormSpec(
        "Jira Data Center (personal access token)",
        "A PAT sent as a Bearer token.",
        "/connect/pat",
        "Connect",
        (
            _NAME,
            Field("dc_url", "Jira base URL", kind="url"),
            Field("pat", "Personal access token", kind="password"),
            Field("expires", "Token expiry", kind="date", required=False, help="optional, as set in Jira"),
            _INSECURE,
        ),
    ),
    "oauth1": FormSpec(
        "Jira Data Center (OAuth 1.0a application link)",
        "The gateway makes an RSA key pair; you paste its public key into Jira's application link.",
        "/connect/oauth1",
        "Generate the key pair",
        (
            _NAME,
            Field("dc_url", "Jira base URL", kind="url"),
            Field("consumer_key", "Consumer key"),
            _INSECURE,
        ),
    ),
    "basic": FormSpec(
        "Jira Data Center (username and password)",
        "Works, but discouraged: prefer a personal access token or OAuth.",
        "/connect/basic",
        "Connect",
        (
            _NAME,
            Field("dc_url", "Jira base URL", kind="url"),
            Field("username", "Username"),
            Field("password", "Password", kind="password"),
            _INSECURE,
        ),
    ),
}


def _first(mapping: Any) -> tuple[str, dict[str, Any]] | None:
    if isinstance(mapping, Mapping) and mapping:
        name = next(iter(mapping))
        return str(name), dict(mapping[name])
    return None


def _app(info: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    return next((dict(a) for a in info.get("oauth_apps", ()) if a.get("kind") == kind), None)


def _sandbox_defaults(info: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    site, dc = _first(info.get("sites")), _first(info.get("dc"))
    three, two = _app(info, "3lo"), _app(info, "2lo")
    dc_app = next(
        (
            dict(a)
            for a in info.get("oauth_apps", ())
            if a.get("kind") == "dc" and dc and a.get("dc") == dc[0]
        ),
        None,
    )
    site_url, dc_url = (site[1]["url"] if site else ""), (dc[1]["url"] if dc else "")
    return {
        "oauth": {"name": site[0] if site else "", "client_id": three["client_id"] if three else ""},
        "api-token": {"name": f"{site[0]}-token" if site else "", "site_url": site_url},
        "client-credentials": {
            "name": f"{site[0]}-devops" if site else "",
            "site_url": site_url,
            "client_id": two["client_id"] if two else "",
        },
        "dc-oauth": {
            "name": dc[0] if dc else "",
            "dc_url": dc_url,
            "client_id": dc_app["client_id"] if dc_app else "",
        },
        "pat": {"name": f"{dc[0]}-pat" if dc else "", "dc_url": dc_url},
        "oauth1": {"name": f"{dc[0]}-oauth1" if dc else "", "dc_url": dc_url},
        "basic": {"name": f"{dc[0]}-basic" if dc else "", "dc_url": dc_url},
    }


def connect_forms(sandbox_info: Mapping[str, Any] | None) -> dict[str, FormSpec]:
    """The connect forms, with sandbox defaults (never a secret) when ``sandbox_info`` is given."""
    defaults = _sandbox_defaults(sandbox_info) if sandbox_info else {}
    out: dict[str, FormSpec] = {}
    for key, spec in _FORMS.items():
        given = dict(defaults.get(key, {}))
        if key == "oauth1":
            given.setdefault("consumer_key", suggest_consumer_key())
        fields = []
        for f in spec.fields:
            if f.kind == "password":
                if sandbox_info and f.name == "client_secret":
                    f = replace(
                        f, required=False, help="empty: the sandbox demo app's secret, kept on the server"
                    )
            elif given.get(f.name):
                f = replace(f, default=given[f.name])
            fields.append(f)
        out[key] = replace(spec, fields=tuple(fields))
    return out


def sandbox_client_secret(sandbox_info: Mapping[str, Any] | None, client_id: str) -> str | None:
    """The demo secret of the sandbox's pre-registered client ``client_id``, if it is one."""
    if not sandbox_info:
        return None
    for app in sandbox_info.get("oauth_apps", ()):
        if app.get("client_id") == client_id and isinstance(app.get("client_secret"), str):
            return str(app["client_secret"])
    return None
