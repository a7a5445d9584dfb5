"""ops.localcluster without a control plane: its fixtures, its files, what it counts as missing, and the
kubectl calls it makes (through a stand-in kubectl that records them)."""

from __future__ import annotations

import json
import os
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from agentkube.ops import localcluster
from agentkube.ops.kube import Cluster
from agentkube.ops.localcluster.layout import ClusterPaths
from agentkube.ops.localcluster.provision import fixture, missing, node_of, provision
from agentkube.project import LOCAL_CLUSTER, WORK_DIR
from tests.helpers import ROOT


def test_the_pool_has_a_node_per_zone_and_one_gpu_node_read_from_its_fixture() -> None:
    assert localcluster.ZONES == ("zone-a", "zone-b", "zone-c")
    assert localcluster.NODES == ("node-zone-a", "node-zone-b", "node-zone-c", "gpu-zone-a")
    assert (localcluster.GPU_NODE, localcluster.GPUS, localcluster.REGION) == ("gpu-zone-a", 8, "local")
    nodes = {n["metadata"]["name"]: n for n in fixture("nodes")}
    gpu = nodes[localcluster.GPU_NODE]
    assert gpu["metadata"]["labels"]["topology.kubernetes.io/zone"] == localcluster.ZONES[0]
    assert gpu["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    for name, node in nodes.items():
        assert node["metadata"]["labels"]["kubernetes.io/hostname"] == name
        assert node["status"]["capacity"] == node["status"]["allocatable"]
        assert node["status"]["capacity"]["cpu"] == "64"
        assert ("nvidia.com/gpu" in node["status"]["capacity"]) == (name == localcluster.GPU_NODE)


def test_runtime_classes_and_the_probe_pod_are_labelled_as_the_local_clusters() -> None:
    assert localcluster.RUNTIME_CLASSES == {"gvisor": "runsc", "kata": "kata"}
    (probe,) = fixture("probe-pod")
    assert probe["metadata"]["name"] == localcluster.PROBE_POD
    for obj in [*fixture("runtimeclasses"), probe]:
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == LOCAL_CLUSTER


def test_a_wheel_ships_the_crds_and_the_fixtures() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["agentkube"]
    package = ROOT / "agentkube"
    shipped = {path for pattern in data for path in package.glob(pattern)}
    expected = {*localcluster.CRDS_DIR.glob("*.yaml"), *localcluster.FIXTURES_DIR.glob("*.yaml")}
    assert len(list(localcluster.CRDS_DIR.glob("*.yaml"))) == 10
    assert expected and expected <= shipped


def test_a_copy_whose_work_dir_links_to_a_project_shares_its_cluster(tmp_path: Path) -> None:
    (tmp_path / "project" / WORK_DIR).mkdir(parents=True)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / WORK_DIR).symlink_to(tmp_path / "project" / WORK_DIR)
    (tmp_path / "other").mkdir()
    project, copy = ClusterPaths.of(tmp_path / "project"), ClusterPaths.of(tmp_path / "copy")
    assert copy.name == project.name == localcluster.cluster_name(tmp_path / "project")
    assert copy.cluster == project.cluster == project.work / "kwok" / "clusters" / project.name
    assert localcluster.cluster_name(tmp_path / "other") != project.name
    assert project.name.startswith(f"{LOCAL_CLUSTER}-")


def test_nothing_runs_in_a_fresh_project(tmp_path: Path) -> None:
    assert localcluster.info(tmp_path) is None
    assert localcluster.stop(tmp_path) is False
    assert localcluster.delete(tmp_path) is False
    assert not (tmp_path / WORK_DIR).exists()
    with pytest.raises(localcluster.ClusterError, match="is not a directory"):
        localcluster.start(tmp_path / "absent")


def node(name: str, ready: str = "True", **allocatable: str) -> dict[str, Any]:
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": "zone-b"}},
        "status": {"conditions": [{"type": "Ready", "status": ready}], "allocatable": allocatable},
    }


def crd(name: str, established: str = "True") -> dict[str, Any]:
    conditions = [{"type": "NamesAccepted", "status": "True"}, {"type": "Established", "status": established}]
    return {"kind": "CustomResourceDefinition", "metadata": {"name": name}, "status": {"conditions": conditions}}


