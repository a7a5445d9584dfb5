"""The pure core: a validated fleet becomes the list of Kubernetes objects to deploy.

No Pulumi and no I/O here: `agentkube render` and the Pulumi program both call `build`,
so what is reviewed is what is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..fleet.model import Fleet
from ..spec.agent import AgentSpec, Layer
from . import naming
from .autoscaler import pdb
from .layers import layer_objects
from .monitoring import pod_monitor
from .network import cilium_policy, ingress, network_policy
from .rollout import workload_objects
from .sandbox import recycler
from .secrets import config_secret


@dataclass(frozen=True)
class FleetObjects:
    """Every object of the fleet, grouped by what owns it: a layer or an agent. The Pulumi components hold
    exactly these groups and `build` lists exactly these objects, so what is rendered is what is deployed."""

    layers: dict[Layer, list[dict[str, Any]]]  # each used layer, in layer order
    agents: dict[str, list[dict[str, Any]]]  # each agent, by name

    def in_order(self) -> list[dict[str, Any]]:
        """Layers first, then each agent by name."""
        return [obj for groups in (self.layers, self.agents) for objs in groups.values() for obj in objs]


def fleet_objects(fleet: Fleet) -> FleetObjects:
    return FleetObjects(layer_objects(fleet), {agent.name: agent_objects(agent, fleet) for agent in fleet.agents})


def build(fleet: Fleet) -> list[dict[str, Any]]:
    """Every object of the fleet, in a stable order: layers first, then each agent by name."""
    return fleet_objects(fleet).in_order()


def agent_objects(spec: AgentSpec, fleet: Fleet) -> list[dict[str, Any]]:
    """The objects of one agent, in the order they are created."""
    settings = fleet.settings
    candidates = [
        service_account(spec, fleet),
        config_secret(spec, fleet),
        *workload_objects(spec, fleet),
        pdb(spec, settings),
        network_policy(spec, fleet),
        cilium_policy(spec, fleet),
        ingress(spec, fleet),
        pod_monitor(spec, settings),
        *recycler(spec, settings),
    ]
    return [obj for obj in candidates if obj is not None]


def service_account(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    meta = naming.metadata(spec, fleet.settings)
    if spec.service_account.annotations:
        meta["annotations"] = dict(sorted(spec.service_account.annotations.items()))
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta,
        "automountServiceAccountToken": spec.security.service_account_token,
    }


def object_key(obj: dict[str, Any]) -> str:
    """`apiVersion/Kind/namespace/name`: unique per object of a fleet."""
    meta = obj["metadata"]
    return f"{obj['apiVersion']}/{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}"
