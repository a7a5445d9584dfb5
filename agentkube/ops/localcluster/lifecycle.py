"""The local cluster's verbs: start it (or reuse it, or restart it with its objects), stop it keeping its
files, delete it with its files, and read what runs (`agentkube cluster up|stop|down|status`)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from ..errors import EngineError
from ..kube import Cluster
from . import processes
from .layout import ClusterPaths
from .provision import forget_node_leases, missing, node_of, provision
from .state import ClusterError, ClusterInfo

TIMEOUT = 120.0  # seconds for a cold start to have every node Ready and every CRD Established
RESTART_TIMEOUT = 60.0  # seconds for a stopped cluster to run pods again before it is created anew
READ_TIMEOUT = 10.0  # seconds for one look at a running API server


def info(project_dir: Path) -> ClusterInfo | None:
    """The project's cluster if all its processes run and its API server is ready, else None."""
    paths = ClusterPaths.of(project_dir)
    pids = processes.running(paths.cluster)
    if set(pids) != processes.COMPONENTS or not paths.kubeconfig.is_file():
        return None
    cluster = Cluster(paths.kubeconfig)
    try:
        apiserver = paths.apiserver()
        if cluster.raw("/readyz", timeout=READ_TIMEOUT) != "ok":
            return None
        version = str(json.loads(cluster.raw("/version", timeout=READ_TIMEOUT)).get("gitVersion", ""))
        listed = cluster.get("nodes,customresourcedefinitions", timeout=READ_TIMEOUT).get("items") or []
    except (OSError, ValueError, EngineError, subprocess.TimeoutExpired):  # unreachable, refused, a bad reply
        return None
    nodes = tuple(node_of(item) for item in listed if item.get("kind") == "Node")
    crds = [item for item in listed if item.get("kind") == "CustomResourceDefinition"]
    absent = missing(nodes, crds)
    return ClusterInfo(paths.name, apiserver, version, paths.kubeconfig, paths.cluster, pids, nodes, missing=absent)


def start(project_dir: Path, timeout: float = TIMEOUT) -> ClusterInfo:
    """Start the project's cluster, or reuse it when healthy; a broken leftover is removed first."""
    if not project_dir.is_dir():
        raise ClusterError(f"{project_dir} is not a directory")
    paths = ClusterPaths.of(project_dir)
    with processes.locked(paths):
        found = info(project_dir)
        if found is not None and found.healthy:
            return found
        if found is None and _restart(paths, processes.tools_dir(project_dir), timeout):
            return replace(_healthy(project_dir, paths), restarted=True)
        created = found is None
        try:
            if created:
                processes.stop_all(paths)  # whatever a broken cluster left: processes, pid files, data
                processes.create(paths, processes.tools_dir(project_dir), timeout)
            provision(paths, probe=created, timeout=timeout)
        except BaseException:
            if created:
                processes.stop_all(paths, remove=False)  # the logs stay for a look; the next start removes them
            raise
        return replace(_healthy(project_dir, paths), created=created)


def stop(project_dir: Path) -> bool:
    """Stop the project's cluster and keep its files (etcd data too): the next start runs it with every
    object it held. False when nothing was running."""
    paths = ClusterPaths.of(project_dir)
    if not paths.work.is_dir():
        return False
    with processes.locked(paths):
        pids = list(processes.running(paths.cluster).values())
        processes.stop_all(paths, remove=False)
    processes.wait_reaped(pids, 3.0)
    return bool(pids)


def delete(project_dir: Path) -> bool:
    """Stop the project's cluster and remove its files; False when nothing was there."""
    paths = ClusterPaths.of(project_dir)
    if not paths.work.is_dir():
        return False
    with processes.locked(paths):
        pids = list(processes.running(paths.cluster).values())
        stopped = processes.stop_all(paths)
    processes.wait_reaped(pids, 3.0)
    return stopped


def _restart(paths: ClusterPaths, tools: Path, timeout: float) -> bool:
    """Start a stopped (or partly dead) cluster again from its files, keeping etcd's data: True when it is
    healthy after that, False when it has to be created anew (no files, or they do not start)."""
    if not processes.can_start_again(paths):
        return False
    timeout = min(timeout, RESTART_TIMEOUT)
    try:
        if not processes.start_again(paths, tools, timeout):
            return False
        forget_node_leases(paths)
        # The probe pod runs once the scheduler and controllers have waited out their old leader leases.
        provision(paths, probe=True, timeout=timeout)
    except (subprocess.TimeoutExpired, OSError, ValueError, EngineError):
        return False
    return info(paths.project) is not None


def _healthy(project_dir: Path, paths: ClusterPaths) -> ClusterInfo:
    found = info(project_dir)
    if found is None or not found.healthy:
        raise ClusterError(f"the local cluster is not healthy after starting; see the logs in {paths.cluster}/logs")
    return found
