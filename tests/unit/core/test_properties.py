"""Invariants over generated specs (hypothesis)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.spec.quantity import parse_quantity
from tests.helpers import fleet_of
from tests.strategies import plain_fleet_specs


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@settings(max_examples=60, deadline=None)
@given(plain_fleet_specs(), st.booleans())
def test_generated_fleets_keep_the_invariants(spec_list: list[dict[str, Any]], fold: bool) -> None:
    objs = build(fleet_of(*spec_list, foldLayers=fold))
    deployments = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Deployment"}
    assert set(deployments) == {s["name"] for s in spec_list}
    for obj in objs:
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", obj["metadata"]["name"]), obj["metadata"]["name"]
        if obj["kind"] == "Deployment":
            template_labels = obj["spec"]["template"]["metadata"]["labels"]
            assert matches(obj["spec"]["selector"]["matchLabels"], template_labels)
            for container in obj["spec"]["template"]["spec"]["containers"]:
                res = container["resources"]
                for key in ("cpu", "memory"):
                    assert parse_quantity(res["limits"][key]) >= parse_quantity(res["requests"][key])
                assert container["securityContext"]["allowPrivilegeEscalation"] is False
        if obj["kind"] == "Service":
            target = deployments[obj["metadata"]["name"]]
            assert matches(obj["spec"]["selector"], target["spec"]["template"]["metadata"]["labels"])
            assert obj["metadata"]["namespace"] == target["metadata"]["namespace"]
        if obj["kind"] == "HorizontalPodAutoscaler":
            assert 1 <= obj["spec"]["minReplicas"] <= obj["spec"]["maxReplicas"]
            assert "replicas" not in deployments[obj["spec"]["scaleTargetRef"]["name"]]["spec"]
        if obj["kind"] == "PodDisruptionBudget":
            target = deployments[obj["metadata"]["name"]]
            assert matches(obj["spec"]["selector"]["matchLabels"], target["spec"]["template"]["metadata"]["labels"])
    namespaces = {o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"}
    assert {o["metadata"]["namespace"] for o in objs if "namespace" in o["metadata"]} == namespaces
