"""What a started control plane is given, and how it is seen to be ready: the CRDs of `crds/` and the
nodes, RuntimeClasses and StorageClass of `fixtures/`, applied with kubectl and waited for.

kwok fakes the node pool (one large node per zone and a tainted GPU node) and the status of the pods
scheduled to it, so they become Running and Ready with no container runtime. The CRDs (Argo Rollouts,
Gateway API, Prometheus Operator, KEDA, Cilium) make the API server validate those objects, and the
gvisor and kata RuntimeClasses let isolated pods be admitted. The constants below are read from the
fixtures, so each fact (a node's name, zone, GPUs) is written once, in YAML.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ...project import LOCAL_CLUSTER
from ..errors import EngineError
from ..kube import Cluster
from .layout import ClusterPaths
from .state import ClusterError, Node

CRDS_DIR = Path(__file__).with_name("crds")
FIXTURES_DIR = Path(__file__).with_name("fixtures")
GPU_RESOURCE = "nvidia.com/gpu"
ZONE_LABEL = "topology.kubernetes.io/zone"
NODE_LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"


def fixture(name: str) -> list[dict[str, Any]]:
    """The objects of `fixtures/<name>.yaml`."""
    with (FIXTURES_DIR / f"{name}.yaml").open(encoding="utf-8") as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc]


_NODES = fixture("nodes")
_RUNTIME_CLASSES = fixture("runtimeclasses")
_STORAGE_CLASSES = fixture("storageclasses")
(_PROBE,) = fixture("probe-pod")

NODES = tuple(str(n["metadata"]["name"]) for n in _NODES)
ZONES = tuple(dict.fromkeys(str(n["metadata"]["labels"][ZONE_LABEL]) for n in _NODES))
(REGION,) = {str(n["metadata"]["labels"]["topology.kubernetes.io/region"]) for n in _NODES}
(GPU_NODE,) = (name for name, n in zip(NODES, _NODES, strict=True) if GPU_RESOURCE in n["status"]["capacity"])
GPUS = int(_NODES[NODES.index(GPU_NODE)]["status"]["capacity"][GPU_RESOURCE])
RUNTIME_CLASSES = {str(r["metadata"]["name"]): str(r["handler"]) for r in _RUNTIME_CLASSES}  # for isolation
PROBE_POD = str(_PROBE["metadata"]["name"])  # run once by a cold start to prove pods become Running and Ready


def crd_names() -> list[str]:
    return sorted(p.stem for p in CRDS_DIR.glob("*.yaml"))


def provision(paths: ClusterPaths, probe: bool, timeout: float) -> None:
    """Apply the CRDs, nodes, RuntimeClasses and the default StorageClass, wait until they are Established
    and Ready, and (`probe`) run one pod."""
    cluster = Cluster(paths.kubeconfig)
    items = [*_NODES, *_RUNTIME_CLASSES, *_STORAGE_CLASSES]
    objects = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
    apply = ("apply", "--server-side", "--force-conflicts", "--field-manager", LOCAL_CLUSTER)
    try:
        cluster.kubectl(*apply, "-f", str(CRDS_DIR), "-f", "-", stdin=objects, timeout=timeout)
    except EngineError as err:
        raise ClusterError(f"applying the CRDs and nodes failed: {err}") from None
    deadline = time.monotonic() + timeout

    def left() -> float:
        return deadline - time.monotonic()

    def until(what: str, ready: Callable[[], bool]) -> None:
        while not ready():
            if left() < 0:
                raise ClusterError(f"{what} after {timeout:.0f}s; see the logs in {paths.cluster}/logs")
            time.sleep(0.05)

    nodes, crds = [f"node/{name}" for name in NODES], [f"crd/{name}" for name in crd_names()]
    until(
        "nodes or CRDs are not ready",
        lambda: (
            cluster.wait("condition=Ready", *nodes, timeout=left())
            and cluster.wait("condition=Established", *crds, timeout=left())
        ),
    )
    if not probe:
        return
    account = ("get", "serviceaccount", "default", "-n", "default")
    until("no default service account", lambda: cluster.kubectl(*account, check=False).returncode == 0)
    cluster.kubectl(*apply, "-n", "default", "-f", "-", stdin=json.dumps(_PROBE), timeout=timeout)
    pod = f"pod/{PROBE_POD}"
    until(
        "the probe pod is not Running and Ready",
        lambda: cluster.wait("condition=Ready", pod, namespace="default", timeout=left()),
    )
    cluster.kubectl("delete", "-n", "default", pod, "--grace-period=0", "--force", "--ignore-not-found", "--wait=false")


def forget_node_leases(paths: ClusterPaths) -> None:
    """Delete the node leases of a stopped kwok: until they expire (200 s) the new one runs no pods."""
    done = Cluster(paths.kubeconfig).kubectl("delete", "--raw", NODE_LEASES, check=False, timeout=30)
    if done.returncode != 0 and "NotFound" not in done.stderr:
        raise ClusterError(f"deleting the node leases failed: {done.stderr.strip()}")


def node_of(item: dict[str, Any]) -> Node:
    metadata, status = item.get("metadata") or {}, item.get("status") or {}
    return Node(
        metadata.get("name", ""),
        (metadata.get("labels") or {}).get(ZONE_LABEL, ""),
        _conditions(item).get("Ready") == "True",
        int((status.get("allocatable") or {}).get(GPU_RESOURCE, 0)),
    )


def missing(nodes: tuple[Node, ...], crds: list[dict[str, Any]]) -> tuple[str, ...]:
    """The expected nodes that are absent or not Ready and the CRDs (of all `crds` listed) not Established."""
    ready = {n.name for n in nodes if n.ready}
    established = {(c.get("metadata") or {}).get("name") for c in crds if _conditions(c).get("Established") == "True"}
    return (
        *(f"node/{name}" for name in NODES if name not in ready),
        *(f"crd/{name}" for name in crd_names() if name not in established),
    )


def _conditions(item: dict[str, Any]) -> dict[str, str]:
    return {c.get("type"): c.get("status") for c in (item.get("status") or {}).get("conditions") or []}
