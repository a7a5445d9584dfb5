"""`agentkube cluster`: the fake node pool, reuse of a running cluster, CRD validation by the server, a GPU
pod that runs, a restart that keeps the objects, a broken leftover created anew, and a `down` that leaves
no process behind."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import time
import uuid
from typing import Any

import pytest

from agentkube.ops import localcluster
from agentkube.project import local_kubeconfig
from tests.helpers import ROOT, RunLine

ROLLOUT: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Rollout",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "probe"}},
        "template": {
            "metadata": {"labels": {"app": "probe"}},
            "spec": {"containers": [{"name": "probe", "image": "registry.invalid/probe:1"}]},
        },
        "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "1m"}}]}},
    },
}
HTTPROUTE: dict[str, Any] = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "HTTPRoute",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {
        "parentRefs": [{"name": "public", "namespace": "gateways"}],
        "rules": [{"backendRefs": [{"name": "probe", "port": 80, "weight": 100}]}],
    },
}

PODMONITOR: dict[str, Any] = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PodMonitor",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "probe"}}, "podMetricsEndpoints": [{"port": "http"}]},
}
SCALEDOBJECT: dict[str, Any] = {
    "apiVersion": "keda.sh/v1alpha1",
    "kind": "ScaledObject",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {
        "scaleTargetRef": {"name": "probe"},
        "minReplicaCount": 0,
        "triggers": [{"type": "prometheus", "metadata": {"query": "sum(up)", "threshold": "5"}}],
    },
}
FQDN_POLICY: dict[str, Any] = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumNetworkPolicy",
    "metadata": {"name": "probe", "namespace": "default"},
    "spec": {
        "endpointSelector": {"matchLabels": {"app": "probe"}},
        "egress": [{"toFQDNs": [{"matchName": "api.openai.com"}], "toPorts": [{"ports": [{"port": "443"}]}]}],
    },
}
STICKY = copy.deepcopy(HTTPROUTE)
STICKY["spec"]["rules"][0]["sessionPersistence"] = {"sessionName": "X-Session-Id", "type": "Header"}


def kubectl(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["kubectl", "--kubeconfig", str(local_kubeconfig(ROOT)), *args]
    done = subprocess.run(command, input=stdin, text=True, capture_output=True, check=False, timeout=60)
    assert not check or done.returncode == 0, done.stderr
    return done


def processes_of(info: localcluster.ClusterInfo) -> list[str]:
    """`ps` lines that mention the cluster's directory."""
    ps = subprocess.run(["ps", "-eo", "pid,args"], text=True, capture_output=True, check=True).stdout
    return [line for line in ps.splitlines() if str(info.work_dir) in line]


@pytest.fixture
def live(live_cluster: localcluster.ClusterInfo) -> localcluster.ClusterInfo:
    """The cluster as it runs now (an earlier test may have restarted it)."""
    return localcluster.start(ROOT)


