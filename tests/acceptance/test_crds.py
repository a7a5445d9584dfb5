"""Custom resources (Argo Rollouts, Gateway API, Prometheus Operator, KEDA) against the CRD schemas in schemas/."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from tests.helpers import BASE, KUBERNETES_FLOOR_VERSION, canary, fleet_of, keda_agents

SCHEMAS = Path(__file__).parent / "schemas"
# every group/version with an extracted CRD schema (`<group>_<version>_<Kind>.json`): those objects are checked here
CUSTOM = {"/".join(path.name.split("_")[:2]) for path in SCHEMAS.glob("*.json")}


def strict(schema: Any) -> Any:
    """Unknown fields become errors, as `kubectl --validate=strict` treats them."""
    schema = copy.deepcopy(schema)

    def walk(node: Any, branch: bool = False) -> None:
        """`branch`: an alternative of oneOf/anyOf/allOf, which names some fields of its object, not all."""
        if isinstance(node, dict):
            if (
                not branch
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for key, value in node.items():
                if key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
                    for alternative in value:
                        walk(alternative, branch=True)
                else:
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
    core = [o for o in fleet_objects() if o["apiVersion"] not in CUSTOM]
    assert Counter(o["kind"] for o in core) == {
        "ConfigMap": 5,
        "Deployment": 4,
        "HorizontalPodAutoscaler": 1,
        "LimitRange": 1,
        "Namespace": 1,
        "NetworkPolicy": 4,
        "PodDisruptionBudget": 1,
        "PriorityClass": 1,
        "ResourceQuota": 1,
        "Service": 5,
        "ServiceAccount": 3,
    }
    for obj in core:
        kubernetes_validate.validate(obj, KUBERNETES_FLOOR_VERSION, strict=True)


def test_the_schema_check_catches_a_misspelt_field() -> None:
    rollout = next(o for o in fleet_objects() if o["kind"] == "Rollout")
    rollout["spec"]["strategy"]["canary"]["steps"][0] = {"setweight": 10}
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(rollout)


def keda_objects() -> list[dict[str, Any]]:
    """A queue worker at min 0 with every trigger, the same as a 20% canary, and a job agent."""
    worker, job = keda_agents()
    tracked = {
        **BASE,
        "scaling": {
            "autoscale": {
                **worker["scaling"]["autoscale"],
                "metrics": [{"pods": {"name": "busy", "averageValue": "2"}}],
            }
        },
        "rollout": {"strategy": "canary", "canary": {"image": "ghcr.io/acme/worker:1.1.0", "weight": 20}},
    }
    plain: list[dict[str, Any]] = json.loads(
        json.dumps(without_secret_values(build(fleet_of(worker, job, tracked, keda=True))))
    )
    return plain


def job_of(scaled_job: dict[str, Any]) -> dict[str, Any]:
    """A ScaledJob's jobTargetRef as the batch/v1 Job KEDA creates from it."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "x", "namespace": "y"},
        "spec": scaled_job["spec"]["jobTargetRef"],
    }


def test_keda_objects_match_their_crd_schemas() -> None:
    custom = [o for o in keda_objects() if o["apiVersion"] == "keda.sh/v1alpha1"]
    names = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in custom)
    assert names == [
        "ScaledJob/batch",
        "ScaledObject/queue-worker",
        "ScaledObject/worker",
        "ScaledObject/worker-canary",
        "TriggerAuthentication/queue-worker-trigger-1",
        "TriggerAuthentication/worker-trigger-1",
    ]
    for obj in custom:
        validate_custom(obj)


def test_the_job_template_of_a_scaled_job_is_a_valid_job() -> None:
    (scaled_job,) = [o for o in keda_objects() if o["kind"] == "ScaledJob"]
    kubernetes_validate.validate(job_of(scaled_job), KUBERNETES_FLOOR_VERSION, strict=True)


def test_core_objects_of_keda_fleets_are_valid_kubernetes() -> None:
    core = [o for o in keda_objects() if o["apiVersion"] not in CUSTOM]
    assert Counter(o["kind"] for o in core) == {
        "ConfigMap": 3,
        "Deployment": 3,
        "LimitRange": 1,
        "Namespace": 1,
        "NetworkPolicy": 4,
        "PriorityClass": 1,
        "ResourceQuota": 1,
        "Service": 1,
        "ServiceAccount": 3,
    }
    for obj in core:
        kubernetes_validate.validate(obj, KUBERNETES_FLOOR_VERSION, strict=True)


def test_the_schema_check_catches_a_misspelt_keda_field() -> None:
    scaled_job = next(o for o in keda_objects() if o["kind"] == "ScaledJob")
    scaled_job["spec"]["rollout"] = {"strategy": "gradually"}
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(scaled_job)
    scaled_object = next(o for o in keda_objects() if o["kind"] == "ScaledObject")
    scaled_object["spec"]["cooldownSeconds"] = 60
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(scaled_object)
