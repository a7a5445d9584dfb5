"""The agent spec's own fields: a minimal spec is valid, unknown fields and bad names are named with the fix."""

from __future__ import annotations

import pytest

from tests.helpers import GOOD, fleet_of, spec_problems


def test_name_and_image_alone_are_a_valid_spec() -> None:
    fleet = fleet_of(GOOD)
    assert fleet.agents[0].name == "worker"
    assert fleet.agents[0].resolved_version == "1.0.0"


def test_unknown_field_suggests_the_close_one() -> None:
    assert spec_problems({**GOOD, "imagePullPolicyy": "x", "scaling": {"replica": 2}}) == [
        "agents/worker.yaml: imagePullPolicyy: unknown field 'imagePullPolicyy', expected one of: args, command, "
        "config, dependsOn, disruption, egress, env, expose, health, image, isolation, job, kind, layer, mcp, "
        "metrics, name, ports, resources, rollout, sandbox, scaling, scheduling, secrets, security, serviceAccount, "
        "shutdown, storage, tracing, version",
        "agents/worker.yaml: scaling.replica: unknown field 'replica' (did you mean 'replicas'?)",
    ]


@pytest.mark.parametrize("name", ["Researcher", "re_searcher", "-x", "a" * 51])
def test_invalid_names(name: str) -> None:
    (problem,) = spec_problems({**GOOD, "name": name})
    assert problem.startswith(f"agents/{name}.yaml: name: '{name}' is not valid")
    assert "^" not in problem and "[a-z" not in problem  # words, never a regular expression
