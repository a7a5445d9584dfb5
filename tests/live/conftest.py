"""`live_cluster`: the repo's local control plane for the session, stopped at its end whatever happens."""

from __future__ import annotations

import atexit
import subprocess
from collections.abc import Iterator

import pytest

from agentkube.ops import localcluster
from agentkube.ops.kube import Cluster
from agentkube.project import local_kubeconfig
from tests.helpers import ROOT


@pytest.fixture(scope="session")
def live_cluster() -> Iterator[localcluster.ClusterInfo]:
    """The cluster as the session's first `up` left it. A test may stop and restart it, so one that needs
    its current pids or URL calls `localcluster.start(ROOT)` (a healthy cluster is reused in well under a second)."""
    subprocess.run([str(ROOT / localcluster.INSTALL_SCRIPT)], check=True, stdout=subprocess.DEVNULL)
    atexit.register(localcluster.delete, ROOT)  # a session that never reaches teardown leaves no process either
    try:
        yield localcluster.start(ROOT)
    finally:
        localcluster.delete(ROOT)
        atexit.unregister(localcluster.delete)


@pytest.fixture(scope="module")
def kube(live_cluster: localcluster.ClusterInfo) -> Cluster:
    """kubectl on the local cluster."""
    return Cluster(local_kubeconfig(ROOT))
