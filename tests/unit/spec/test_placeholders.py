"""The one placeholder language of agentkube's queries: what is filled, what passes through, what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings

from agentkube.spec import placeholders
from agentkube.spec.problems import SpecError
from tests.helpers import GOOD, canary, fleet_of
from tests.strategies import filled, promql_queries, written

VALUES = {"agent": "worker", "namespace": "agentkube-agent-pool", "track": "canary", "window": "10m"}


@settings(max_examples=300, deadline=None)
@given(promql_queries())
def test_only_placeholders_are_replaced_every_other_character_passes_through(parts: list[Any]) -> None:
    query = written(parts)
    assume(not any(foreign in query for foreign in ("{{", "[[")))  # other template languages: refused below
    assert placeholders.problem(query) is None, query
    assert placeholders.fill(query, VALUES) == filled(parts, VALUES)


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ('sum(rate(x{code=~"5..$"}[$window]))', 'sum(rate(x{code=~"5..$"}[10m]))'),
        ('label_replace(up, "a", "$1", "b", "(.*)")', 'label_replace(up, "a", "$1", "b", "(.*)")'),
        (
            'label_replace(up, "a", "$$host", "b", "(?P<host>.*)")',
            'label_replace(up, "a", "$host", "b", "(?P<host>.*)")',
        ),
        ('x{agent="${agent}"}$ $$1 $', 'x{agent="worker"}$ $$1 $'),
    ],
)
def test_dollars_of_promql_are_kept_and_a_double_dollar_before_a_name_is_one(query: str, sent: str) -> None:
    assert placeholders.problem(query) is None
    assert placeholders.fill(query, VALUES) == sent


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('up{namespace="{{args.namespace}}"}', "'{{args.namespace}}' is Go/Helm/Argo template syntax"),
        ('up{namespace="{{ .Release.Namespace }}"}', "'{{ .Release.Namespace }}' is Go/Helm/Argo template syntax"),
        ('up{namespace="${args.namespace}"}', "'${args.namespace}' is shell/Terraform template syntax"),
        ('up{namespace="${ namespace }"}', "'${ namespace }' is shell/Terraform template syntax"),
        ('up{instance=~"[[instance]]"}', "'[[instance]]' is Grafana variable syntax"),
        ('up{namespace="{namespace}"}', "'{namespace}' is Python format syntax"),
        ("rate(x[$__rate_interval])", "unknown placeholder $__rate_interval"),
        ('up{agent="$agnt"}', "unknown placeholder $agnt (did you mean $agent?)"),
    ],
)
def test_placeholders_of_another_syntax_and_unknown_ones_are_refused_naming_ours(query: str, says: str) -> None:
    why = placeholders.problem(query)
    assert why is not None and says in why
    assert "a query may use $agent, $namespace, $track, $window" in why


def test_a_trigger_query_has_no_window() -> None:
    why = placeholders.problem("sum(rate(tasks_total[$window]))", placeholders.TRIGGER)
    assert why is not None and "$window has no value in this query (write the range itself, e.g. [5m])" in why
    assert "a query may use $agent, $namespace, $track " in why


def test_fill_never_leaves_a_placeholder_it_has_no_value_for() -> None:
    with pytest.raises(ValueError, match=r"no value for the placeholder \$window"):
        placeholders.fill("x[$window]", {"agent": "a"})


@pytest.mark.parametrize(
    ("where", "query"),
    [
        ("rollout.canary.analysis.metrics[0].query", 'up{namespace="{{args.namespace}}"}'),
        ("rollout.canary.analysis.errorRate.query", 'sum(rate(x{ns="${args.ns}"}[1m]))'),
    ],
)
def test_analysis_queries_are_refused_at_validate_time_with_the_field(where: str, query: str) -> None:
    error_rate = {"max": 0.05, "query": query if "errorRate" in where else "sum(rate(errors[1m]))"}
    metrics = [{"name": "q", "query": query, "max": 1}] if "metrics" in where else []
    with pytest.raises(SpecError) as caught:
        fleet_of(canary(10, "argo", analysis={"errorRate": error_rate, "metrics": metrics}))
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"agents/worker.yaml: {where}: ") and "a query may use $agent" in problem


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('sum(tasks{namespace="{{args.namespace}}"})', "Go/Helm/Argo template syntax"),
        ("sum(rate(tasks_total[$window]))", "$window has no value in this query"),
        ('sum(tasks{q="$queue"})', "unknown placeholder $queue"),
    ],
)
def test_trigger_queries_are_refused_at_validate_time_with_the_field(query: str, says: str) -> None:
    trigger = {"prometheus": {"query": query, "threshold": "5"}}
    spec = {**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "triggers": [trigger]}}}
    with pytest.raises(SpecError) as caught:
        fleet_of(spec, keda=True)
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("agents/worker.yaml: scaling.autoscale.triggers[0].prometheus.query: ")
    assert says in problem and "a query may use $agent, $namespace, $track " in problem
