"""Canaries: the connection's API token / PAT and the gateway key never leave the gateway.

After a mix of good, refused and failing calls through the proxy, neither
secret appears in any response body or header, any log record, or any audit row.
"""

from __future__ import annotations

import base64
import json
import logging

import httpx
import pytest

from tests.gateway.conftest import Env


def _wire_forms(secret: str) -> list[str]:
    """A secret as it could leak: plain, and base64 inside a Basic header."""
    forms = [secret]
    for prefix in ("", "alice:", "alice@example.com:", "anyone:"):
        forms.append(base64.b64encode(f"{prefix}{secret}".encode()).decode())
    return forms


async def test_no_secret_leaves_the_gateway(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await env.connect_cloud()
    await env.connect_dc()
    key, _ = env.key(preset="read-only")
    user = env.user()
    canaries = {"gateway key": key, "api token": user["api_token"], "pat": user["pat"]}

    auth = {"Authorization": f"Bearer {key}"}
    basic = {"Authorization": "Basic " + base64.b64encode(f"anyone:{key}".encode()).decode()}
    responses: list[httpx.Response] = [
        await env.client.get("/jira/acme/rest/api/3/myself", headers=auth),
        await env.client.get("/jira/corp/rest/api/2/myself", headers=basic),
        await env.client.get("/jira/corp/rest/api/2/search?jql=project%3DPRJ&maxResults=3", headers=auth),
        await env.client.post("/jira/acme/rest/api/3/issue", headers=auth, json={"fields": {}}),  # read-only
        await env.client.get(f"/jira/acme/rest/api/3/myself?token={key}", headers=auth),  # key in query
        await env.client.get("/jira/acme/rest/api/2/issue/%2e%2e%2fsecure", headers=auth),
        await env.client.get("/jira/nope/rest/api/2/myself", headers=auth),
        await env.client.get("/jira/acme/rest/api/3/issue/NOPE-1", headers=auth),  # Jira's own 404
    ]
    # The Atlassian credentials used as if they were gateway keys.
    responses.append(
        await env.client.get(
            "/jira/acme/rest/api/3/myself", headers={"Authorization": f"Bearer {user['pat']}"}
        )
    )
    basic_token = base64.b64encode(f"{user['email']}:{user['api_token']}".encode()).decode()
    responses.append(
        await env.client.get(
            "/jira/acme/rest/api/3/myself", headers={"Authorization": f"Basic {basic_token}"}
        )
    )

    def upstream_down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            f"refused while sending {request.headers.get('authorization')}", request=request
        )

    original = env.gw.http
    env.gw.http = httpx.AsyncClient(transport=httpx.MockTransport(upstream_down))
    try:
        responses.append(await env.client.get("/jira/corp/rest/api/2/myself", headers=auth))
    finally:
        env.gw.http = original

    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 403, 400, 400, 403, 404, 401, 401, 503]

    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        records = [row for row in tx.audit.tail(1000) if row.action == "proxy"]
        audit_rows = [json.dumps(row.to_json(), default=str) for row in tx.audit.tail(1000)]
    # Every call is audited; the refusals of calls without a valid key are counted per source and
    # minute, one row saying how many.
    counted = [(row.detail or {}).get("count", 1) if row.actor == "anonymous" else 1 for row in records]
    assert sum(counted) == len(responses)

    # The test's own client logs the URLs it requests (one carries the key on purpose, to be refused):
    # that is the caller's log, not the gateway's. The gateway's upstream client logs too, and is checked.
    gateway_logs = [
        r for r in caplog.records if not (r.name == "httpx" and "http://gw.test/" in r.getMessage())
    ]
    assert gateway_logs
    for label, secret in canaries.items():
        for form in _wire_forms(secret):
            for response in responses:
                assert form not in response.text, f"{label} in a response body"
                assert form not in json.dumps(list(response.headers.items())), f"{label} in a response header"
            for log_record in gateway_logs:
                assert form not in log_record.getMessage(), f"{label} in a log line"
                assert form not in (log_record.exc_text or ""), f"{label} in a logged traceback"
            for row in audit_rows:
                assert form not in row, f"{label} in an audit row"