def test_the_pool_has_a_node_per_zone_and_a_tainted_gpu_node(live: localcluster.ClusterInfo) -> None:
    nodes = {n["metadata"]["name"]: n for n in json.loads(kubectl("get", "nodes", "-o", "json").stdout)["items"]}
    assert set(nodes) == set(localcluster.NODES)
    labels = {name: n["metadata"]["labels"] for name, n in nodes.items()}
    assert {lab["topology.kubernetes.io/zone"] for lab in labels.values()} == {"zone-a", "zone-b", "zone-c"}
    assert {lab["topology.kubernetes.io/region"] for lab in labels.values()} == {localcluster.REGION}
    for node in nodes.values():
        conditions = {c["type"]: c["status"] for c in node["status"]["conditions"]}
        assert conditions["Ready"] == "True"
        assert node["status"]["allocatable"]["cpu"] == "64"
        assert node["status"]["allocatable"]["memory"] == "256Gi"
    gpu = nodes[localcluster.GPU_NODE]
    assert labels[localcluster.GPU_NODE]["topology.kubernetes.io/zone"] == "zone-a"
    assert labels[localcluster.GPU_NODE]["nvidia.com/gpu.present"] == "true"
    assert gpu["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    assert gpu["status"]["capacity"]["nvidia.com/gpu"] == gpu["status"]["allocatable"]["nvidia.com/gpu"] == "8"
    for name in set(nodes) - {localcluster.GPU_NODE}:
        assert "nvidia.com/gpu" not in nodes[name]["status"]["capacity"]
        assert not nodes[name]["spec"].get("taints")
    assert {n.name: n.gpus for n in live.nodes}[localcluster.GPU_NODE] == 8


def test_a_second_up_reuses_the_running_cluster(live: localcluster.ClusterInfo) -> None:
    started = time.monotonic()
    again = localcluster.start(ROOT)
    elapsed = time.monotonic() - started
    print(f"warm up: {elapsed * 1000:.0f} ms")
    assert not again.created
    assert (again.apiserver, dict(again.pids)) == (live.apiserver, dict(live.pids))
    assert elapsed < 1.0


def test_the_server_validates_every_custom_resource_agentkube_emits(live: localcluster.ClusterInfo) -> None:
    crds = [f"crd/{p.stem}" for p in sorted(localcluster.CRDS_DIR.glob("*.yaml"))]
    assert len(crds) == 10
    kubectl("wait", "--for=condition=Established", "--timeout=10s", *crds)
    for good in (ROLLOUT, HTTPROUTE, STICKY, PODMONITOR, SCALEDOBJECT, FQDN_POLICY):
        kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(good))
    misspelt = copy.deepcopy(ROLLOUT)
    misspelt["spec"]["replicaz"] = misspelt["spec"].pop("replicas")
    refused = kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(misspelt), check=False)
    assert refused.returncode != 0
    assert 'unknown field "spec.replicaz"' in refused.stderr, refused.stderr
    wrong_type = copy.deepcopy(HTTPROUTE)
    wrong_type["spec"]["rules"][0]["backendRefs"][0]["weight"] = "heavy"
    assert kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(wrong_type), check=False).returncode != 0
    no_selector = copy.deepcopy(PODMONITOR)
    del no_selector["spec"]["selector"]
    assert kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(no_selector), check=False).returncode != 0
    bad_session = copy.deepcopy(STICKY)
    bad_session["spec"]["rules"][0]["sessionPersistence"]["type"] = "Sticky"
    assert kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(bad_session), check=False).returncode != 0


def test_the_sandbox_runtime_classes_admit_isolated_pods(live: localcluster.ClusterInfo) -> None:
    found = json.loads(kubectl("get", "runtimeclasses", "-o", "json").stdout)["items"]
    assert {r["metadata"]["name"]: r["handler"] for r in found} == localcluster.RUNTIME_CLASSES
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "isolated", "namespace": "default"},
        "spec": {"runtimeClassName": "gvisor", "containers": [{"name": "c", "image": "registry.invalid/c:1"}]},
    }
    kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(pod))
    pod["spec"]["runtimeClassName"] = "firecracker"  # not installed: the RuntimeClass admission refuses it
    refused = kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(pod), check=False)
    assert refused.returncode != 0 and "firecracker" in refused.stderr, refused.stderr


def test_a_gpu_pod_runs_and_is_ready_on_the_gpu_node(live: localcluster.ClusterInfo) -> None:
    name = f"gpu-{uuid.uuid4().hex[:6]}"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "nodeSelector": {"nvidia.com/gpu.present": "true"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [
                {"name": "cuda", "image": "registry.invalid/cuda:1", "resources": {"limits": {"nvidia.com/gpu": "1"}}}
            ],
        },
    }
    kubectl("apply", "-f", "-", stdin=json.dumps(pod))
    try:
        kubectl("wait", "--for=condition=Ready", "--timeout=30s", f"pod/{name}")
        ran = json.loads(kubectl("get", f"pod/{name}", "-o", "json").stdout)
        assert ran["spec"]["nodeName"] == localcluster.GPU_NODE
        assert ran["status"]["phase"] == "Running"
    finally:
        kubectl("delete", f"pod/{name}", "--wait=false")


