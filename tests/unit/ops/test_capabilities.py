"""What the fleet needs of its cluster: kinds, CRD fields and RuntimeClasses, against CRDs as the cluster
serves them (the ones the local cluster installs, and an older variant made from them)."""

from __future__ import annotations

import copy
import functools
import json
import subprocess
from dataclasses import dataclass, field
from typing import Any

import yaml

from agentkube.core.build import build
from agentkube.ops.capabilities import api_kinds, gaps, runtime_class_names, unknown_fields
from agentkube.ops.kube import Cluster
from agentkube.ops.localcluster import CRDS_DIR
from tests.helpers import stack_fleet

BUILT_IN = {
    "v1": ["Namespace", "Service", "ServiceAccount", "ConfigMap", "Secret", "ResourceQuota", "LimitRange"],
    "apps/v1": ["Deployment", "StatefulSet"],
    "batch/v1": ["CronJob"],
    "policy/v1": ["PodDisruptionBudget"],
    "autoscaling/v2": ["HorizontalPodAutoscaler"],
    "networking.k8s.io/v1": ["NetworkPolicy", "Ingress"],
    "rbac.authorization.k8s.io/v1": ["Role", "RoleBinding"],
    "scheduling.k8s.io/v1": ["PriorityClass"],
    "node.k8s.io/v1": ["RuntimeClass"],
}


def crd(plural_group: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CRDS_DIR / f"{plural_group}.yaml").read_text())
    return loaded


def httproute_schema(crd_doc: dict[str, Any]) -> dict[str, Any]:
    served: dict[str, Any] = next(v for v in crd_doc["spec"]["versions"] if v["name"] == "v1")
    return served["schema"]["openAPIV3Schema"]


def standard_channel(crd_doc: dict[str, Any]) -> dict[str, Any]:
    """The same HTTPRoute CRD without the experimental channel's sessionPersistence."""
    older = copy.deepcopy(crd_doc)
    rule = httproute_schema(older)["properties"]["spec"]["properties"]["rules"]["items"]
    del rule["properties"]["sessionPersistence"]
    return older


@dataclass(frozen=True)
class FakeCluster(Cluster):
    """Answers the reads `gaps` makes from a set of CRDs and RuntimeClasses, as kubectl would."""

    crds: dict[str, dict[str, Any]] = field(default_factory=dict)
    runtime_classes: tuple[str, ...] = ()

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 120) -> Any:
        def answer(out: Any = None, err: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.CompletedProcess(list(args), 1 if err else 0, json.dumps(out), err)

        if args[:2] == ("get", "--raw"):
            api_version = args[2].split("/", 2)[2]
            kinds = {r: r.lower() + "s" for r in BUILT_IN.get(api_version, [])}
            for doc in self.crds.values():
                names, group = doc["spec"]["names"], doc["spec"]["group"]
                if any(f"{group}/{v['name']}" == api_version and v["served"] for v in doc["spec"]["versions"]):
                    kinds[names["kind"]] = names["plural"]
            if not kinds:
                return answer(err="Error from server (NotFound): the server could not find the requested resource")
            return answer({"resources": [{"kind": k, "name": n} for k, n in kinds.items()]})
        if args[:2] == ("get", "customresourcedefinition"):
            return answer(self.crds[args[2]]) if args[2] in self.crds else answer(err="(NotFound)")
        if args[:2] == ("get", "runtimeclasses"):
            return answer({"items": [{"metadata": {"name": n}} for n in self.runtime_classes]})
        raise AssertionError(f"unexpected kubectl {args}")


@functools.cache
def crds_of_the_local_cluster() -> dict[str, dict[str, Any]]:
    return {path.stem: crd(path.stem) for path in sorted(CRDS_DIR.glob("*.yaml"))}


def installed() -> dict[str, dict[str, Any]]:
    """The local cluster's CRDs by name: a new mapping of the shared, never modified, documents."""
    return dict(crds_of_the_local_cluster())


def prod_objects() -> list[dict[str, Any]]:
    return build(stack_fleet("prod"))


def test_the_prod_fleet_needs_nothing_the_local_cluster_lacks() -> None:
    assert gaps(prod_objects(), FakeCluster(crds=installed(), runtime_classes=("gvisor", "kata"))) == []


def test_what_the_fleet_uses_is_read_from_its_objects() -> None:
    objects = prod_objects()
    kinds = api_kinds(objects)
    assert {"ScaledObject", "ScaledJob", "TriggerAuthentication"} <= kinds["keda.sh/v1alpha1"]
    assert kinds["cilium.io/v2"] == {"CiliumNetworkPolicy"}
    assert runtime_class_names(objects) == {"gvisor"}  # code-runner's pool, and nothing the recycler runs


def test_a_cluster_without_keda_or_cilium_gets_a_fix_per_kind() -> None:
    crds = {k: v for k, v in installed().items() if not k.endswith(("keda.sh", "cilium.io"))}
    found = gaps(prod_objects(), FakeCluster(crds=crds, runtime_classes=("gvisor",)))
    assert [g.what for g in found] == [
        "CiliumNetworkPolicy (cilium.io/v2) is not served",
        "ScaledJob (keda.sh/v1alpha1) is not served",
        "ScaledObject (keda.sh/v1alpha1) is not served",
        "TriggerAuthentication (keda.sh/v1alpha1) is not served",
    ]
    assert "agentkube:networkPolicy: kubernetes" in found[0].fix and "agentkube:keda" in found[1].fix


def test_a_standard_channel_route_would_lose_the_sticky_session() -> None:
    crds = installed()
    crds["httproutes.gateway.networking.k8s.io"] = standard_channel(crds["httproutes.gateway.networking.k8s.io"])
    found = gaps(prod_objects(), FakeCluster(crds=crds, runtime_classes=("gvisor",)))
    assert [g.what for g in found] == [
        "HTTPRoute/researcher: spec.rules[0].sessionPersistence is unknown to the cluster's "
        "httproutes.gateway.networking.k8s.io CRD, which would drop it"
    ]
    assert "experimental channel" in found[0].fix


def test_a_missing_runtime_class_is_named() -> None:
    found = gaps(prod_objects(), FakeCluster(crds=installed(), runtime_classes=("kata",)))
    assert [g.what for g in found] == ["RuntimeClass gvisor does not exist"]


def test_unknown_fields_follow_properties_maps_lists_and_preserved_subtrees() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "rules": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }
        },
    }
    obj = {
        "apiVersion": "x/v1",
        "kind": "X",
        "metadata": {"name": "x"},
        "spec": {"rules": [{"a": "1"}, {"a": "2", "b": 3}], "labels": {"any": "v"}, "free": {"q": 1}, "typo": 1},
    }
    assert list(unknown_fields(obj, schema)) == ["spec.rules[1].b", "spec.typo"]
