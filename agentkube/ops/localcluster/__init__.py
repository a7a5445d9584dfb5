"""The project's own local Kubernetes control plane, behind `agentkube cluster up|stop|down|status`.

kwokctl runs etcd, the API server, the controller manager, the scheduler and kwok as local processes
(`processes`); kwok fakes a node pool in three zones and a GPU node, and the CRDs and RuntimeClasses
agentkube's objects need are installed (`provision`). Everything lives in `<project>/.agentkube/`
(`layout`): the kubeconfig, kwokctl's configuration and its directory `kwok/clusters/<name>/`
(certificates, etcd data, logs, pid files).
"""

from .layout import cluster_name
from .lifecycle import RESTART_TIMEOUT, TIMEOUT, delete, info, start, stop
from .processes import COMPONENTS, INSTALL_SCRIPT, STOP_ORDER
from .provision import (
    CRDS_DIR,
    FIXTURES_DIR,
    GPU_NODE,
    GPU_RESOURCE,
    GPUS,
    NODES,
    PROBE_POD,
    REGION,
    RUNTIME_CLASSES,
    ZONES,
)
from .state import ClusterError, ClusterInfo, Node

__all__ = [
    "COMPONENTS",
    "CRDS_DIR",
    "FIXTURES_DIR",
    "GPUS",
    "GPU_NODE",
    "GPU_RESOURCE",
    "INSTALL_SCRIPT",
    "NODES",
    "PROBE_POD",
    "REGION",
    "RESTART_TIMEOUT",
    "RUNTIME_CLASSES",
    "STOP_ORDER",
    "TIMEOUT",
    "ZONES",
    "ClusterError",
    "ClusterInfo",
    "Node",
    "cluster_name",
    "delete",
    "info",
    "start",
    "stop",
]
