"""fleet.target: the one choice of a stack's cluster, for the Pulumi program and for ops."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkube.fleet.target import Target, TargetError, target_of
from agentkube.ops.errors import EngineError
from agentkube.ops.kube import Cluster, cluster_of
from agentkube.project import WORK_DIR
from agentkube.spec.stack import StackSettings


def test_a_render_stack_targets_its_directory_and_no_cluster(tmp_path: Path) -> None:
    settings = StackSettings(renderDir="rendered/x")
    assert target_of(tmp_path, settings, "render") == Target(render_dir="rendered/x")
    with pytest.raises(EngineError, match=r"stack render renders to rendered/x/ and deploys to no cluster"):
        cluster_of(tmp_path, settings, "render")


def test_a_local_stack_targets_the_projects_kubeconfig_once_the_cluster_runs(tmp_path: Path) -> None:
    settings = StackSettings(localCluster=True)
    said = r"^stack dev deploys to the local cluster, which is not running: start it with `agentkube cluster up`"
    with pytest.raises(TargetError, match=said):
        target_of(tmp_path, settings, "dev")
    with pytest.raises(EngineError, match=said):  # ops says it in the same words
        cluster_of(tmp_path, settings, "dev")
    (tmp_path / WORK_DIR).mkdir()
    (tmp_path / WORK_DIR / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    kubeconfig = tmp_path.resolve() / WORK_DIR / "kubeconfig"
    assert target_of(tmp_path, settings, "dev") == Target(kubeconfig=kubeconfig)
    assert cluster_of(tmp_path, settings, "dev") == Cluster(kubeconfig)


def test_a_cluster_stack_targets_its_kubeconfig_and_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = StackSettings(kubeconfig="~/kube/prod.yaml", context="prod-eu")
    expected = Target(kubeconfig=tmp_path / "kube" / "prod.yaml", context="prod-eu")
    assert target_of(tmp_path, settings, "prod") == expected
    assert cluster_of(tmp_path, settings, "prod") == Cluster(tmp_path / "kube" / "prod.yaml", "prod-eu")
    assert target_of(tmp_path, StackSettings(), "prod") == Target()  # kubectl's usual lookup
