"""Rollouts: strategies and their blocks go together, canary checks have one source and a bound."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.spec.problems import SpecError
from tests.helpers import BASE, canary, fleet_of


@pytest.mark.parametrize(
    ("rollout", "message"),
    [
        ({"strategy": "canary", "canary": {"image": "w:2", "weight": 101}}, "rollout.canary.weight"),
        ({"strategy": "canary"}, "strategy canary needs a candidate"),
        ({"strategy": "canary", "canary": {"weight": 10}}, "rollout.canary.image: required field is missing"),
        (
            {"strategy": "canary", "canary": {"image": "w:2", "traffic": "argo"}},
            "traffic: argo needs analysis.metrics or analysis.errorRate",
        ),
        (
            {
                "strategy": "canary",
                "canary": {"image": "w:2", "traffic": "argo", "analysis": {"errorRate": {"max": 0.1}}},
            },
            "rollout.canary.analysis.errorRate.query: required field is missing",
        ),
        (
            {"strategy": "blue-green", "blueGreen": {"active": "green", "blue": {"image": "w:1"}}},
            "active colour 'green' has no image",
        ),
        (
            {"strategy": "canary", "canary": {"image": "w:2"}, "blueGreen": {"blue": {"image": "w:1"}}},
            "canary and blueGreen are set at once",
        ),
    ],
)
def test_bad_rollouts_are_reported(rollout: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of({**BASE, "rollout": rollout})
    assert message in str(caught.value)
    assert str(caught.value).startswith("agents/worker.yaml: rollout")


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"builtin": "errorRate", "query": "up", "max": 1}, "give either builtin"),
        ({"max": 1}, "give either builtin"),
        ({"builtin": "errorRate"}, "a check needs a bound"),
        ({"query": "up", "max": 1}, "a check with its own query needs a name"),
        ({"name": "q", "query": 'up{x="$agnt"}', "max": 1}, "unknown placeholder $agnt"),
        ({"builtin": "latency", "max": 1}, "rollout.canary.analysis.metrics[0].builtin: 'latency' is not valid"),
        ({"builtin": "errorRate", "maxRatioToStable": 0}, "maxRatioToStable"),
    ],
)
def test_bad_checks_are_reported_with_file_and_field(check: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of(canary(10, analysis={"metrics": [check]}))
    assert message in str(caught.value)
    assert str(caught.value).startswith("agents/worker.yaml: rollout.canary.analysis")


def test_two_checks_of_one_name_are_refused() -> None:
    twice = [{"builtin": "errorRate", "max": 0.1}, {"builtin": "errorRate", "maxRatioToStable": 2}]
    with pytest.raises(SpecError, match="two checks are named errorRate"):
        fleet_of(canary(10, analysis={"metrics": twice}))


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"builtin": "evalScore", "min": 0.9, "max": 0.5}, "min (0.9) is above max (0.5): no value can pass"),
        (
            {"builtin": "latencyP95", "minRatioToStable": 1.2, "maxRatioToStable": 1.1},
            "minRatioToStable (1.2) is above maxRatioToStable (1.1): no value can pass",
        ),
        ({"builtin": "errorRate", "min": 1.5}, "min (1.5) is above 1, the most errorRate can be (a ratio)"),
        ({"builtin": "toolErrorRate", "max": -0.1}, "max (-0.1) is below 0, the least toolErrorRate can be"),
        ({"builtin": "latencyP95", "max": -1}, "max (-1) is below 0, the least latencyP95 can be (seconds)"),
        ({"builtin": "costPerRequest", "max": -0.01}, "no canary can pass, expected max >= 0"),
        ({"builtin": "errorRate", "max": float("nan")}, "rollout.canary.analysis.metrics[0].max"),
        ({"builtin": "evalScore", "min": float("-inf")}, "rollout.canary.analysis.metrics[0].min"),
        ({"builtin": "errorRate", "maxRatioToStable": float("inf")}, "metrics[0].maxRatioToStable"),
    ],
)
def test_bounds_that_can_never_pass_are_refused(check: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of(canary(10, analysis={"metrics": [check]}))
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("agents/worker.yaml: rollout.canary.analysis.metrics[0]") and message in problem


@pytest.mark.parametrize(
    "check",
    [
        {"builtin": "evalScore", "min": 0.8, "max": 0.8},  # inclusive: exactly 0.8 passes
        {"builtin": "errorRate", "max": 0},  # no errors at all
        {"builtin": "errorRate", "min": 1},
        {"builtin": "evalScore", "max": -3},  # an evaluator's own scale
        {"builtin": "latencyP95", "minRatioToStable": 0.5, "maxRatioToStable": 0.5},
    ],
)
def test_bounds_that_can_pass_are_kept(check: dict[str, Any]) -> None:
    fleet = fleet_of(canary(10, analysis={"metrics": [check]}))
    analysis = fleet.agent("worker").rollout.canary.analysis  # type: ignore[union-attr]
    assert analysis is not None and len(analysis.metrics) == 1


@pytest.mark.parametrize(
    ("analysis", "where", "says"),
    [
        ({"window": "0m"}, "window", "'0m' is not valid, expected a number above 0 of seconds"),
        ({"window": "00s"}, "window", "expected a number above 0"),
        ({"window": "-5m"}, "window", "expected a number above 0"),
        ({"interval": "0s"}, "interval", "'0s' is not valid, expected a number above 0 of seconds"),
        ({"count": 0}, "count", "greater than or equal to 1"),
        ({"count": -2}, "count", "greater than or equal to 1"),
        ({"errorRate": {"max": float("nan"), "query": "up"}}, "errorRate.max", ""),
    ],
)
def test_an_analysis_that_never_measures_is_refused(analysis: dict[str, Any], where: str, says: str) -> None:
    checks = {"metrics": [{"builtin": "errorRate", "max": 0.1}], "failureLimit": 0}
    with pytest.raises(SpecError) as caught:
        fleet_of(canary(10, analysis={**checks, **analysis}))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"agents/worker.yaml: rollout.canary.analysis.{where}: ") and says in p for p in problems)
