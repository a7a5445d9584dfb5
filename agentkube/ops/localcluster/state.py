"""What a running local cluster is, as `agentkube cluster status` reports it, and how it fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError


class ClusterError(EngineError):
    """The local cluster could not be built, started, reached or stopped."""


@dataclass(frozen=True)
class Node:
    name: str
    zone: str
    ready: bool
    gpus: int


@dataclass(frozen=True)
class ClusterInfo:
    """A running local cluster: where it answers, its processes and its nodes."""

    name: str
    apiserver: str  # https://127.0.0.1:<port>
    version: str  # the API server's gitVersion
    kubeconfig: Path
    work_dir: Path  # kwokctl's directory of the cluster: certificates, etcd data, logs, pid files
    pids: Mapping[str, int]  # kwokctl component name -> process id
    nodes: tuple[Node, ...]
    created: bool = False  # this `start` created it anew (False: it was running, or was restarted)
    restarted: bool = False  # this `start` started a stopped cluster again, its objects kept
    missing: tuple[str, ...] = field(default=())  # expected nodes and CRDs that are absent or not ready

    @property
    def healthy(self) -> bool:
        return not self.missing

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(kubeconfig=str(self.kubeconfig), work_dir=str(self.work_dir), pids=dict(self.pids))
        data["healthy"] = self.healthy
        return data
