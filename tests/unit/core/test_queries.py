"""Every query agentkube fills, as it is sent: analyze's per-track checks, Argo's AnalysisTemplate (rendered to
YAML and read back) and KEDA's trigger queries keep the user's PromQL byte for byte but for our placeholders."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings

from agentkube.core import analysis
from agentkube.core.build import build
from agentkube.render.yaml_writer import to_yaml
from agentkube.spec import placeholders
from tests.helpers import GOOD, canary, fleet_of, objects_by_name, one_object, spec_problems
from tests.strategies import filled, promql_queries, written

NAMESPACE = "agentkube-agent-pool"
ANCHORED = 'sum(rate(http_requests_total{agent="$agent",track="$track",code=~"5..$"}[$window]))'


def valid(parts: list[Any]) -> str:
    query = written(parts)
    assume(query and placeholders.problem(query) is None)  # `{{` or `[[x]]` by chance: refused, tested apart
    return query


def custom(query: str, traffic: str = "replicas") -> dict[str, Any]:
    return canary(10, traffic, analysis={"metrics": [{"name": "q", "query": query, "max": 1}], "window": "10m"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(promql_queries())
def test_analyze_sends_every_query_as_written_but_for_its_placeholders(parts: list[Any]) -> None:
    query = valid(parts)
    fleet = fleet_of(custom(query))
    spec = fleet.agent("worker")
    (check,) = analysis.checks(spec)
    for track in (analysis.STABLE, analysis.CANARY):
        sent = analysis.query(check, spec, fleet.settings, track, "10m")
        assert sent == filled(parts, {"agent": "worker", "namespace": NAMESPACE, "track": track, "window": "10m"})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(promql_queries())
def test_an_argo_canary_renders_every_query_as_written_but_for_its_placeholders(parts: list[Any]) -> None:
    query = valid(parts)
    check = {"name": "q", "query": query, "max": 1, "maxRatioToStable": 2}
    fleet = fleet_of(canary(10, "argo", analysis={"metrics": [check], "window": "10m"}))
    template = yaml.safe_load(to_yaml(one_object(build(fleet), "AnalysisTemplate")))
    metrics = {m["name"]: m["provider"]["prometheus"]["query"] for m in template["spec"]["metrics"]}
    values = {"agent": "worker", "namespace": NAMESPACE, "window": "10m"}
    canary_query, stable_query = (
        filled(parts, values | {"track": analysis.ARGO_TRACKS[t]}) for t in ("canary", "stable")
    )
    assert metrics == {"q": canary_query, "q-vs-stable": f"({canary_query}) / ({stable_query})"}


def test_a_regex_anchor_no_longer_crashes_analyze_or_render() -> None:
    fleet = fleet_of(custom(ANCHORED))
    spec = fleet.agent("worker")
    sent = analysis.query(analysis.checks(spec)[0], spec, fleet.settings, "canary", "10m")
    assert sent == 'sum(rate(http_requests_total{agent="worker",track="canary",code=~"5..$"}[10m]))'
    template = one_object(build(fleet_of(custom(ANCHORED, "argo"))), "AnalysisTemplate")
    text = template["spec"]["metrics"][0]["provider"]["prometheus"]["query"]
    assert (
        text == 'sum(rate(http_requests_total{agent="worker",rollouts_pod_template_hash="{{args.canary-hash}}",'
        'code=~"5..$"}[10m]))'
    )


def test_argo_selects_its_hash_for_every_spelling_of_a_track_matcher() -> None:
    query = 'x{track = "${track}"} / y{track=~"$track"} / z{subtrack="$track"}'
    template = one_object(build(fleet_of(custom(query, "argo"))), "AnalysisTemplate")
    text = template["spec"]["metrics"][0]["provider"]["prometheus"]["query"]
    hash_ = "{{args.canary-hash}}"
    assert text == (
        f'x{{rollouts_pod_template_hash = "{hash_}"}} / y{{rollouts_pod_template_hash=~"{hash_}"}} '
        f'/ z{{subtrack="{hash_}"}}'
    )


def test_the_argo_error_rate_query_is_filled_for_the_canary_with_the_hash_args() -> None:
    error_rate = {"max": 0.05, "query": 'sum(rate(e{namespace="$namespace",track="$track",c=~"5..$"}[$window]))'}
    objects = build(fleet_of(canary(10, "argo", analysis={"errorRate": error_rate, "window": "2m"})))
    template, rollout = one_object(objects, "AnalysisTemplate"), one_object(objects, "Rollout")
    (metric,) = template["spec"]["metrics"]
    assert metric["provider"]["prometheus"]["query"] == (
        f'sum(rate(e{{namespace="{NAMESPACE}",rollouts_pod_template_hash="{{{{args.canary-hash}}}}",c=~"5..$"}}[2m]))'
    )
    assert template["spec"]["args"] == [{"name": "stable-hash"}, {"name": "canary-hash"}]
    assert "args" in rollout["spec"]["strategy"]["canary"]["steps"][2]["analysis"]


def test_keda_trigger_queries_are_filled_per_track_as_written_otherwise() -> None:
    query = 'sum(agent_inflight{namespace="$namespace",agent="${agent}",track="$track",q=~"tasks$"})'
    trigger = {"prometheus": {"query": query, "threshold": "5"}}
    spec = canary(20, scaling={"autoscale": {"min": 0, "max": 4, "triggers": [trigger]}})
    spec["scaling"] = spec["rollout"]["canary"].pop("scaling")
    scaled = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject")
    assert set(scaled) == {"worker", "worker-canary"}
    for name, track in (("worker", "stable"), ("worker-canary", "canary")):
        (sent,) = [t["metadata"]["query"] for t in scaled[name]["spec"]["triggers"] if t["type"] == "prometheus"]
        assert sent == f'sum(agent_inflight{{namespace="{NAMESPACE}",agent="worker",track="{track}",q=~"tasks$"}})'


def test_a_job_agents_trigger_query_is_filled_for_its_one_track() -> None:
    trigger = {"prometheus": {"query": 'sum(tasks{agent="$agent",track="$track"})', "threshold": "5"}}
    spec = {**GOOD, "kind": "job", "scaling": {"autoscale": {"min": 0, "max": 3, "triggers": [trigger]}}}
    job = one_object(build(fleet_of(spec, keda=True)), "ScaledJob")
    assert job["spec"]["triggers"][0]["metadata"]["query"] == 'sum(tasks{agent="worker",track="stable"})'


@pytest.mark.parametrize(
    ("metric", "where", "says"),
    [
        (
            {"external": {"name": "agent-queue-depth", "averageValue": "10"}},
            "metrics[0].external.name",
            "'agent-queue-depth' is not a Prometheus metric name (KEDA queries it)",
        ),
        (
            {"external": {"name": "q", "selector": {"queue-name": "x"}, "value": "1"}},  # a label key, not PromQL's
            "metrics[0].external.selector",
            "'queue-name' is not a Prometheus label name",
        ),
        (
            {"pods": {"name": "in flight", "averageValue": "3"}},
            "metrics[0].pods.name",
            "'in flight' is not a Prometheus metric name",
        ),
    ],
)
def test_metrics_keda_queries_by_name_must_be_promql_names(metric: dict[str, Any], where: str, says: str) -> None:
    trigger = {"prometheus": {"query": "sum(tasks)", "threshold": "5"}}
    spec = {**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "metrics": [metric], "triggers": [trigger]}}}
    problems = spec_problems(spec, keda=True)
    assert any(p.startswith(f"agents/worker.yaml: scaling.autoscale.{where}: {says}") for p in problems), problems
