"""Fields a kind of agent has no use for (`fleet/unused_rules.py`): a stack default for one is left out for that
agent, neither an error (defaults are for the whole fleet) nor silently applied; the same field in a spec file or
an override is refused at FILE: FIELD with the fix."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.core.build import build
from agentkube.fleet.model import Fleet
from agentkube.spec.agent import AgentSpec
from tests.helpers import GOOD, SERVING, TASKS, fleet_of, job, spec_problems, stack_fleet

AUTO = {**SERVING, "scaling": {"autoscale": {"min": 1, "max": 4}}}
FIXED = {**SERVING, "scaling": {"replicas": 3}}
QUEUE = job()
CRON = {**GOOD, "kind": "job", "job": {"schedule": "0 2 * * *"}}
STORE = {**SERVING, "storage": {"size": "1Gi", "mountPath": "/data"}}
POOL = {**SERVING, "isolation": {"runtimeClass": "gvisor"}, "sandbox": {"size": 3}}
ARGO = {
    **SERVING,
    "rollout": {
        "strategy": "canary",
        "canary": {
            "image": "ghcr.io/acme/worker:1.1.0",
            "weight": 10,
            "traffic": "argo",
            "analysis": {"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}},
        },
    },
}
STACK: dict[str, Any] = {"keda": True, "runtimeClasses": ["gvisor"]}
FILE = "agents/worker.yaml"
OVERRIDE = "Pulumi.test.yaml: config.agentkube:overrides.worker"


def agent(spec: dict[str, Any], **stack: Any) -> AgentSpec:
    return fleet_of(spec, **STACK, **stack).agent("worker")


def kinds(fleet: Fleet) -> list[str]:
    return sorted(o["kind"] for o in build(fleet))


@pytest.mark.parametrize(
    ("spec", "default"),
    [
        (AUTO, {"scaling": {"replicas": 2}}),  # the autoscaler sets the count
        (QUEUE, {"scaling": {"replicas": 2}}),  # a Job per queued task
        (CRON, {"scaling": {"replicas": 2}}),  # a Job per scheduled time
        (CRON, {"disruption": {"maxUnavailable": 0}}),
        (QUEUE, {"rollout": {"rolling": {"maxSurge": 2}}}),
        (SERVING, {"job": {"retries": 5}}),
        (QUEUE, {"job": {"timeZone": "Europe/Berlin", "concurrency": "Replace"}}),
        (CRON, {"job": {"pollingInterval": 10}}),
        (CRON, {"scaling": {"autoscale": {"min": 2, "max": 4}}}),
        (STORE, {"scaling": {"autoscale": {"min": 2, "max": 4}}}),
        (POOL, {"scaling": {"autoscale": {"min": 2, "max": 4}}}),
        (STORE, {"rollout": {"rolling": {"maxSurge": 2, "maxUnavailable": 0}}}),
        (ARGO, {"rollout": {"rolling": {"maxSurge": 2}}}),
        (QUEUE, {"scaling": {"autoscale": {"cpu": 50, "scaleDown": {"stabilizationSeconds": 60}}}}),
        (QUEUE, {"scaling": {"autoscale": {"cooldownSeconds": 30}}}),
        (AUTO, {"scaling": {"autoscale": {"cooldownSeconds": 30}}}),  # min 1: never goes to 0
        (FIXED, {"scaling": {"autoscale": {"min": 2, "max": 4}}}),  # never replaces the count the spec gives
    ],
)
def test_a_default_the_agent_has_no_use_for_leaves_it_as_without_the_default(
    spec: dict[str, Any], default: dict[str, Any]
) -> None:
    with_default = fleet_of(spec, **STACK, defaults=default)
    without = fleet_of(spec, **STACK)
    assert with_default.agent("worker") == without.agent("worker")
    assert build(with_default) == build(without)


def test_defaults_still_reach_the_agents_that_use_them() -> None:
    replicas = {"scaling": {"replicas": 2}}
    assert agent(SERVING, defaults=replicas).scaling.replicas == 2
    assert agent(STORE, defaults=replicas).scaling.replicas == 2
    retries = agent(QUEUE, defaults={"job": {"retries": 5, "pollingInterval": 5}}).job
    assert retries is not None and (retries.retries, retries.polling_interval) == (5, 5)
    nightly = agent(CRON, defaults={"job": {"timeZone": "Europe/Berlin"}}).job
    assert nightly is not None and nightly.time_zone == "Europe/Berlin"
    to_zero = {**SERVING, "scaling": {"autoscale": {"min": 0, "max": 3, "triggers": [TASKS]}}}
    auto = agent(to_zero, defaults={"scaling": {"autoscale": {"cooldownSeconds": 30}}}).scaling.autoscale
    assert auto is not None and auto.cooldown_seconds == 30
    scaled = fleet_of(SERVING, **STACK, defaults={"scaling": {"autoscale": {"min": 2, "max": 4}}})
    assert "HorizontalPodAutoscaler" in kinds(scaled)  # no replicas in the spec: the fleet's autoscaler applies


def test_a_default_that_makes_an_agent_autoscaled_leaves_out_the_default_count() -> None:
    both = {"scaling": {"replicas": 2, "autoscale": {"min": 2, "max": 4}}}
    scaling = agent(SERVING, defaults=both).scaling
    assert scaling.autoscale is not None and "replicas" not in scaling.model_fields_set


def test_the_prod_stacks_replicas_default_skips_autoscaled_and_job_agents() -> None:
    fleet = stack_fleet("prod")
    for name in ("evaluator", "indexer", "orchestrator", "researcher"):
        assert "replicas" not in fleet.agent(name).scaling.model_fields_set, name
    assert fleet.agent("vector-store").scaling.replicas == 2  # a fixed-size agent gets it


REPLICAS_WITH_AUTOSCALE = (
    "scaling.replicas: is not used with scaling.autoscale: the autoscaler sets the count between min (1) and max "
    "(4); expected no replicas, or no autoscale for a fixed count (`autoscale: null` in a stack override)"
)
QUEUE_REPLICAS = (
    "scaling.replicas: a job agent runs a Job per queued task, at most scaling.autoscale.max at once, never a fixed "
    "count of pods; expected no replicas"
)
NO_BUDGET = "disruption: a job agent's pods run to completion and get no PodDisruptionBudget; expected none"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({**AUTO, "scaling": {**AUTO["scaling"], "replicas": 3}}, REPLICAS_WITH_AUTOSCALE),
        ({**QUEUE, "scaling": {**QUEUE["scaling"], "replicas": 3}}, QUEUE_REPLICAS),
        (
            {**CRON, "scaling": {"replicas": 1}},
            "scaling.replicas: a scheduled job runs a Job at each scheduled time (job.concurrency says whether runs "
            "overlap), never a fixed count of pods; expected no replicas",
        ),
        ({**CRON, "disruption": {"maxUnavailable": 1}}, NO_BUDGET),
        (
            {**QUEUE, "rollout": {"rolling": {"maxSurge": 1}}},
            "rollout.rolling.maxSurge: a job agent is never rolled: each Job runs to completion on the version "
            "current when it started; expected none",
        ),
        (
            {**AUTO, "scaling": {"autoscale": {"min": 1, "max": 4, "cooldownSeconds": 60}}},
            "scaling.autoscale.cooldownSeconds: is KEDA's wait before scaling to 0, and min is 1, so the agent never "
            "goes to 0; expected no cooldownSeconds (scaleDown.stabilizationSeconds slows scaling in)",
        ),
        (
            {**ARGO, "rollout": {**ARGO["rollout"], "rolling": {"maxUnavailable": 0}}},
            "rollout.rolling.maxUnavailable: is not used with traffic: argo: the Argo Rollout replaces pods by the "
            "canary's steps (setWeight, pause, analysis), not by a Deployment's rolling update; expected none",
        ),
    ],
)
def test_a_spec_file_field_the_agent_does_not_use_is_refused_with_the_fix(spec: dict[str, Any], problem: str) -> None:
    assert spec_problems(spec, **STACK) == [f"{FILE}: {problem}"]


@pytest.mark.parametrize(
    ("spec", "override", "problem"),
    [
        (AUTO, {"scaling": {"replicas": 3}}, REPLICAS_WITH_AUTOSCALE),
        (QUEUE, {"scaling": {"replicas": 3}}, QUEUE_REPLICAS),
        (QUEUE, {"disruption": {"maxUnavailable": 0}}, NO_BUDGET),
        (
            CRON,
            {"job": {"pollingInterval": 5}},
            "job.pollingInterval: is KEDA's look at the triggers, and a scheduled job has none",
        ),
        (
            STORE,
            {"rollout": {"rolling": {"maxSurge": 2}}},
            "rollout.rolling.maxSurge: is not used with storage: a StatefulSet replaces each pod in place, one at a "
            "time, and the new pod mounts the old one's volume; expected none",
        ),
    ],
)
def test_an_override_field_the_agent_does_not_use_is_refused_at_the_stack_file(
    spec: dict[str, Any], override: dict[str, Any], problem: str
) -> None:
    assert spec_problems(spec, **STACK, overrides={"worker": override}) == [f"{OVERRIDE}.{problem}"]


def test_an_overrides_autoscale_replaces_the_spec_files_replicas_and_null_turns_it_off() -> None:
    autoscaled = fleet_of(FIXED, **STACK, overrides={"worker": {"scaling": {"autoscale": {"min": 2, "max": 6}}}})
    assert "HorizontalPodAutoscaler" in kinds(autoscaled)
    fixed = agent(AUTO, overrides={"worker": {"scaling": {"autoscale": None, "replicas": 2}}})
    assert (fixed.scaling.autoscale, fixed.scaling.replicas) == (None, 2)
