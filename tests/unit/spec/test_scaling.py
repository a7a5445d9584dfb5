"""Autoscale bounds and KEDA triggers: each trigger has one source and its fields are checked."""

from __future__ import annotations

from tests.helpers import GOOD, TASKS, job, spec_problems


def test_autoscale_min_above_max() -> None:
    assert spec_problems({**GOOD, "scaling": {"autoscale": {"min": 5, "max": 2}}}) == [
        "agents/worker.yaml: scaling.autoscale: min (5) is greater than max (2), expected min <= max"
    ]


def test_a_trigger_has_exactly_one_source() -> None:
    redis = {"address": "redis.infra.svc:6379", "list": "tasks"}
    assert spec_problems(job(triggers=[{**TASKS, "redis": redis}, {}]), keda=True) == [
        "agents/worker.yaml: scaling.autoscale.triggers[0]: a trigger needs exactly one of prometheus, redis, "
        "rabbitmq, kafka; found prometheus, redis",
        "agents/worker.yaml: scaling.autoscale.triggers[1]: a trigger needs exactly one of prometheus, redis, "
        "rabbitmq, kafka; found none",
    ]


def test_trigger_fields_are_checked() -> None:
    triggers = [
        {"redis": {"address": "redis", "list": "tasks"}},
        {"prometheus": {"query": "sum(x)", "threshold": "0"}},
        {"rabbitmq": {"queue": "q", "host": "amqp://guest:guest@rabbit:5672"}},
    ]
    assert spec_problems(job(triggers=triggers), keda=True) == [
        "agents/worker.yaml: scaling.autoscale.triggers[0].redis.address: 'redis' is not valid, expected a host "
        "name and a port (e.g. 'redis.infra.svc:6379')",
        "agents/worker.yaml: scaling.autoscale.triggers[1].prometheus: threshold (0) must be above 0: "
        "pods = ceil(value / threshold)",
        "agents/worker.yaml: scaling.autoscale.triggers[2].rabbitmq.host: unknown field 'host', expected one of: "
        "hostFromSecret, length, queue",
        "agents/worker.yaml: scaling.autoscale.triggers[2].rabbitmq.hostFromSecret: required field is missing",
    ]


def test_an_hpa_metric_name_is_one_path_segment_of_the_metrics_api() -> None:
    metrics = [
        {"external": {"name": "", "averageValue": "1"}},
        {"external": {"name": "queue/depth", "averageValue": "1"}},
        {"pods": {"name": "..", "averageValue": "1"}},
        {"pods": {"name": "nginx.ingress.requests", "averageValue": "1"}},  # other adapters' names have dots
    ]
    problems = spec_problems({**GOOD, "scaling": {"autoscale": {"min": 1, "max": 3, "metrics": metrics}}})
    assert [p.split(": ")[1] for p in problems] == [
        "scaling.autoscale.metrics[0].external.name",
        "scaling.autoscale.metrics[1].external.name",
        "scaling.autoscale.metrics[2].pods.name",
    ]
    assert all("without '/' or '%', not '.' or '..'" in p for p in problems)