def test_the_command_reports_the_cluster(live: localcluster.ClusterInfo, run_line: RunLine) -> None:
    done = run_line(["agentkube", "cluster", "status", "--project", str(ROOT), "--output", "json"])
    assert done.code == 0
    report = json.loads(done.out)
    assert report["running"] and report["healthy"] and report["apiserver"] == live.apiserver
    assert {n["name"] for n in report["nodes"] if n["ready"]} == set(localcluster.NODES)
    done = run_line(["agentkube", "cluster", "up", "--project", str(ROOT)])
    assert done.code == 0
    assert f"KUBECONFIG={live.kubeconfig} kubectl get nodes" in done.out


def test_a_stopped_or_partly_dead_cluster_restarts_with_its_objects(
    live: localcluster.ClusterInfo, run_line: RunLine
) -> None:
    kubectl("create", "configmap", "kept", "-n", "default", "--from-literal=a=1")
    try:
        assert run_line(["agentkube", "cluster", "stop", "--project", str(ROOT)]).code == 0
        assert localcluster.info(ROOT) is None and processes_of(live) == []
        again = localcluster.start(ROOT)
        assert again.restarted and not again.created and again.healthy
        assert kubectl("get", "configmap", "kept", "-n", "default", "-o", "jsonpath={.data.a}").stdout == "1"

        os.kill(again.pids["etcd"], signal.SIGKILL)  # the rest still runs: it is stopped, then all start
        until_gone = time.monotonic() + 10
        while localcluster.info(ROOT) is not None and time.monotonic() < until_gone:
            time.sleep(0.05)
        started = time.monotonic()
        healed = localcluster.start(ROOT)
        print(f"up over a dead etcd: {time.monotonic() - started:.1f} s")
        assert healed.restarted and healed.healthy
        assert set(healed.pids.values()).isdisjoint(again.pids.values())
        assert len(processes_of(healed)) == len(localcluster.COMPONENTS)
        assert kubectl("get", "configmap", "kept", "-n", "default", "-o", "jsonpath={.data.a}").stdout == "1"
    finally:
        kubectl("delete", "configmap", "kept", "-n", "default", "--ignore-not-found")


def test_a_leftover_that_cannot_start_is_recreated(live: localcluster.ClusterInfo) -> None:
    localcluster.stop(ROOT)
    (live.work_dir / "kwok.yaml").unlink()  # what kwokctl starts a cluster from
    again = localcluster.start(ROOT)
    assert again.created and not again.restarted and again.healthy
    assert set(again.pids.values()).isdisjoint(live.pids.values())
    assert len(processes_of(again)) == len(localcluster.COMPONENTS)


def test_down_leaves_no_process_and_up_starts_again(live: localcluster.ClusterInfo, run_line: RunLine) -> None:
    assert len(processes_of(live)) == len(localcluster.COMPONENTS)
    try:
        started = time.monotonic()
        assert localcluster.delete(ROOT) is True
        print(f"down: {time.monotonic() - started:.2f} s")
        assert processes_of(live) == []
        assert not live.work_dir.exists() and not live.kubeconfig.exists()
        assert localcluster.info(ROOT) is None
        assert localcluster.delete(ROOT) is False  # nothing runs: a no-op
        assert run_line(["agentkube", "cluster", "status", "--project", str(ROOT)]).code == 1
    finally:
        started = time.monotonic()
        again = localcluster.start(ROOT)
        print(f"cold up: {time.monotonic() - started:.1f} s")
    assert again.created and again.healthy
    assert set(again.pids.values()).isdisjoint(live.pids.values())
