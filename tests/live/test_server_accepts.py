"""The acceptance property: every fleet that `agentkube validate` accepts is accepted by a real API server
and its admission (Pod Security, ResourceQuota, LimitRange, PriorityClass); a validation error is the
only other outcome. Layer objects are applied for real (namespaces first), everything else with
server-side apply in dry-run mode, and one pod per pod template goes through pod admission."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.fleet import Fleet
from agentkube.ops.kube import Cluster
from agentkube.project import local_kubeconfig
from agentkube.spec.problems import SpecError
from tests.helpers import ROOT, fleet_of, stack_fleet
from tests.strategies import fleets

# applied for real, namespaces first: what pod admission looks up (a pod's ServiceAccount must exist)
LAYER_KINDS = ("Namespace", "PriorityClass", "ResourceQuota", "LimitRange", "ServiceAccount")
WORKLOADS = ("Deployment", "Rollout", "ScaledJob", "StatefulSet", "CronJob")
counter = itertools.count()


@pytest.fixture(scope="module")
def kube(live_cluster: Any) -> Iterator[Cluster]:
    cluster = Cluster(local_kubeconfig(ROOT))
    yield cluster
    cluster.kubectl("delete", "namespaces,priorityclasses", "-l", "agentkube.io/acceptance=true", "--wait=false")


def apply(kube: Cluster, objects: list[dict[str, Any]], dry_run: bool) -> list[str]:
    """Server-side apply; the server's refusals, one line each."""
    if not objects:
        return []
    args = ["apply", "--server-side", "--field-manager=agentkube", "-f", "-"]
    done = kube.kubectl(
        *args,
        *(["--dry-run=server"] if dry_run else []),
        stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}),
        check=False,
    )
    return [line for line in done.stderr.splitlines() if line.strip() and "Warning:" not in line]


def pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod template of a Deployment, Rollout or StatefulSet, or of the Jobs a KEDA ScaledJob or a CronJob
    starts."""
    spec = workload["spec"]
    if workload["kind"] == "ScaledJob":
        template: dict[str, Any] = spec["jobTargetRef"]["template"]
    elif workload["kind"] == "CronJob":
        template = spec["jobTemplate"]["spec"]["template"]
    else:
        template = spec["template"]
    return template


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod spec as the controller makes it: a StatefulSet's pod 0 also mounts its claims."""
    pod = dict(pod_template(workload)["spec"])
    name = workload["metadata"]["name"]
    claims = [
        {"name": c["metadata"]["name"], "persistentVolumeClaim": {"claimName": f"{c['metadata']['name']}-{name}-0"}}
        for c in workload["spec"].get("volumeClaimTemplates") or []
    ]
    if claims:
        pod["volumes"] = [*pod.get("volumes", []), *claims]
    return pod


def probe_pods(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A Pod per pod template, as the workload controller would create it."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{o['metadata']['name']}-admission",
                "namespace": o["metadata"]["namespace"],
                "labels": pod_template(o)["metadata"]["labels"],
            },
            "spec": pod_spec(o),
        }
        for o in objects
        if o["kind"] in WORKLOADS and o["spec"].get("replicas", 1) > 0  # replicas 0: no pod is ever made
    ]


def refusals(kube: Cluster, fleet: Fleet) -> list[str]:
    objects = json.loads(json.dumps(build(fleet), default=str))  # config secrets as placeholder text
    for obj in objects:
        if obj["kind"] in ("Namespace", "PriorityClass"):
            obj["metadata"]["labels"]["agentkube.io/acceptance"] = "true"
    layers = [o for o in objects if o["kind"] in LAYER_KINDS]
    namespaces = [o for o in layers if o["kind"] == "Namespace"]
    found = apply(kube, namespaces, dry_run=False)
    found += apply(kube, [o for o in layers if o["kind"] != "Namespace"], dry_run=False)
    found += apply(kube, [o for o in objects if o["kind"] not in LAYER_KINDS], dry_run=True)
    found += apply(kube, probe_pods(objects), dry_run=True)
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_example_fleet_is_accepted(kube: Cluster, stack: str) -> None:
    fleet = stack_fleet(stack, namespace=f"accept-{stack}", renderDir=None, localCluster=False)
    assert refusals(kube, fleet) == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(fleets(), st.booleans())
def test_every_fleet_that_validates_is_accepted(
    kube: Cluster, fleet_docs: tuple[list[dict[str, Any]], dict[str, Any]], prod: bool
) -> None:
    specs, stack = fleet_docs
    stack = {**stack, "namespace": f"hyp{next(counter)}", **({"environment": "prod"} if prod else {})}
    try:
        fleet = fleet_of(*specs, **stack)
    except SpecError:
        return  # a validation error is the other acceptable outcome
    assert refusals(kube, fleet) == [], (specs, stack)
