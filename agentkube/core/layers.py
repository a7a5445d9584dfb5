"""The three layers: namespaces, quotas, default limits, priorities and default-deny policies."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..spec.agent import LAYERS, AgentSpec, Layer
from ..spec.container import POD_SECURITY_LEVELS, PodSecurityLevel, Resources
from ..spec.quantity import format_cpu, format_memory, parse_quantity
from . import naming
from .capacity import peak_pods
from .network import default_deny
from .sandbox import RECYCLER, recycles
from .workload import pod_resources

PRIORITY: dict[Layer, int] = {"orchestration": 100000, "infrastructure": 90000, "agent-pool": 50000}
"""Orchestration is evicted last: without it no agent gets work; infrastructure serves every agent."""


def used_layers(fleet: Fleet) -> list[Layer]:
    present = {a.layer for a in fleet.agents}
    return [layer for layer in LAYERS if layer in present]


def layer_objects(fleet: Fleet) -> dict[Layer, list[dict[str, Any]]]:
    """Per used layer, its PriorityClass and the objects of the namespace it opens.

    A namespace shared by folded layers belongs to the first of them.
    """
    settings = fleet.settings
    out: dict[Layer, list[dict[str, Any]]] = {}
    for layer in used_layers(fleet):
        out[layer] = [priority_class(layer, fleet)]
        ns = naming.namespace(layer, settings)
        if any(ns == naming.namespace(earlier, settings) for earlier in out if earlier != layer):
            continue
        agents = [a for a in fleet.agents if naming.namespace(a.layer, settings) == ns]
        out[layer] += [
            namespace_object(ns, agents, fleet),
            quota(ns, agents, fleet),
            limit_range(ns, fleet),
            default_deny(ns, fleet),
        ]
    return out


def priority_class(layer: Layer, fleet: Fleet) -> dict[str, Any]:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {
            "name": naming.priority_class(layer, fleet.settings),
            "labels": naming.fleet_labels(fleet.settings),
        },
        "value": PRIORITY[layer],
        "description": f"agentkube {layer} layer",
    }


def namespace_object(name: str, agents: Iterable[AgentSpec], fleet: Fleet) -> dict[str, Any]:
    """The namespace, enforcing the strictest Pod Security level that admits all of its agents' pods
    (`restricted` unless an agent opted out of a secure default) and warning at `restricted`."""
    level = namespace_level(agents)
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {
                **naming.fleet_labels(fleet.settings),
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }


def namespace_level(agents: Iterable[AgentSpec]) -> PodSecurityLevel:
    return max((a.security.pod_security_level() for a in agents), key=POD_SECURITY_LEVELS.index, default="restricted")


def quota(ns: str, agents: Iterable[AgentSpec], fleet: Fleet) -> dict[str, Any]:
    """Room for every agent of the namespace at max scale during a rollout, and no more: the volume claims of its
    stateful agents too (none elsewhere)."""
    totals = {
        "cpu_request": Decimal(0),
        "cpu_limit": Decimal(0),
        "memory_request": Decimal(0),
        "memory_limit": Decimal(0),
        "gpu": Decimal(0),
        "pods": Decimal(0),
        "storage": Decimal(0),
        "claims": Decimal(0),
    }
    for agent in agents:
        if agent.storage is not None:  # a claim per pod of the StatefulSet, at its fixed replica count
            totals["claims"] += agent.scaling.replicas
            totals["storage"] += agent.scaling.replicas * math.ceil(parse_quantity(agent.storage.size))
        counts = [(peak_pods(agent), pod_resources(agent.resources))]
        if recycles(agent, fleet.settings):
            counts.append((1, RECYCLER))
        for pods, res in counts:
            for key in ("cpu_request", "cpu_limit", "memory_request", "memory_limit", "gpu"):
                totals[key] += pods * getattr(res, key)
            totals["pods"] += pods
    hard = {
        "pods": str(int(totals["pods"])),
        "requests.cpu": format_cpu(totals["cpu_request"]),
        "limits.cpu": format_cpu(totals["cpu_limit"]),
        "requests.memory": format_memory(totals["memory_request"]),
        "limits.memory": format_memory(totals["memory_limit"]),
        "requests.nvidia.com/gpu": str(int(totals["gpu"])),
        "persistentvolumeclaims": str(int(totals["claims"])),
        "requests.storage": format_memory(totals["storage"]),
    }
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": object_names.LAYER_LIMITS, "namespace": ns, "labels": naming.fleet_labels(fleet.settings)},
        "spec": {"hard": hard},
    }


def limit_range(ns: str, fleet: Fleet) -> dict[str, Any]:
    """The spec defaults, for containers that anyone else starts in the namespace."""
    res = pod_resources(Resources())
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": object_names.LAYER_LIMITS, "namespace": ns, "labels": naming.fleet_labels(fleet.settings)},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": format_cpu(res.cpu_limit), "memory": format_memory(res.memory_limit)},
                    "defaultRequest": {"cpu": format_cpu(res.cpu_request), "memory": format_memory(res.memory_request)},
                }
            ]
        },
    }
