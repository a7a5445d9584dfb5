"""`pulumi up` of the example fleet to the local control plane: what the server accepts, runs and reports."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from agentkube.ops.kube import Cluster
from agentkube.project import WORK_DIR
from tests.helpers import ROOT, SECRET, Project
from tests.live.kube import get, pods, settled, until, watching

PROD_NAMESPACE = "agentkube-prod"  # prod and dev share the local cluster, so prod gets its own prefix
DEV_NAMESPACES = ("agentkube-orchestration", "agentkube-agent-pool", "agentkube-infrastructure")
ZONES = ("zone-a", "zone-b", "zone-c")


@pytest.fixture(scope="module")
def deployed(live_cluster: Any, tools: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One copy of the project with dev and prod deployed to the local cluster, for this module's tests."""
    project = Project(tmp_path_factory.mktemp("live-project"), tools)
    (project.root / WORK_DIR).symlink_to(ROOT / WORK_DIR)  # the copy deploys to the repo's local cluster
    project.init("dev", target="local")
    project.init("prod", target="local")
    project.run("config", "set", "agentkube:namespace", PROD_NAMESPACE, stack="prod")
    for stack in ("dev", "prod"):
        project.up(stack)
    yield project
    for stack in ("dev", "prod"):
        project.run("destroy", "--yes", "--skip-preview", stack=stack, check=False)