def test_missing_names_each_absent_or_unready_node_and_crd() -> None:
    crds = sorted(p.stem for p in localcluster.CRDS_DIR.glob("*.yaml"))
    all_ready = tuple(node_of(node(name)) for name in localcluster.NODES)
    assert missing(all_ready, [crd(name) for name in crds]) == ()
    nodes = (*all_ready[:2], node_of(node(localcluster.NODES[2], ready="False")))  # the GPU node is absent
    listed = [crd(crds[1], established="False"), *(crd(name) for name in crds[2:])]  # crds[0] is absent
    assert missing(nodes, listed) == (
        f"node/{localcluster.NODES[2]}",
        f"node/{localcluster.GPU_NODE}",
        f"crd/{crds[0]}",
        f"crd/{crds[1]}",
    )
    assert missing(nodes, []) == (
        f"node/{localcluster.NODES[2]}",
        f"node/{localcluster.GPU_NODE}",
        *(f"crd/{name}" for name in crds),
    )


def test_a_node_reads_its_zone_readiness_and_gpus() -> None:
    assert node_of(node("g", **{"nvidia.com/gpu": "8"})) == localcluster.Node("g", "zone-b", True, 8)
    assert node_of(node("n", ready="Unknown")) == localcluster.Node("n", "zone-b", False, 0)
    assert node_of({}) == localcluster.Node("", "", False, 0)


@pytest.fixture
def kubectl_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in kubectl on PATH: it logs its arguments and stdin as a JSON line each call and answers
    `get --raw /readyz` with ok, `wait` with success and anything else with an empty List."""
    log = tmp_path / "kubectl.log"
    script = tmp_path / "bin" / "kubectl"
    script.parent.mkdir()
    script.write_text(
        f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if "-" in args else ""
with open({str(log)!r}, "a") as out:
    out.write(json.dumps({{"args": args, "stdin": stdin}}) + "\\n")
print("ok" if "--raw" in args else json.dumps({{"kind": "List", "items": []}}))
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_the_runner_reads_raw_paths_lists_and_waits(kubectl_log: Path, tmp_path: Path) -> None:
    cluster = Cluster(tmp_path / "kubeconfig")
    assert cluster.raw("/readyz") == "ok"
    assert cluster.get("nodes,customresourcedefinitions") == {"kind": "List", "items": []}
    assert cluster.wait("condition=Ready", "pod/p", timeout=7.4, namespace="default")
    prefix = ["--kubeconfig", str(tmp_path / "kubeconfig")]
    assert [c["args"] for c in calls(kubectl_log)] == [
        [*prefix, "get", "--raw", "/readyz"],
        [*prefix, "get", "nodes,customresourcedefinitions", "-o", "json"],
        [*prefix, "wait", "-n", "default", "--for=condition=Ready", "--timeout=7s", "pod/p"],
    ]


def test_provisioning_applies_the_crds_and_fixtures_then_waits_and_runs_the_probe_pod(
    kubectl_log: Path, tmp_path: Path
) -> None:
    paths = ClusterPaths.of(tmp_path)
    provision(paths, probe=True, timeout=30)
    made = calls(kubectl_log)
    apply = ["apply", "--server-side", "--force-conflicts", "--field-manager", LOCAL_CLUSTER]
    prefix = ["--kubeconfig", str(paths.kubeconfig)]
    assert made[0]["args"] == [*prefix, *apply, "-f", str(localcluster.CRDS_DIR), "-f", "-"]
    applied = json.loads(made[0]["stdin"])["items"]
    assert [(o["kind"], o["metadata"]["name"]) for o in applied] == [
        *(("Node", name) for name in localcluster.NODES),
        *(("RuntimeClass", name) for name in localcluster.RUNTIME_CLASSES),
        ("StorageClass", "local-hostpath"),  # the default class the hostPath provisioner serves
    ]
    crds = [f"crd/{p.stem}" for p in sorted(localcluster.CRDS_DIR.glob("*.yaml"))]
    assert made[1]["args"][2:4] + made[1]["args"][5:] == ["wait", "--for=condition=Ready"] + [
        f"node/{name}" for name in localcluster.NODES
    ]
    assert made[2]["args"][2:4] + made[2]["args"][5:] == ["wait", "--for=condition=Established", *crds]
    assert made[3]["args"] == [*prefix, "get", "serviceaccount", "default", "-n", "default"]
    assert made[4]["args"] == [*prefix, *apply, "-n", "default", "-f", "-"]
    assert json.loads(made[4]["stdin"])["metadata"]["name"] == localcluster.PROBE_POD
    pod = f"pod/{localcluster.PROBE_POD}"
    assert made[5]["args"] == [*prefix, "wait", "-n", "default", "--for=condition=Ready", "--timeout=30s", pod]
    assert made[6]["args"][2:5] == ["delete", "-n", "default"] and pod in made[6]["args"]
    assert len(made) == 7
    kubectl_log.unlink()
    provision(paths, probe=False, timeout=30)  # a cluster that ran pods before: no probe pod
    assert [c["args"][2] for c in calls(kubectl_log)] == ["apply", "wait", "wait"]
