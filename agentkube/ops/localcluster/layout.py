"""Where one project's local cluster keeps its files, all under `<project>/.agentkube/`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ...project import LOCAL_CLUSTER, WORK_DIR, local_kubeconfig


@dataclass(frozen=True)
class ClusterPaths:
    """The cluster's name and files. The name hashes the project path, so two checkouts never share a
    cluster, unless a copy's `.agentkube` links to another project's: then it shares that one."""

    project: Path
    name: str
    work: Path  # <project>/.agentkube
    kwok_home: Path  # KWOK_WORKDIR
    cluster: Path  # kwokctl's directory of this cluster
    config: Path  # the KwokctlConfiguration
    kubeconfig: Path

    @classmethod
    def of(cls, project_dir: Path) -> ClusterPaths:
        project = project_dir.resolve()
        owner = (project / WORK_DIR).resolve().parent
        name = f"{LOCAL_CLUSTER}-{hashlib.sha256(str(owner).encode()).hexdigest()[:8]}"
        work = owner / WORK_DIR
        kwok_home = work / "kwok"
        return cls(
            project,
            name,
            work,
            kwok_home,
            kwok_home / "clusters" / name,
            work / "kwokctl.yaml",
            local_kubeconfig(project),
        )

    def apiserver(self) -> str:
        """The API server's URL, from the kubeconfig kwokctl keeps in the cluster's directory."""
        kubeconfig = self.cluster / "kubeconfig.yaml"
        found = re.search(r"^\s*server:\s*(\S+)", kubeconfig.read_text(), re.MULTILINE)
        if found is None:
            raise ValueError(f"no server in {kubeconfig}")
        return found.group(1)


def cluster_name(project_dir: Path) -> str:
    """`agentkube-<hash of the project path that holds its .agentkube data>`."""
    return ClusterPaths.of(project_dir).name
