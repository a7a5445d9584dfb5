"""Custom resources (Argo Rollouts, Gateway API, Prometheus Operator) against the CRD schemas in schemas/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from tests.helpers import canary, fleet_of

SCHEMAS = Path(__file__).parent / "schemas"
CUSTOM = {"argoproj.io/v1alpha1", "gateway.networking.k8s.io/v1", "monitoring.coreos.com/v1"}


def strict(schema: Any) -> Any:
    """Unknown fields become errors, as `kubectl --validate=strict` treats them."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def validate_custom(obj: dict[str, Any]) -> None:
    group_version = obj["apiVersion"].replace("/", "_")
    schema = json.loads((SCHEMAS / f"{group_version}_{obj['kind']}.json").read_text())
    jsonschema.Draft7Validator(strict(schema)).validate(obj)


def fleet_objects() -> list[dict[str, Any]]:
    checks = [{"builtin": "errorRate", "maxRatioToStable": 1.5, "max": 0.1}, {"builtin": "evalScore", "min": 0.8}]
    argo = canary(
        10, "argo", analysis={"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}, "metrics": checks}
    )
    argo["scaling"] = {"autoscale": {"min": 2, "max": 8}}
    gateway = {**canary(20, "gateway"), "name": "router", "metrics": {"port": "http"}}
    scraped = {**canary(10), "name": "scraped", "metrics": {"port": 9102, "path": "/stats"}}
    objs = build(
        fleet_of(argo, gateway, scraped, gateway={"name": "public", "namespace": "gateways"}, prometheusOperator=True)
    )
    plain: list[dict[str, Any]] = json.loads(json.dumps(without_secret_values(objs)))
    return plain


def test_custom_resources_match_their_crd_schemas() -> None:
    custom = [o for o in fleet_objects() if o["apiVersion"] in CUSTOM]
    kinds = sorted(o["kind"] for o in custom)
    assert kinds == ["AnalysisTemplate", "HTTPRoute", "PodMonitor", "PodMonitor", "Rollout"]
    for obj in custom:
        validate_custom(obj)


def test_core_objects_of_rollout_fleets_are_valid_kubernetes() -> None:
    for obj in fleet_objects():
        if obj["apiVersion"] not in CUSTOM:
            kubernetes_validate.validate(obj, "1.29.0", strict=True)


def test_the_schema_check_catches_a_misspelt_field() -> None:
    rollout = next(o for o in fleet_objects() if o["kind"] == "Rollout")
    rollout["spec"]["strategy"]["canary"]["steps"][0] = {"setweight": 10}
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(rollout)
