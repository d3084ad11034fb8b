"""Prometheus metrics: names, labels, buckets, one registry per instance (gateway/metrics.py)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from jiragw.gateway.metrics import CONTENT_TYPE, Metrics

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


def sample(m: Metrics, name: str, **labels: str) -> float | None:
    return m.registry.get_sample_value(name, labels)


def families(m: Metrics) -> dict[str, str]:
    """Metric family name -> type, as the registry reports them."""
    return {family.name: family.type for family in m.registry.collect()}


def test_every_metric_is_declared_with_its_type(metrics: Metrics) -> None:
    assert families(metrics) == {
        "jiragw_requests": "counter",
        "jiragw_request_seconds": "histogram",
        "jiragw_upstream_seconds": "histogram",
        "jiragw_upstream_rate_limited": "counter",
        "jiragw_denials": "counter",
        "jiragw_token_refreshes": "counter",
        "jiragw_connections": "gauge",
    }


def test_requests_are_counted_by_door_method_and_status(metrics: Metrics) -> None:
    metrics.requests.labels(door="proxy", method="GET", status="200").inc()
    metrics.requests.labels("proxy", "GET", "200").inc()
    metrics.requests.labels(door="api", method="POST", status="401").inc()
    assert sample(metrics, "jiragw_requests_total", door="proxy", method="GET", status="200") == 2
    assert sample(metrics, "jiragw_requests_total", door="api", method="POST", status="401") == 1
    assert sample(metrics, "jiragw_requests_total", door="proxy", method="GET", status="404") is None


def test_latency_is_a_histogram_by_door_on_the_documented_buckets(metrics: Metrics) -> None:
    metrics.latency.labels(door="proxy").observe(0.003)
    metrics.latency.labels(door="proxy").observe(20.0)
    for le in BUCKETS:
        expected = 1.0 if le >= 0.003 else 0.0
        assert sample(metrics, "jiragw_request_seconds_bucket", door="proxy", le=str(le)) == expected
    assert sample(metrics, "jiragw_request_seconds_bucket", door="proxy", le="+Inf") == 2
    assert sample(metrics, "jiragw_request_seconds_count", door="proxy") == 2
    assert sample(metrics, "jiragw_request_seconds_sum", door="proxy") == pytest.approx(20.003)


def test_upstream_latency_has_no_labels(metrics: Metrics) -> None:
    metrics.upstream_latency.observe(0.2)
    assert sample(metrics, "jiragw_upstream_seconds_count") == 1
    assert sample(metrics, "jiragw_upstream_seconds_bucket", le="0.25") == 1
    assert sample(metrics, "jiragw_upstream_seconds_bucket", le="0.1") == 0
    with pytest.raises(ValueError, match="No label names"):
        metrics.upstream_latency.labels("proxy")


def test_rate_limits_denials_and_refreshes_have_one_label_each(metrics: Metrics) -> None:
    metrics.upstream_429.labels(connection="acme").inc()
    metrics.denials.labels(code="scope_denied").inc(2)
    metrics.refreshes.labels(outcome="reauth_required").inc()
    assert sample(metrics, "jiragw_upstream_rate_limited_total", connection="acme") == 1
    assert sample(metrics, "jiragw_denials_total", code="scope_denied") == 2
    assert sample(metrics, "jiragw_token_refreshes_total", outcome="reauth_required") == 1


def test_connections_is_a_gauge_by_status(metrics: Metrics) -> None:
    metrics.connections.labels(status="active").set(3)
    metrics.connections.labels(status="active").set(2)
    metrics.connections.labels(status="reauth_required").set(1)
    assert sample(metrics, "jiragw_connections", status="active") == 2
    assert sample(metrics, "jiragw_connections", status="reauth_required") == 1


@pytest.mark.parametrize(
    ("attribute", "labels"),
    [
        ("requests", {"door", "method", "status"}),
        ("latency", {"door"}),
        ("upstream_429", {"connection"}),
        ("denials", {"code"}),
        ("refreshes", {"outcome"}),
        ("connections", {"status"}),
    ],
)
def test_label_names_are_exactly_the_documented_ones(
    metrics: Metrics, attribute: str, labels: set[str]
) -> None:
    metric = getattr(metrics, attribute)
    metric.labels(**dict.fromkeys(labels, "x"))  # the right names are accepted
    with pytest.raises(ValueError, match="Incorrect label"):
        metric.labels(**dict.fromkeys(labels | {"extra"}, "x"))
    if len(labels) > 1:
        with pytest.raises(ValueError, match="Incorrect label"):
            metric.labels(**dict.fromkeys(sorted(labels)[1:], "x"))


def test_each_instance_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second set of names
    assert first.registry is not second.registry
    first.denials.labels(code="key_invalid").inc()
    assert sample(first, "jiragw_denials_total", code="key_invalid") == 1
    assert sample(second, "jiragw_denials_total", code="key_invalid") is None
    assert REGISTRY.get_sample_value("jiragw_denials_total", {"code": "key_invalid"}) is None


def test_render_is_the_prometheus_text_format(metrics: Metrics) -> None:
    metrics.requests.labels(door="mcp", method="POST", status="200").inc()
    text = metrics.render().decode("utf-8")
    assert "# HELP jiragw_requests_total Requests handled, by door" in text
    assert "# TYPE jiragw_requests_total counter" in text
    assert 'jiragw_requests_total{door="mcp",method="POST",status="200"} 1.0' in text
    parsed = {family.name for family in text_string_to_metric_families(text)}
    assert {"jiragw_requests", "jiragw_request_seconds", "jiragw_connections"} <= parsed
    assert CONTENT_TYPE.startswith("text/plain")
    assert "version=" in CONTENT_TYPE
