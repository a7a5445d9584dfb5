"""Two agents never own one object: where the names agentkube derives for one agent (`x-headless`, `x-canary`,
`x-recycler`, ...) are another agent's objects, or a namespace's own, validation refuses the fleet naming both
agents, their files and the fix; the rendered objects are the judge, and colliding names are drawn from the
one derivation (`object_names.derived_names`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkube.core.build import build, fleet_objects, object_key
from agentkube.fleet.object_names import DerivedName, derived_names
from agentkube.spec.agent import AgentSpec
from agentkube.spec.patterns import DNS_LABEL
from agentkube.spec.problems import SpecError
from tests.helpers import fleet_of, spec_problems
from tests.variants import RUNTIME, variants

STACK = {**RUNTIME, "gateway": {"name": "public", "namespace": "gateways"}}
CLASH = "a namespace holds one object of each kind and name, so one would overwrite the other"
PLAIN = {"image": "ghcr.io/acme/plain:1.0", "ports": [{"name": "http", "port": 8080}]}
TRIGGER = {"prometheus": {"query": "sum(tasks)", "threshold": "5"}}
SCALED = {**PLAIN, "scaling": {"autoscale": {"min": 0, "max": 2, "triggers": [TRIGGER]}}}


def named(spec: dict[str, Any], name: str, layer: str = "agent-pool") -> dict[str, Any]:
    return {**spec, "name": name, "layer": layer}


def keys(spec: dict[str, Any], **stack: Any) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(the agent's objects, its namespace's own), as (kind, namespace, name), rendering the agent alone."""
    objects = fleet_objects(fleet_of(spec, **stack))
    own = {_key(o) for o in objects.agents[spec["name"]]}
    layer = {_key(o) for objs in objects.layers.values() for o in objs if o["metadata"].get("namespace")}
    return own, layer


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


@pytest.mark.parametrize(
    ("variant", "other", "says"),
    [
        (7, "x-headless", "makes the Service 'x-headless'"),  # a stateful agent's governing Service
        (3, "x-canary", "makes the Deployment 'x-canary' and the ScaledObject 'x-canary'"),  # a track's
        (2, "x-stable", "makes the Service 'x-stable'"),  # a gateway canary's track Services
        (1, "x-preview", "makes the Service 'x-preview'"),  # blue-green's preview
        (1, "x-green", "makes the Deployment 'x-green'"),
        (0, "x-recycler", "makes the ServiceAccount 'x-recycler' and the pod label app.kubernetes.io/name"),
        (4, "x-analysis", None),  # an AnalysisTemplate, which no plain agent makes: no clash
        (0, "x-config", None),
    ],
)
def test_an_agent_named_as_anothers_derived_object_is_refused_naming_both(
    variant: int, other: str, says: str | None
) -> None:
    first = named(variants("x")[variant], "x")
    second = named(SCALED, other)
    if says is None:
        assert fleet_of(first, second, **STACK)
        return
    (problem,) = spec_problems(first, second, **STACK)
    assert problem.startswith(f"agents/{other}.yaml: name: '{other}' {says}")
    assert problem.endswith(
        f"in namespace agentkube-agent-pool, and so does the agent x (agents/x.yaml): {CLASH}; rename one of the "
        "two agents"
    )


def test_an_agent_named_as_a_namespaces_own_object_is_refused() -> None:
    assert spec_problems(named(PLAIN, "default-deny-ingress")) == [
        "agents/default-deny-ingress.yaml: name: 'default-deny-ingress' makes the NetworkPolicy "
        "'default-deny-ingress' in namespace agentkube-agent-pool, and so does agentkube in every namespace it "
        f"makes: {CLASH}; rename the agent"
    ]


def test_agents_in_different_namespaces_clash_only_once_the_layers_are_folded() -> None:
    stateful, plain = named(variants("x")[7], "x", "infrastructure"), named(PLAIN, "x-headless")
    assert fleet_of(stateful, plain)
    (problem,) = spec_problems(stateful, plain, foldLayers=True)
    assert "makes the Service 'x-headless' in namespace agentkube, and so does the agent x" in problem


def derived(spec: dict[str, Any]) -> list[DerivedName]:
    return derived_names(AgentSpec.model_validate(spec))


# the kinds of object an agent names after itself, in some variant: where another agent's derived name can clash
OWN_KINDS = {d.kind for spec in variants("y") for d in derived(spec) if d.name == "y"}


def agent_names(spec: dict[str, Any]) -> list[str]:
    """The names of an agent's derived objects that another agent's name could give an object of their kind."""
    return sorted(
        {
            d.name
            for d in derived(spec)
            if d.kind in OWN_KINDS and d.name != spec["name"] and len(d.name) <= 40 and re.fullmatch(DNS_LABEL, d.name)
        }
    )


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two agents, the second often named as one of the first's derived objects, and the stack they run in."""
    count = len(variants("x"))
    name = draw(st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5})?", fullmatch=True))
    first = variants(name)[draw(st.integers(0, count - 1))]
    taken = agent_names(first)
    anyhow = st.from_regex(r"[a-z][a-z0-9-]{0,12}[a-z0-9]", fullmatch=True).filter(lambda n: n != name)
    other = draw(st.one_of(*[st.sampled_from(taken)] * 3, anyhow) if taken else anyhow)
    second = variants(other)[draw(st.integers(0, count - 1))]
    layers = draw(st.sampled_from([("agent-pool", "agent-pool"), ("orchestration", "infrastructure")]))
    fold = draw(st.booleans())
    return named(first, name, layers[0]), named(second, other, layers[1]), {**STACK, "foldLayers": fold}


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_a_fleet_is_refused_exactly_when_two_of_its_agents_would_render_one_object(
    pair: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    first, second, stack = pair
    (mine, layer), (theirs, _) = keys(first, **stack), keys(second, **stack)
    shared = (mine & theirs) | ((mine | theirs) & layer)
    try:
        fleet = fleet_of(first, second, **stack)
    except SpecError as err:
        (problem,) = err.problems
        assert CLASH in problem.message, problem
        assert shared, f"refused, yet the agents render no object alike: {problem}"
        blamed, other = sorted((first["name"], second["name"]), key=lambda n: (len(n), n), reverse=True)
        assert problem.file == f"agents/{blamed}.yaml" and problem.path == "name"
        if not shared & layer:
            assert f"the agent {other} (agents/{other}.yaml)" in problem.message
        for kind, _, object_name in shared:
            assert f"the {kind} '{object_name}'" in problem.message
        return
    assert not shared, f"accepted, yet both render {sorted(shared)}"
    rendered = [object_key(o) for o in build(fleet)]
    assert len(rendered) == len(set(rendered))
