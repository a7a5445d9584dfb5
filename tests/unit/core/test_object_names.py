"""Every object name agentkube derives from an agent's name fits its kind's limit, or validation refuses the name
saying which object overruns and how short the name must be; and the names the check knows are the names
the core renders."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentkube.core.build import fleet_objects
from agentkube.fleet.object_names import derived_names
from agentkube.spec.problems import SpecError
from tests.helpers import fleet_of, spec_problems
from tests.strategies import fleets, long_names
from tests.variants import RUNTIME, variants

# the API server's limits, written out here rather than read from the code under test
LIMITS = {"CronJob": 52, "Service": 63, "Namespace": 63, "ScaledObject": 63, "ScaledJob": 63}
DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def label_values(obj: Any) -> list[str]:
    """Every label value in an object, its pod templates' included."""
    if isinstance(obj, dict):
        own = [v for k, v in obj.items() if k == "labels" and isinstance(v, dict) for v in v.values()]
        return own + [v for child in obj.values() for v in label_values(child)]
    if isinstance(obj, list):
        return [v for child in obj for v in label_values(child)]
    return []


def containers(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        own = [c["name"] for c in obj.get("containers", [])] if isinstance(obj.get("containers"), list) else []
        return own + [n for child in obj.values() for n in containers(child)]
    if isinstance(obj, list):
        return [n for child in obj for n in containers(child)]
    return []


@settings(max_examples=60, deadline=None)
@given(long_names(), st.integers(0, len(variants("x")) - 1), long_names(1, 40), st.booleans())
def test_every_rendered_name_fits_its_kind_or_the_agent_name_is_refused(
    name: str, variant: int, namespace: str, fold: bool
) -> None:
    spec = variants(name)[variant]
    stack = {**RUNTIME, "gateway": {"name": "public", "namespace": "gateways"}, "namespace": namespace}
    try:
        fleet = fleet_of(spec, **stack, foldLayers=fold)
    except SpecError as err:
        (problem,) = err.problems
        assert problem.path == "name"
        assert "expected at most 50" in problem.message or "Kubernetes allows" in problem.message
        assert len(name) > 42  # every variant fits with names up to 42 characters
        return
    for obj in fleet_objects(fleet).in_order():
        kind, object_name = obj["kind"], obj["metadata"]["name"]
        assert len(object_name) <= LIMITS.get(kind, 253), (kind, object_name)
        if kind == "Service":
            assert DNS_1035.fullmatch(object_name)
        assert all(len(value) <= 63 for value in label_values(obj)), obj["metadata"]
        assert all(len(c) <= 63 for c in containers(obj))


def test_a_name_whose_recycler_cronjob_overruns_52_is_refused_saying_how_short() -> None:
    name = "customer-support-sql-sandbox-tool-server-x"  # 42: the CronJob is 51
    spec = variants(name)[0]
    assert fleet_of(spec, **RUNTIME)
    longer = {**spec, "name": name + "yz", "image": "ghcr.io/acme/x:1.0"}
    assert spec_problems(longer, **RUNTIME) == [
        f"agents/{name}yz.yaml: name: '{name}yz' makes the CronJob name '{name}yz-recycler' 53 characters, over "
        "the 52 Kubernetes allows (its Jobs add 11 characters and a Job name is a label value); shorten the name "
        "to 43 or less"
    ]
    without_recycling = {**longer, "sandbox": {"size": 2}}
    assert fleet_of(without_recycling, **RUNTIME)  # the same name is fine where no CronJob derives from it


@settings(max_examples=40, deadline=None)
@given(fleets())
def test_the_names_the_check_knows_are_the_names_the_core_renders(fleet_and_settings: Any) -> None:
    specs, stack = fleet_and_settings
    try:
        fleet = fleet_of(*specs, **stack)
    except SpecError:
        return
    for agent in fleet.agents:
        known = derived_names(agent)
        for obj in fleet_objects(fleet).agents[agent.name]:
            kind, name = obj["kind"], obj["metadata"]["name"]
            assert any(d.matches(kind, name) for d in known), f"{kind} {name} is not in derived_names"
