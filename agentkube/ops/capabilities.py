"""What the fleet needs of its cluster that a stack file can only declare, checked against the cluster:
the API kinds it renders (custom resources above all), the fields of those kinds (a CRD that lacks a
field prunes it without a word), and the RuntimeClasses its pods run under."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import EngineError
from .kube import Cluster

# what to install (or which stack setting to drop) when a group's kinds are missing
INSTALL = {
    "keda.sh": "install KEDA 2.x, or remove agentkube:keda and the agents that scale to zero or run as jobs",
    "cilium.io": "install Cilium as the cluster's CNI, or set agentkube:networkPolicy: kubernetes",
    "gateway.networking.k8s.io": "install the Gateway API CRDs (the experimental channel for sticky canaries)",
    "argoproj.io": "install Argo Rollouts, or use rollout.canary.traffic: replicas or gateway",
    "monitoring.coreos.com": "install the prometheus-operator CRDs, or set agentkube:prometheusOperator: false",
}
TOP_LEVEL = ("apiVersion", "kind", "metadata")  # checked by the API server itself, not by a CRD's schema


@dataclass(frozen=True)
class Gap:
    """Something the rendered fleet uses that the cluster does not have, and what to do about it."""

    what: str
    fix: str


def api_kinds(objects: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """The kinds the objects use, per apiVersion."""
    kinds: dict[str, set[str]] = {}
    for obj in objects:
        kinds.setdefault(obj["apiVersion"], set()).add(obj["kind"])
    return kinds


def runtime_class_names(objects: Iterable[dict[str, Any]]) -> set[str]:
    """The RuntimeClasses the objects' pod templates name."""
    names = set()
    for obj in objects:
        if (pod := _pod_spec(obj)) is not None and (name := pod.get("runtimeClassName")):
            names.add(name)
    return names


def unknown_fields(value: Any, schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """Paths in `value` that `schema` (a CRD's structural OpenAPI schema) does not know: the API server
    prunes them from what it stores."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if path == "" and key in TOP_LEVEL:
                continue
            where = f"{path}.{key}" if path else key
            if properties is not None and key in properties:
                yield from unknown_fields(item, properties[key], where)
            elif isinstance(extra, dict):
                yield from unknown_fields(item, extra, where)
            elif extra is not True:
                yield where
    elif isinstance(value, list) and isinstance(items := schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from unknown_fields(item, items, f"{path}[{i}]")


def gaps(objects: list[dict[str, Any]], cluster: Cluster) -> list[Gap]:
    """Every kind, custom-resource field and RuntimeClass the objects need that the cluster lacks."""
    found = []
    crds: dict[str, dict[str, Any] | None] = {}
    for api_version, kinds in sorted(api_kinds(objects).items()):
        group, _, version = api_version.rpartition("/")
        served = _served(cluster, api_version)
        for kind in sorted(kinds - set(served)):
            fix = INSTALL.get(group, f"install the API that serves {api_version}")
            found.append(Gap(f"{kind} ({api_version}) is not served", fix))
        for obj in objects:
            if obj["apiVersion"] != api_version or obj["kind"] not in served or not group:
                continue
            name = f"{served[obj['kind']]}.{group}"
            if name not in crds:
                crds[name] = _crd_schema(cluster, name, version)
            schema = crds[name]
            if schema is None:  # a built-in API, not a CRD: the server's own validation applies
                continue
            for field in unknown_fields(obj, schema):
                found.append(
                    Gap(
                        f"{obj['kind']}/{obj['metadata']['name']}: {field} is unknown to the cluster's {name} "
                        "CRD, which would drop it",
                        f"upgrade the CRD to a version that has the field: {INSTALL.get(group, 'see its project')}",
                    )
                )
    installed = {item["metadata"]["name"] for item in cluster.items("runtimeclasses")}
    for name in sorted(runtime_class_names(objects) - installed):
        found.append(
            Gap(
                f"RuntimeClass {name} does not exist",
                f"install its runtime on the nodes and create the RuntimeClass {name}, or drop it from "
                "agentkube:runtimeClasses and the agents' isolation",
            )
        )
    return found


def _served(cluster: Cluster, api_version: str) -> dict[str, str]:
    """Kind -> plural resource name the cluster serves under `api_version` (none when it serves no such API)."""
    path = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    done = cluster.kubectl("get", "--raw", path, check=False)
    if done.returncode != 0:
        if "NotFound" in done.stderr or "could not find the requested resource" in done.stderr:
            return {}
        cluster.kubectl("get", "--raw", path)  # raises the EngineError that says why
    resources = json.loads(done.stdout).get("resources") or []
    return {r["kind"]: r["name"] for r in resources if "/" not in r["name"]}  # not subresources


def _crd_schema(cluster: Cluster, name: str, version: str) -> dict[str, Any] | None:
    """The OpenAPI schema of `version` in the CRD `name`; None when `name` is no CRD (a built-in API)."""
    done = cluster.kubectl("get", "customresourcedefinition", name, "-o", "json", check=False)
    if done.returncode != 0:
        if "NotFound" in done.stderr:
            return None
        raise EngineError(f"reading the CRD {name}: {done.stderr.strip()}")
    for served in json.loads(done.stdout)["spec"]["versions"]:
        if served["name"] == version:
            schema: dict[str, Any] = (served.get("schema") or {}).get("openAPIV3Schema") or {}
            return schema
    return None


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec inside a workload object (Deployment, Rollout, CronJob, ScaledJob), if any."""
    spec = obj.get("spec") or {}
    for template in (spec.get("template"), (spec.get("jobTargetRef") or {}).get("template")):
        if isinstance(template, dict):
            pod: dict[str, Any] | None = template.get("spec")
            return pod
    job = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    pod = job.get("spec")
    return pod
