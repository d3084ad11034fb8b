"""Prometheus metrics of one gateway process (its own registry, so tests can run several gateways).

Exposed at ``/metrics``: requests by door/method/status, latency histograms,
upstream 429s, token refreshes by outcome, and connections by status (a
gauge set when scraped).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "jiragw_requests",
            "Requests handled, by door (proxy, mcp, api, admin, oauth), method and status code.",
            ("door", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "jiragw_request_seconds",
            "Time to answer a request, by door.",
            ("door",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "jiragw_upstream_seconds",
            "Time Jira took to answer a proxied call (until its headers).",
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.upstream_429 = Counter(
            "jiragw_upstream_rate_limited",
            "Upstream answers with status 429, by connection.",
            ("connection",),
            registry=self.registry,
        )
        self.denials = Counter(
            "jiragw_denials",
            "Requests refused before any upstream call, by error code.",
            ("code",),
            registry=self.registry,
        )
        self.refreshes = Counter(
            "jiragw_token_refreshes",
            "Token refreshes by outcome (ok, reauth_required, error).",
            ("outcome",),
            registry=self.registry,
        )
        self.connections = Gauge(
            "jiragw_connections",
            "Connections by grant status.",
            ("status",),
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