def objects(kube: Cluster, kind: str, namespace_prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(kube.kubectl("get", kind, "-A", "-o", "json").stdout)["items"]
    return [o for o in found if o["metadata"].get("namespace", "").startswith(namespace_prefix)]


def test_every_workload_is_available(deployed: Project, kube: Cluster) -> None:
    for prefix in (*DEV_NAMESPACES, PROD_NAMESPACE):
        deployments, stateful = objects(kube, "deployments", prefix), objects(kube, "statefulsets", prefix)
        assert deployments or stateful, prefix
        for d in deployments:
            conditions = {c["type"]: c["status"] for c in d["status"].get("conditions", [])}
            assert conditions.get("Available") == "True", d["metadata"]["name"]
            assert d["status"].get("readyReplicas", 0) == d["spec"]["replicas"], d["metadata"]["name"]
        for s in stateful:  # the vector store: every pod ready, on its bound claim
            assert s["status"].get("readyReplicas") == s["spec"]["replicas"], s["metadata"]["name"]
    claims = objects(kube, "persistentvolumeclaims", DEV_NAMESPACES[0].rsplit("-", 1)[0])
    assert claims and all(c["status"]["phase"] == "Bound" for c in claims)


def test_prod_spreads_across_three_zones_and_gpu_pods_land_on_the_gpu_node(deployed: Project, kube: Cluster) -> None:
    nodes = {n["metadata"]["name"]: n for n in json.loads(kube.kubectl("get", "nodes", "-o", "json").stdout)["items"]}
    zone = {name: n["metadata"]["labels"].get("topology.kubernetes.io/zone") for name, n in nodes.items()}
    by_agent: dict[str, Counter[str]] = {}
    coder_nodes = set()
    for pod in objects(kube, "pods", PROD_NAMESPACE):
        agent = pod["metadata"]["labels"]["app.kubernetes.io/name"]
        by_agent.setdefault(agent, Counter())[zone[pod["spec"]["nodeName"]]] += 1
        if agent == "coder":
            coder_nodes.add(pod["spec"]["nodeName"])
    assert coder_nodes and all(nodes[n]["metadata"]["labels"]["nvidia.com/gpu.present"] == "true" for n in coder_nodes)
    spread = {agent: zones for agent, zones in by_agent.items() if agent != "coder"}
    assert any(sum(z.values()) >= 3 for z in spread.values()), by_agent
    for agent, zones in spread.items():  # at most one pod more in any zone than in another
        counts = [zones.get(z, 0) for z in ZONES]
        assert max(counts) - min(counts) <= 1, (agent, zones)


def test_a_second_up_changes_nothing(deployed: Project) -> None:
    for stack in ("dev", "prod"):
        deployed.run("preview", "--expect-no-changes", stack=stack)
        started = time.monotonic()
        second = deployed.up(stack, "--json")
        print(f"no-op up of {stack}: {time.monotonic() - started:.1f} s")  # reported, never asserted
        events = [json.loads(line) for line in second.stdout.splitlines() if line.strip()]
        summary = next(e["summaryEvent"] for e in events if "summaryEvent" in e)
        assert set(summary["resourceChanges"]) == {"same"}, summary["resourceChanges"]


def test_the_autoscaler_owns_replicas(deployed: Project, kube: Cluster) -> None:
    # orchestrator is autoscaled in dev: scale it as the HPA does, through the scale subresource
    kube.kubectl("scale", "deployment/orchestrator", "-n", "agentkube-orchestration", "--replicas=2")
    deployed.run("preview", "--expect-no-changes", stack="dev")
    deployed.up("dev", "--refresh")
    replicas = kube.kubectl(
        "get", "deployment/orchestrator", "-n", "agentkube-orchestration", "-o", "jsonpath={.spec.replicas}"
    ).stdout
    assert replicas == "2"


def test_config_secret_reaches_the_cluster_and_nowhere_else(deployed: Project, kube: Cluster) -> None:
    data = kube.kubectl(
        "get", "secret/researcher-secrets", "-n", "agentkube-agent-pool", "-o", "jsonpath={.data.searchApiKey}"
    ).stdout
    assert base64.b64decode(data).decode() == SECRET
    places = [p for p in deployed.root.rglob("*") if p.is_file() and not {".venv", WORK_DIR} & set(p.parts)]
    assert len(places) > 10
    assert [str(p) for p in places if SECRET.encode() in p.read_bytes()] == []
    assert [text for text in deployed.log if SECRET in text] == []


def test_rolling_every_agent_at_its_maximum_scale_fits_the_quota(deployed: Project, kube: Cluster) -> None:
    for hpa in objects(kube, "hpa", PROD_NAMESPACE):
        target, ns = hpa["spec"]["scaleTargetRef"]["name"], hpa["metadata"]["namespace"]
        kube.kubectl("scale", f"deployment/{target}", "-n", ns, f"--replicas={hpa['spec']['maxReplicas']}")
    deployments = objects(kube, "deployments", PROD_NAMESPACE)
    for d in deployments:
        kube.kubectl("rollout", "restart", f"deployment/{d['metadata']['name']}", "-n", d["metadata"]["namespace"])
    for d in deployments:
        name, ns = d["metadata"]["name"], d["metadata"]["namespace"]
        kube.kubectl("rollout", "status", f"deployment/{name}", "-n", ns, "--timeout=180s")
    refused = [
        e["message"] for e in objects(kube, "events", PROD_NAMESPACE) if "exceeded quota" in e.get("message", "")
    ]
    assert refused == []


def test_status_is_a_ci_gate(deployed: Project, kube: Cluster) -> None:
    ok = deployed.agentkube("status", "--stack", "dev")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    listed = {line.split()[0] for line in ok.stdout.splitlines()[2:] if line.strip()}
    assert {"orchestrator", "coder", "researcher", "tool-server", "vector-store"} <= listed
    report = json.loads(deployed.agentkube("status", "--stack", "dev", "--output", "json").stdout)
    researcher = next(a for a in report if a["agent"] == "researcher")
    assert {t["track"] for t in researcher["tracks"]} == {"stable", "canary"}
    assert set(researcher["share"]) == {"stable", "canary"}
    # a rollout that cannot be scheduled (of the vector store's StatefulSet): the agent is not Available,
    # status says why and exits 1
    ns = ("-n", "agentkube-infrastructure")
    patch = {"spec": {"template": {"spec": {"nodeSelector": {"no-such-node": "x"}}}}}
    kube.kubectl("patch", "statefulset/vector-store", *ns, "-p", json.dumps(patch))
    deadline = time.monotonic() + 30
    while (broken := deployed.agentkube("status", "--stack", "dev")).returncode == 0 and time.monotonic() < deadline:
        time.sleep(1)
    assert broken.returncode == 1
    assert "vector-store is not available" in broken.stdout and "FailedScheduling" in broken.stdout, broken.stdout
    kube.kubectl("rollout", "undo", "statefulset/vector-store", *ns)
    # a StatefulSet waits for its stuck pod forever: deleting it lets the controller make it at the good revision
    kube.kubectl("delete", "pod", "-l", "app.kubernetes.io/name=vector-store", *ns, "--wait=false")
    kube.kubectl("rollout", "status", "statefulset/vector-store", *ns, "--timeout=60s")
    assert deployed.agentkube("status", "--stack", "dev").returncode == 0


def test_custom_resources_deploy_without_waiting_for_a_controller(deployed: Project, kube: Cluster) -> None:
    """No Gateway API or Argo Rollouts controller runs here: `up` must create their objects and go on."""
    deployed.run("config", "set", "--path", "agentkube:gateway.name", "public", stack="dev")
    deployed.run("config", "set", "--path", "agentkube:gateway.namespace", "default", stack="dev")
    deployed.edit("researcher", "    weight: 10\n", "    weight: 10\n    traffic: gateway\n")
    deployed.up("dev")
    route = kube.kubectl("get", "httproute/researcher", "-n", "agentkube-agent-pool", "-o", "json").stdout
    assert [b["weight"] for b in json.loads(route)["spec"]["rules"][0]["backendRefs"]] == [90, 10]
    error_rate = "      errorRate: {max: 0.05, query: 'sum(rate(errors[1m]))'}\n      metrics:\n"
    deployed.edit("researcher", "    traffic: gateway\n", "    traffic: argo\n")
    deployed.edit("researcher", "      metrics:\n", error_rate)
    deployed.up("dev")
    rollout = json.loads(
        kube.kubectl("get", "rollouts.argoproj.io/researcher", "-n", "agentkube-agent-pool", "-o", "json").stdout
    )
    assert rollout["spec"]["strategy"]["canary"]["steps"][0] == {"setWeight": 10}
    deployed.edit("researcher", "    traffic: argo\n", "")
    deployed.edit("researcher", error_rate, "      metrics:\n")
    deployed.run("config", "rm", "agentkube:gateway", stack="dev")
    deployed.up("dev")  # back to the example's replicas canary


def test_the_runtime_objects_are_stored_as_rendered(deployed: Project, kube: Cluster) -> None:
    """What the agent-native runtime adds survives the API server: nothing pruned, isolated pods admitted."""
    pool = "agentkube-agent-pool"
    prod_pool = f"{PROD_NAMESPACE}-agent-pool"
    route = get(kube, "httproute", prod_pool, "researcher")  # the experimental CRD keeps session persistence
    assert route["spec"]["rules"][0]["sessionPersistence"] == {
        "sessionName": "X-Session-Id",
        "type": "Header",
        "idleTimeout": "30m",
    }
    fqdn = get(kube, "ciliumnetworkpolicy", prod_pool, "researcher")["spec"]["egress"]
    assert {n.get("matchName") or n.get("matchPattern") for r in fqdn for n in r.get("toFQDNs", [])} == {
        "api.openai.com",
        "*.search.example.com",
    }
    keda = {"ScaledObject", "ScaledJob", "TriggerAuthentication"}  # indexer (to zero) and evaluator (a job per task)
    for stack in ("dev", "prod"):
        rendered = [o for o in deployed.core(stack).values() if o["kind"] in keda]
        assert {o["metadata"]["name"] for o in rendered} == {"indexer", "evaluator", "evaluator-trigger-0"}
        for obj in rendered:
            stored = get(kube, f"{obj['kind'].lower()}s.keda.sh", obj["metadata"]["namespace"], obj["metadata"]["name"])
            assert stored["spec"] == obj["spec"], obj["kind"]
    for namespace in (pool, prod_pool):
        runners = pods(kube, namespace, "app.kubernetes.io/name=code-runner")
        assert len(runners) == 2 and all(p["spec"]["runtimeClassName"] == "gvisor" for p in runners.values())
        coder = get(kube, "deployment", namespace, "coder")["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in coder["env"]}
        assert env["TOOL_SERVER_MCP_URL"] == f"http://tool-server.{namespace}.svc:8080/mcp"
        assert env["CODE_RUNNER_MCP_URL"] == f"http://code-runner.{namespace}.svc:8080/mcp"
    for pod in objects(kube, "pods", "agentkube-"):  # every agent pod says which agent, version and track it is
        if pod["metadata"]["labels"].get("app.kubernetes.io/managed-by") != "agentkube" or "-recycler" in pod[
            "metadata"
        ]["labels"].get("app.kubernetes.io/name", ""):
            continue
        env = {e["name"]: e for e in pod["spec"]["containers"][0].get("env", [])}
        assert env["OTEL_SERVICE_NAME"]["value"] == pod["metadata"]["labels"]["app.kubernetes.io/name"]
        assert pod["metadata"]["labels"]["agentkube.io/track"] in ("stable", "canary", "blue", "green")
        version = pod["metadata"]["labels"]["app.kubernetes.io/version"]
        assert f"service.version={version}," in env["OTEL_RESOURCE_ATTRIBUTES"]["value"]


def test_the_recycler_may_restart_its_pool_and_nothing_else(deployed: Project, kube: Cluster) -> None:
    namespace = "agentkube-agent-pool"
    account = f"system:serviceaccount:{namespace}:code-runner-recycler"

    def can(*what: str) -> bool:
        done = kube.kubectl("auth", "can-i", *what, "-n", namespace, "--as", account, check=False)
        return done.stdout.strip() == "yes"

    assert can("patch", "deployment/code-runner")
    assert not can("patch", "deployment/coder")
    assert not can("delete", "pods")
    assert not can("get", "secrets")
    cron = get(kube, "cronjob", namespace, "code-runner-recycler")
    assert cron["spec"]["schedule"] == "0 * * * *"
    before = settled(kube, namespace, "app.kubernetes.io/name=code-runner", 2)
    with watching(kube, "deployment/code-runner", "-n", namespace) as seen:
        kube.kubectl(*cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][1:],
                     "-n", namespace, "--as", account)  # fmt: skip
        after = until(
            "the pool to be replaced",
            lambda: (
                (now := settled(kube, namespace, "app.kubernetes.io/name=code-runner", 2)).keys().isdisjoint(before)
                and now
            ),
            timeout=120,
        )
    assert len(after) == 2
    available = [o.get("status", {}).get("availableReplicas", 0) for o in seen]
    assert len(seen) > 2 and min(available) >= 2, available  # warm all along: new pods surge before old ones go
    deployed.run("preview", "--expect-no-changes", stack="dev")  # the restart stamp is not drift Pulumi fights


def test_doctor_checks_what_the_fleet_uses_against_the_cluster(deployed: Project) -> None:
    """The kinds, CRD fields and RuntimeClasses the stacks declare, read back from the real cluster."""
    needs = "cluster has what the fleet uses"
    for stack in ("dev", "prod"):  # prod: Cilium, KEDA, the experimental HTTPRoute, gvisor
        rows = json.loads(deployed.agentkube("doctor", "--stack", stack, "--output", "json").stdout)
        assert next(r for r in rows if r["name"] == needs)["ok"] is True, rows
    deployed.run("config", "set", "--path", "agentkube:runtimeClasses[1]", "firecracker", stack="dev")
    deployed.edit("code-runner", "runtimeClass: gvisor", "runtimeClass: firecracker")
    try:
        done = deployed.agentkube("doctor", "--stack", "dev", "--output", "json")
        failed = [r for r in json.loads(done.stdout) if r["name"] == needs and not r["ok"]]
    finally:
        deployed.edit("code-runner", "runtimeClass: firecracker", "runtimeClass: gvisor")
        deployed.run("config", "rm", "--path", "agentkube:runtimeClasses[1]", stack="dev")
    assert done.returncode == 1
    assert [r["value"] for r in failed] == ["RuntimeClass firecracker does not exist"]
    assert "create the RuntimeClass firecracker" in failed[0]["fix"]
