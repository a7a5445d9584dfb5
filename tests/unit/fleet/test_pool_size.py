"""A sandbox pool runs `sandbox.size` pods: a spec that asks for other replicas is told so, a stack default
yields to the pool."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.core.build import build
from agentkube.spec.problems import SpecError
from tests.helpers import BASE, fleet_of

POOL = {**BASE, "name": "runner", "isolation": {"runtimeClass": "gvisor"}, "sandbox": {"size": 3}}
RUNTIME: dict[str, Any] = {"runtimeClasses": ["gvisor"]}


def deployment_replicas(*specs: dict[str, Any], **stack: Any) -> int:
    (deployment,) = [o for o in build(fleet_of(*specs, **stack)) if o["kind"] == "Deployment"]
    replicas: int = deployment["spec"]["replicas"]
    return replicas


def test_replicas_that_differ_from_the_pool_size_are_a_problem_naming_the_fix() -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of({**POOL, "scaling": {"replicas": 5}}, **RUNTIME)
    assert [str(p) for p in caught.value.problems] == [
        "agents/runner.yaml: scaling.replicas: 5 with sandbox.size 3, expected no scaling.replicas "
        "(a sandbox pool runs sandbox.size pods)"
    ]
    assert deployment_replicas({**POOL, "scaling": {"replicas": 3}}, **RUNTIME) == 3  # the same number is no conflict


def test_an_override_that_sets_other_replicas_is_a_problem_of_the_stack() -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of(POOL, **RUNTIME, overrides={"runner": {"scaling": {"replicas": 4}}})
    assert [str(p) for p in caught.value.problems] == [
        "Pulumi.test.yaml: config.agentkube:overrides.runner.scaling.replicas: 4 with sandbox.size 3, expected no "
        "scaling.replicas (a sandbox pool runs sandbox.size pods)"
    ]


def test_the_pool_size_wins_over_a_stack_default_of_replicas() -> None:
    fleet = fleet_of(POOL, BASE, **RUNTIME, defaults={"scaling": {"replicas": 5}})
    assert {a.name: a.scaling.replicas for a in fleet.agents} == {"runner": 3, BASE["name"]: 5}
    assert deployment_replicas(POOL, **RUNTIME, defaults={"scaling": {"replicas": 5}}) == 3
    assert deployment_replicas(POOL, **RUNTIME) == 3  # and with no replicas anywhere
