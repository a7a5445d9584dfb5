"""`pulumi up` of a scale-to-zero worker and a job agent to the local cluster, whose API server has the KEDA
CRDs (no KEDA controller runs): what the server stored, and that nothing agentkube applies sets replicas; and
the acceptance property for KEDA fleets (see test_server_accepts.py)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from agentkube.ops.kube import Cluster
from agentkube.project import local_kubeconfig
from agentkube.spec.problems import SpecError
from tests.helpers import ROOT, Project, fleet_of, keda_agents
from tests.live.kube import deployed_fleet, get, until
from tests.live.test_server_accepts import counter, refusals
from tests.strategies import fleets

PREFIX = "keda"
NS = f"{PREFIX}-agent-pool"
SPECS = {
    "worker": """name: worker
image: ghcr.io/acme/worker:1.0.0
health: {readiness: {exec: {command: [/bin/true]}}}
shutdown: {drainSeconds: 5, gracePeriodSeconds: 600}
scaling:
  autoscale:
    min: 0
    max: 5
    cooldownSeconds: 120
    scaleDown: {stabilizationSeconds: 300}
    metrics: [{external: {name: agent_queue_depth, selector: {queue: work}, averageValue: "20"}}]
    triggers:
      - rabbitmq: {queue: tasks, length: 10, hostFromSecret: {name: rabbitmq, key: url}}
""",
    "batch": """name: batch
image: ghcr.io/acme/batch:2.0.0
kind: job
job: {activeDeadlineSeconds: 1800, retries: 2, successfulHistory: 5, failedHistory: 5, pollingInterval: 15}
scaling:
  autoscale:
    min: 0
    max: 10
    triggers: [{redis: {address: "redis.infra.svc:6379", list: tasks, length: 1}}]
""",
}


@pytest.fixture(scope="module")
def project(live_cluster: Any, tools: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with deployed_fleet(tmp_path_factory.mktemp("keda"), tools, PREFIX, SPECS, {"keda": "true"}) as project:
        yield project


def test_the_server_stores_the_scaled_object_and_its_trigger_authentication(project: Project, kube: Cluster) -> None:
    scaled = get(kube, "scaledobjects.keda.sh", NS, "worker")["spec"]
    assert scaled["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"}
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"], scaled["cooldownPeriod"]) == (0, 5, 120)
    assert scaled["advanced"] == {
        "horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}
    }
    assert [t["type"] for t in scaled["triggers"]] == ["prometheus", "rabbitmq"]
    assert scaled["triggers"][0]["metadata"]["query"] == 'sum(agent_queue_depth{queue="work"})'
    assert scaled["triggers"][1]["authenticationRef"] == {"name": "worker-trigger-0"}
    auth = get(kube, "triggerauthentications.keda.sh", NS, "worker-trigger-0")["spec"]
    assert auth == {"secretTargetRef": [{"parameter": "host", "name": "rabbitmq", "key": "url"}]}
    hpas = json.loads(kube.kubectl("get", "hpa", "-n", NS, "-o", "json").stdout)["items"]
    assert hpas == []


def test_no_manager_of_ours_owns_the_replicas_of_a_scaled_deployment(project: Project, kube: Cluster) -> None:
    shown = kube.kubectl("get", "deployment/worker", "-n", NS, "--show-managed-fields", "-o", "json").stdout
    fields = json.loads(shown)["metadata"]["managedFields"]
    assert any(m["manager"].startswith("pulumi") for m in fields), [m["manager"] for m in fields]
    owners = [m["manager"] for m in fields if "f:replicas" in m.get("fieldsV1", {}).get("f:spec", {})]
    assert owners == []
    # KEDA scales to zero through the scale subresource: neither preview nor a refreshing up undoes it
    kube.kubectl("scale", "deployment/worker", "-n", NS, "--replicas=0")
    project.run("preview", "--expect-no-changes")
    project.up("dev", "--refresh")
    assert get(kube, "deployment", NS, "worker")["spec"]["replicas"] == 0


def test_the_server_stores_the_scaled_job_with_a_gradual_rollout(project: Project, kube: Cluster) -> None:
    scaled = get(kube, "scaledjobs.keda.sh", NS, "batch")["spec"]
    assert scaled["rollout"] == {"strategy": "gradual"}
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"], scaled["pollingInterval"]) == (0, 10, 15)
    assert (scaled["successfulJobsHistoryLimit"], scaled["failedJobsHistoryLimit"]) == (5, 5)
    job = scaled["jobTargetRef"]
    assert (job["activeDeadlineSeconds"], job["backoffLimit"]) == (1800, 2)
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "batch" and pod["securityContext"]["runAsNonRoot"] is True
    assert scaled["triggers"] == [
        {"type": "redis", "metadata": {"address": "redis.infra.svc:6379", "listName": "tasks", "listLength": "1"}}
    ]
    kinds = {
        o["kind"]
        for o in json.loads(
            kube.kubectl(
                "get", "deployments,services,poddisruptionbudgets,networkpolicies,serviceaccounts", "-n", NS,
                "-l", "app.kubernetes.io/name=batch", "-o", "json",
            ).stdout
        )["items"]
    }  # fmt: skip
    assert kinds == {"NetworkPolicy", "ServiceAccount"}


def test_status_and_drift_know_keda_objects(project: Project) -> None:

    def available() -> subprocess.CompletedProcess[str] | None:
        done = project.agentkube("status", "--stack", "dev", "--output", "json")
        return done if done.returncode == 0 else None

    status = until("every agent Available (the worker once its controller saw the scale to 0)", available, 30)
    tracks = {a["agent"]: a["tracks"] for a in json.loads(status.stdout)}
    assert [(t["track"], t["autoscaler"]) for t in tracks["batch"]] == [("job", "0/0..10")]
    assert tracks["worker"][0]["autoscaler"].endswith("/0..5")
    drift = project.agentkube("drift", "--stack", "dev", "--output", "json")
    assert drift.returncode == 0 and json.loads(drift.stdout) == [], drift.stdout + drift.stderr


@pytest.fixture(scope="module")
def accepting(live_cluster: Any) -> Iterator[Cluster]:
    """kubectl for the acceptance checks; their namespaces and priority classes are removed afterwards."""
    cluster = Cluster(local_kubeconfig(ROOT))
    yield cluster
    cluster.kubectl("delete", "namespaces,priorityclasses", "-l", "agentkube.io/acceptance=true", "--wait=false")


def test_keda_objects_and_job_pods_pass_the_api_server_and_admission(accepting: Cluster) -> None:
    worker, job = keda_agents()
    canary = {**worker, "name": "canaried", "rollout": {"strategy": "canary", "canary": {"image": "ghcr.io/acme/w:2"}}}
    fleet = fleet_of(worker, job, canary, keda=True, namespace="kedaaccept")
    assert refusals(accepting, fleet) == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fleets().filter(lambda docs: docs[1].get("keda", False)))
def test_every_keda_fleet_that_validates_is_accepted(
    accepting: Cluster, fleet_docs: tuple[list[dict[str, Any]], dict[str, Any]]
) -> None:
    specs, stack = fleet_docs
    try:
        fleet = fleet_of(*specs, **{**stack, "namespace": f"kedahyp{next(counter)}"})
    except SpecError:
        return  # a validation error is the other acceptable outcome
    assert refusals(accepting, fleet) == [], (specs, stack)
