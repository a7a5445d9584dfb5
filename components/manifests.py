"""The pure core: a validated fleet becomes the list of Kubernetes objects to deploy.

No Pulumi and no I/O here: `agentkube render` and the Pulumi program both call `build`,
so what is reviewed is what is deployed.
"""

from __future__ import annotations

from typing import Any

from . import naming
from .layers import layer_objects
from .network import ingress, network_policy
from .rollout import workload_objects
from .scaling import pdb
from .spec import AgentSpec
from .validation import Fleet
from .workload import ConfigSecret, secret_name

SECRET_KEYS = "agentkube.io/secret-keys-from-config"


def build(fleet: Fleet) -> list[dict[str, Any]]:
    """Every object of the fleet, in a stable order: layers first, then each agent by name."""
    objects = [obj for objs in layer_objects(fleet).values() for obj in objs]
    for agent in fleet.agents:
        objects += agent_objects(agent, fleet)
    return objects


def without_secret_values(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objects fit for files: config-secret values are dropped, their keys named in an annotation."""
    out = []
    for obj in objects:
        values = obj.get("stringData", {})
        if obj["kind"] == "Secret" and any(isinstance(v, ConfigSecret) for v in values.values()):
            meta = {
                **obj["metadata"],
                "annotations": {
                    **obj["metadata"].get("annotations", {}),
                    SECRET_KEYS: ",".join(k for k, v in values.items() if isinstance(v, ConfigSecret)),
                },
            }
            obj = {k: v for k, v in obj.items() if k != "stringData"} | {"metadata": meta}
        out.append(obj)
    return out


def secret_instructions(objects: list[dict[str, Any]]) -> list[str]:
    """Shell commands that put the values of config secrets, left out of files, into the cluster."""
    lines = []
    for obj in objects:
        keys = obj["metadata"].get("annotations", {}).get(SECRET_KEYS)
        if obj["kind"] == "Secret" and keys:
            meta = obj["metadata"]
            literals = " ".join(f'--from-literal={k}="$(pulumi config get agentkube:{k})"' for k in keys.split(","))
            lines.append(
                f"kubectl -n {meta['namespace']} create secret generic {meta['name']} {literals} "
                "--dry-run=client -o yaml | kubectl apply -f -"
            )
    return lines


def agent_objects(spec: AgentSpec, fleet: Fleet) -> list[dict[str, Any]]:
    """The objects of one agent, in the order they are created."""
    settings = fleet.settings
    candidates = [
        service_account(spec, fleet),
        config_secret(spec, fleet),
        *workload_objects(spec, fleet),
        pdb(spec, settings),
        network_policy(spec, fleet),
        ingress(spec, fleet),
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


def config_secret(spec: AgentSpec, fleet: Fleet) -> dict[str, Any] | None:
    """A Secret holding the agent's Pulumi config secrets; values are placeholders until deployed."""
    keys = sorted({item.config for item in spec.secrets if item.config})
    if not keys:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": naming.metadata(spec, fleet.settings, secret_name(spec)),
        "stringData": {key: ConfigSecret(key) for key in keys},
    }


def object_key(obj: dict[str, Any]) -> str:
    """`apiVersion/Kind/namespace/name`: unique per object of a fleet."""
    meta = obj["metadata"]
    return f"{obj['apiVersion']}/{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}"
