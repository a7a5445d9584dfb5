"""Canary analysis, pure: each check's query per track, the verdicts, and the spec's rules for checks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from agentkube.core import analysis
from agentkube.core.build import build
from agentkube.spec.delivery import Check
from tests.helpers import canary, fleet_of

CHECKS = [
    {"builtin": "errorRate", "max": 0.05},
    {"builtin": "tokensPerRequest", "maxRatioToStable": 1.5},
    {"builtin": "evalScore", "minRatioToStable": 0.9},
    {"name": "queue-wait", "query": 'max(agent_queue_wait_seconds{agent="$agent",track="$track"})', "max": 30},
]


def analysed(**settings: Any) -> Any:
    fleet = fleet_of(canary(10, analysis={"metrics": CHECKS, "window": "10m"}), **settings)
    return fleet.agent("worker"), fleet.settings


def test_every_builtin_selects_the_agent_its_namespace_and_one_track() -> None:
    spec, settings = analysed(namespace="team")
    for name in analysis.BUILTINS:
        check = Check(builtin=name, max=1)  # type: ignore[arg-type]
        for track in (analysis.STABLE, analysis.CANARY):
            text = analysis.query(check, spec, settings, track, "10m")
            assert "$" not in text, name
            assert f'namespace="team-agent-pool",agent="worker",track="{track}"' in text, name
            assert "[10m]" in text, name


def test_the_spec_window_and_custom_queries_are_filled_in() -> None:
    spec, settings = analysed()
    checks = analysis.checks(spec)
    assert [c.title for c in checks] == ["errorRate", "tokensPerRequest", "evalScore", "queue-wait"]
    assert analysis.window(spec) == "10m" and analysis.window(spec, "1h") == "1h"
    custom = analysis.query(checks[3], spec, settings, "canary", "10m")
    assert custom == 'max(agent_queue_wait_seconds{agent="worker",track="canary"})'


@pytest.mark.parametrize(
    ("bound", "stable", "canary", "verdict"),
    [
        ({"max": 0.05}, 0.01, 0.04, "pass"),
        ({"max": 0.05}, 0.01, 0.06, "fail"),
        ({"min": 0.8}, None, 0.79, "fail"),
        ({"maxRatioToStable": 1.5}, 0.02, 0.03, "pass"),
        ({"maxRatioToStable": 1.5}, 0.02, 0.1, "fail"),  # 5x stable
        ({"maxRatioToStable": 1.5}, 0.0, 0.0, "pass"),  # no errors on either track
        ({"maxRatioToStable": 1.5}, 0.0, 0.01, "fail"),
        ({"minRatioToStable": 0.9}, 0.8, 0.7, "fail"),
        ({"minRatioToStable": 0.9}, 0.8, 0.75, "pass"),
        ({"max": 0.05}, 0.01, None, "inconclusive"),  # no series for the canary
        ({"max": 0.05}, 0.01, math.nan, "inconclusive"),  # 0/0: no requests in the window
        ({"maxRatioToStable": 1.5}, None, 0.01, "inconclusive"),  # nothing to compare with
        ({"maxRatioToStable": 1.5}, math.nan, 0.01, "inconclusive"),
    ],
)
def test_judge(bound: dict[str, float], stable: float | None, canary: float | None, verdict: str) -> None:
    result = analysis.judge(Check(builtin="errorRate", **bound), stable, canary)  # type: ignore[arg-type]
    assert result.verdict == verdict, result.reason


def test_overall_passes_only_when_every_check_passed() -> None:
    check = Check(builtin="errorRate", max=0.05)
    ok, bad, unknown = (analysis.judge(check, 0.0, v) for v in (0.0, 1.0, None))
    assert analysis.overall([ok, ok]) == "pass"
    assert analysis.overall([ok, unknown]) == "inconclusive"
    assert analysis.overall([unknown, bad, ok]) == "fail"
    assert analysis.overall([]) == "inconclusive"


def test_argo_runs_the_same_checks_on_its_pod_template_hashes() -> None:
    fleet = fleet_of(canary(10, "argo", analysis={"metrics": CHECKS[:3], "interval": "30s", "count": 4}))
    objects = {o["kind"]: o for o in build(fleet)}
    template, rollout = objects["AnalysisTemplate"], objects["Rollout"]
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    assert list(metrics) == ["errorRate", "tokensPerRequest-vs-stable", "evalScore-vs-stable"]
    assert metrics["errorRate"]["successCondition"] == "result[0] <= 0.05"
    ratio = metrics["tokensPerRequest-vs-stable"]
    assert ratio["successCondition"] == "result[0] <= 1.5"
    text = ratio["provider"]["prometheus"]["query"]
    assert 'rollouts_pod_template_hash="{{args.canary-hash}}"' in text.split(") / (")[0]
    assert 'rollouts_pod_template_hash="{{args.stable-hash}}"' in text.split(") / (")[1]
    assert "track=" not in text and (ratio["interval"], ratio["count"]) == ("30s", 4)
    assert template["spec"]["args"] == [{"name": "stable-hash"}, {"name": "canary-hash"}]
    step = rollout["spec"]["strategy"]["canary"]["steps"][2]["analysis"]
    assert step["templates"] == [{"templateName": "worker-analysis"}]
    assert [a["valueFrom"]["podTemplateHashValue"] for a in step["args"]] == ["Stable", "Latest"]
