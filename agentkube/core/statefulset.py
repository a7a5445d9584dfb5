"""A stateful agent (one with `storage`): a StatefulSet whose pods each keep a volume claim of their own, and the
headless Service that names each pod; callers keep reaching the agent's own Service at its usual URL."""

from __future__ import annotations

from typing import Any

from ..fleet.model import Fleet
from ..spec.agent import AgentSpec
from . import naming
from .workload import config_map_name, pod_template, workload_metadata


def stateful_set(spec: AgentSpec, fleet: Fleet, replicas: int) -> dict[str, Any]:
    """The agent's pods as a StatefulSet: the Deployment's pod template, its volume from a claim template.
    Updates replace one pod at a time in place (the new pod mounts the old one's claim); claims are kept when
    the agent scales down or is removed, so the data is never deleted with it."""
    storage = spec.storage
    assert storage is not None  # only agents with storage run as a StatefulSet
    settings = fleet.settings
    labels = {**naming.labels(spec, settings), naming.TRACK: "stable"}
    claim: dict[str, Any] = {
        "accessModes": [storage.access_mode],
        "resources": {"requests": {"storage": storage.size}},
    }
    if storage.storage_class:
        claim["storageClassName"] = storage.storage_class
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": workload_metadata(spec, fleet, spec.name, labels),
        "spec": {
            "replicas": replicas,
            "serviceName": naming.headless_service(spec),
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {**naming.selector(spec, settings), naming.TRACK: "stable"}},
            "updateStrategy": {"type": "RollingUpdate"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": pod_template(spec, fleet, labels, config_map_name(spec)),
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": naming.VOLUME, "labels": naming.selector(spec, settings)},
                    "spec": claim,
                }
            ],
        },
    }


def headless_service(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    """The StatefulSet's governing Service: no cluster IP, a DNS name per pod (`<agent>-0.<this>.<namespace>.svc`),
    published before the pods are ready, so that the members of a replicated store find each other."""
    settings = fleet.settings
    body: dict[str, Any] = {
        "clusterIP": "None",
        "publishNotReadyAddresses": True,
        "selector": naming.selector(spec, settings),
    }
    if spec.ports:
        body["ports"] = [
            {"name": p.name, "port": p.port, "targetPort": p.name, "protocol": p.protocol} for p in spec.ports
        ]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": naming.metadata(spec, settings, naming.headless_service(spec)),
        "spec": body,
    }
