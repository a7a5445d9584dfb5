"""Stack settings: one target per stack, labels that are labels."""

from __future__ import annotations

import json

import pytest

from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError


def test_a_stack_has_one_target() -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:renderDir": "out", "agentkube:localCluster": "true"}, "Pulumi.x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "Pulumi.x.yaml: config.agentkube:localCluster: true while renderDir is set too, "
        "expected one target for the stack"
    ]


@pytest.mark.parametrize(
    ("labels", "says"),
    [
        ({"team name": "x"}, "team name: key 'team name' is not a label key"),
        ({"Acme.io/team": "x"}, "Acme.io/team: key 'Acme.io/team' has an invalid prefix 'Acme.io'"),
        ({"team": "-x"}, "team: '-x' is not a label value"),
        ({"team": "x" * 64}, "team: '" + "x" * 64 + "' is not a label value, expected at most 63"),
    ],
)
def test_stack_labels_must_be_labels(labels: dict[str, str], says: str) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:labels": json.dumps(labels)}, "Pulumi.test.yaml")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"Pulumi.test.yaml: config.agentkube:labels.{says}")


@pytest.mark.parametrize(
    "address",
    [
        "prometheus.monitoring:9090",  # no scheme: KEDA and analyze fail at run time
        "prometheus.monitoring.svc",
        "http://prometheus.monitoring.svc:9090/api/v1",
        "http://prometheus:9090?timeout=5s",
        "http://prometheus:9090#x",
        "tcp://prometheus:9090",
        "http://prometheus:0",
        "http://prometheus:65536",
        "http://prometheus..monitoring:9090",
        "http://user:pass@prometheus:9090",
        "http:// prometheus:9090",
        "",
    ],
)
def test_a_prometheus_address_is_a_server_root_url(address: str) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:prometheusAddress": address}, "Pulumi.test.yaml")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("Pulumi.test.yaml: config.agentkube:prometheusAddress: ")
    assert "expected http://HOST:PORT or https://HOST:PORT, no path or query" in problem


@pytest.mark.parametrize(
    "address",
    [
        "http://prometheus.monitoring.svc:9090",
        "https://prometheus.example.com",
        "http://prometheus:9090/",
        "http://10.0.0.7:9090",
        "http://[fd00::7]:9090",
        "http://127.0.0.1:65535",
    ],
)
def test_prometheus_server_urls_are_kept(address: str) -> None:
    assert settings_from_config({"agentkube:prometheusAddress": address}, "Pulumi.test.yaml").prometheus_address == (
        address
    )


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("otel-collector:4318", "is not a collector URL"),
        ("http://otel.observability:4318/v1/traces", "is not a collector URL"),
        ("http://otel.observability:99999", "out of range, expected 1-65535"),
        ("http://otel.observability:4318?x=1", "is not a collector URL"),
        ("grpc://otel.observability:4317", "is not a collector URL"),
    ],
)
def test_an_otel_endpoint_has_the_same_url_grammar(endpoint: str, says: str) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:otelEndpoint": endpoint}, "Pulumi.test.yaml")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("Pulumi.test.yaml: config.agentkube:otelEndpoint: ") and says in problem
