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
