"""The connect forms as data: sandbox defaults fill ids and URLs, never a secret."""

from __future__ import annotations

from jiragw.gateway.admin.forms import connect_forms, sandbox_client_secret
from jiragw.sandbox import build_sandbox
from jiragw.sandbox.server import describe


def test_every_secret_is_a_password_field_without_default() -> None:
    info = describe(build_sandbox(projects=1, issues=1, seed=1), "http://sb.test")
    for forms in (connect_forms(None), connect_forms(info)):
        for spec in forms.values():
            for field in spec.fields:
                if field.name in {"token", "pat", "password", "client_secret"}:
                    assert field.kind == "password"
                    assert field.default == ""


def test_sandbox_defaults() -> None:
    info = describe(build_sandbox(projects=1, issues=1, seed=1), "http://sb.test")
    forms = connect_forms(info)
    three = next(a for a in info["oauth_apps"] if a["kind"] == "3lo")
    defaults = {f.name: f.default for f in forms["oauth"].fields}
    assert defaults["client_id"] == three["client_id"]
    assert "offline_access" in defaults["scopes"].split()
    assert {f.name: f.default for f in forms["pat"].fields}["dc_url"] == "http://sb.test/dc/corp"
    assert sandbox_client_secret(info, three["client_id"]) == three["client_secret"]
    assert sandbox_client_secret(info, "unknown") is None
    assert sandbox_client_secret(None, three["client_id"]) is None
    plain = {f.name: f for f in connect_forms(None)["oauth"].fields}
    assert plain["client_id"].default == ""
    assert plain["client_secret"].required
