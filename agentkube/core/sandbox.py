"""A sandbox pool's recycler: a CronJob that restarts the pool's Deployments every `maxLifetime`.

`kubectl rollout restart` replaces the pods one surge at a time, so the pool stays warm while no
pod lives much longer than its lifetime. The recycler may restart those Deployments and nothing else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..fleet import object_names
from ..spec.agent import AgentSpec
from ..spec.quantity import format_cpu, format_memory
from ..spec.stack import StackSettings
from . import naming
from .rollout import tracks
from .workload import PodResources

RECYCLE_DEADLINE = 600  # seconds a restart may take before the Job fails (and the next one retries)
# one recycler pod at a time (concurrencyPolicy Forbid): the layer's quota holds room for it
RECYCLER = PodResources(Decimal("0.01"), Decimal("0.1"), Decimal(64 * 2**20), Decimal(128 * 2**20), 0)


def recycles(spec: AgentSpec, settings: StackSettings) -> bool:
    """Whether the agent's pool is recycled (validation requires the image wherever a lifetime is set)."""
    return bool(spec.sandbox and spec.sandbox.max_lifetime and settings.kubectl_image)


def schedule(lifetime: str) -> str:
    """The cron schedule that repeats every `lifetime` (minutes that divide an hour, hours that divide a day)."""
    amount, unit = int(lifetime[:-1]), lifetime[-1]
    if unit == "m":
        return f"*/{amount} * * * *"
    return "0 0 * * *" if amount == 24 else "0 * * * *" if amount == 1 else f"0 */{amount} * * *"


def recycler(spec: AgentSpec, settings: StackSettings) -> list[dict[str, Any]]:
    """ServiceAccount, Role, RoleBinding and CronJob that recycle the pool; none without `maxLifetime`."""
    if not recycles(spec, settings) or spec.sandbox is None or spec.sandbox.max_lifetime is None:
        return []
    name, image = object_names.recycler(spec.name), settings.kubectl_image or ""
    deployments = [t.name for t in tracks(spec)]
    meta = naming.metadata(spec, settings, name)
    # a name of its own: the agent's Service, NetworkPolicy and budget must not select the recycler
    meta["labels"] = {**meta["labels"], "app.kubernetes.io/name": name}
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta, "automountServiceAccountToken": False}
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": meta,
        "rules": [
            {
                "apiGroups": ["apps"],
                "resources": ["deployments"],
                "resourceNames": deployments,
                "verbs": ["get", "patch"],
            }
        ],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": meta["namespace"]}],
    }
    locked = {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    container = {
        "name": "recycle",
        "image": image,
        "imagePullPolicy": "IfNotPresent" if "@sha256:" in image else "Always",
        "command": ["kubectl", "rollout", "restart", *(f"deployment/{d}" for d in deployments)],
        "env": [{"name": "HOME", "value": "/tmp"}],  # kubectl caches discovery under $HOME
        "resources": {
            "requests": {"cpu": format_cpu(RECYCLER.cpu_request), "memory": format_memory(RECYCLER.memory_request)},
            "limits": {"cpu": format_cpu(RECYCLER.cpu_limit), "memory": format_memory(RECYCLER.memory_limit)},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "securityContext": {
            **locked,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    skips = {
        "checkov.io/skip1": "CKV_K8S_38=the recycler calls the API server: it mounts a token for its one Role",
        "checkov.io/skip2": "CKV_K8S_43=agentkube:kubectlImage is the stack's choice; pin it by digest there",
    }
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {**meta, "annotations": skips},
        "spec": {
            "schedule": schedule(spec.sandbox.max_lifetime),
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": RECYCLE_DEADLINE,
                    "template": {
                        "metadata": {"labels": meta["labels"]},
                        "spec": {
                            "serviceAccountName": name,
                            "automountServiceAccountToken": True,
                            "restartPolicy": "Never",
                            "securityContext": locked,
                            "containers": [container],
                            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                        },
                    },
                }
            },
        },
    }
    return [account, role, binding, cron]
