"""Releases on the live cluster, watched as a user would with kubectl and `agentkube status`:
canary start, promote and abort; a blue-green switch and back; hot and restart config; graceful shutdown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentkube.core.rollout import tracks
from agentkube.fleet.loader import load_fleet
from agentkube.ops.kube import Cluster
from tests.helpers import Project
from tests.live.kube import deployed_fleet, get, pods, settled, until, watching

NS = "rel-agent-pool"
HTTP = "ports: [{name: http, port: 8080}]\n"
SPECS = {
    "worker": "name: worker\nimage: ghcr.io/acme/worker:1.0.0\n" + HTTP + "scaling: {autoscale: {min: 2, max: 6}}\n"
    "config: {reload: hot, data: {agent.yaml: 'model: a'}}\n",
    "tools": "name: tools\nimage: ghcr.io/acme/tools:1.0.0\n" + HTTP + "scaling: {replicas: 2}\nrollout:\n"
    "  strategy: blue-green\n  blueGreen:\n    active: blue\n    preview: true\n"
    "    blue: {image: ghcr.io/acme/tools:1.0.0}\n    green: {image: ghcr.io/acme/tools:1.1.0}\n",
    "notes": "name: notes\nimage: ghcr.io/acme/notes:1.0.0\n" + HTTP + "scaling: {replicas: 2}\n"
    "config: {reload: hot, data: {notes.md: 'v1'}}\n",
    "batch": "name: batch\nimage: ghcr.io/acme/batch:1.0.0\n" + HTTP + "scaling: {replicas: 2}\n"
    "config: {reload: restart, data: {BATCH_SIZE: '8'}}\nshutdown: {gracePeriodSeconds: 45, drainSeconds: 7}\n",
}
CANARY = (
    "rollout:\n  strategy: canary\n  canary:\n    image: ghcr.io/acme/worker:1.1.0\n    weight: 25\n"
    "    config: {data: {agent.yaml: 'model: b'}}\n"
)


@pytest.fixture(scope="module")
def project(live_cluster: Any, tools: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with deployed_fleet(tmp_path_factory.mktemp("releases"), tools, "rel", SPECS) as project:
        yield project


def of(agent: str, track: str | None = None) -> str:
    return f"app.kubernetes.io/name={agent}" + (f",agentkube.io/track={track}" if track else "")


def status(project: Project, agent: str) -> dict[str, Any]:
    done = project.agentkube("status", "--stack", "dev", "--output", "json")
    return next(a for a in json.loads(done.stdout) if a["agent"] == agent)


def config_of(kube: Cluster, pod: dict[str, Any]) -> dict[str, str]:
    name = next(v["configMap"]["name"] for v in pod["spec"]["volumes"] if "configMap" in v)
    data: dict[str, str] = get(kube, "configmap", NS, name)["data"]
    return data


def test_a_canary_joins_untouched_stable_pods_and_promote_keeps_the_budget(project: Project, kube: Cluster) -> None:
    stable = settled(kube, NS, of("worker", "stable"), 2)
    project.edit("worker", "config:", CANARY + "config:")
    project.up()
    fleet = load_fleet(project.root / "agents", "dev", project.root, check_secrets=False)
    expected = {t.track: t.min_pods for t in tracks(fleet.agent("worker"))}
    canary = settled(kube, NS, of("worker", "canary"), expected["canary"])
    assert settled(kube, NS, of("worker", "stable"), expected["stable"]).keys() == stable.keys()  # not restarted
    total = sum(expected.values())
    share = {track: round(100 * n / total) for track, n in expected.items()}
    assert until("endpoints of both tracks", lambda: status(project, "worker")["share"] == share or None)
    assert {config_of(kube, p)["agent.yaml"] for p in canary.values()} == {"model: b"}  # the canary's own
    assert {config_of(kube, p)["agent.yaml"] for p in stable.values()} == {"model: a"}

    with watching(kube, "deployment/worker", "-n", NS) as seen:
        done = project.agentkube("promote", "worker", "--stack", "dev")
        assert done.returncode == 0, done.stdout + done.stderr
    budget = get(kube, "poddisruptionbudget", NS, "worker")["spec"]["maxUnavailable"]
    available = [o.get("status", {}).get("availableReplicas", 0) for o in seen]
    assert len(seen) > 2 and min(available) >= expected["stable"] - budget, available
    promoted = settled(kube, NS, of("worker", "stable"), 2)
    assert {p["spec"]["containers"][0]["image"] for p in promoted.values()} == {"ghcr.io/acme/worker:1.1.0"}
    assert {config_of(kube, p)["agent.yaml"] for p in promoted.values()} == {"model: b"}
    until("the canary pods to be gone", lambda: not pods(kube, NS, of("worker", "canary")))

    # a second canary, aborted: stable pods and config as they were before it started
    before, config = settled(kube, NS, of("worker", "stable"), 2), get(kube, "configmap", NS, "worker-config")["data"]
    for path, value in (("image", "ghcr.io/acme/worker:1.2.0"), ("weight", "50"), ('config.data["agent.yaml"]', "c")):
        project.run("config", "set", "--path", f"agentkube:overrides.worker.rollout.canary.{path}", value)
    project.up()
    settled(kube, NS, of("worker", "canary"), 1)
    done = project.agentkube("abort", "worker", "--stack", "dev")
    assert done.returncode == 0, done.stdout + done.stderr
    until("the aborted canary's pods to be gone", lambda: not pods(kube, NS, of("worker", "canary")))
    assert settled(kube, NS, of("worker", "stable"), 2).keys() == before.keys()
    assert get(kube, "configmap", NS, "worker-config")["data"] == config


def test_a_blue_green_switch_moves_only_the_service_and_back_at_once(project: Project, kube: Cluster) -> None:
    before = settled(kube, NS, of("tools"), 4)
    for colour in ("green", "blue"):
        done = project.agentkube("promote", "tools", "--stack", "dev")
        assert done.returncode == 0, done.stdout + done.stderr
        assert get(kube, "service", NS, "tools")["spec"]["selector"]["agentkube.io/track"] == colour
        share = {colour: 100}
        assert until(f"every endpoint on {colour}", lambda s=share: status(project, "tools")["share"] == s or None)
        assert pods(kube, NS, of("tools")).keys() == before.keys()  # no pod restarted


def test_hot_config_restarts_nothing_and_restart_config_rolls_with_a_graceful_shutdown(
    project: Project, kube: Cluster
) -> None:
    notes = settled(kube, NS, of("notes"), 2)
    project.edit("notes", "notes.md: 'v1'", "notes.md: 'v2'")
    project.up()
    assert get(kube, "configmap", NS, "notes-config")["data"] == {"notes.md": "v2"}
    assert settled(kube, NS, of("notes"), 2).keys() == notes.keys()

    batch = settled(kube, NS, of("batch"), 2)
    started = datetime.now(UTC)
    with watching(kube, "pods", "-n", NS, "-l", of("batch")) as seen:
        project.edit("batch", "BATCH_SIZE: '8'", "BATCH_SIZE: '16'")
        project.up()
        rolled = settled(kube, NS, of("batch"), 2)
    assert not rolled.keys() & batch.keys()
    assert get(kube, "configmap", NS, "batch-config")["data"] == {"BATCH_SIZE": "16"}
    for pod in rolled.values():  # the new pods read the new value from their environment
        env = {e["name"]: e.get("valueFrom", {}) for e in pod["spec"]["containers"][0].get("env", [])}
        assert env["BATCH_SIZE"]["configMapKeyRef"] == {"name": "batch-config", "key": "BATCH_SIZE"}
    deleting: dict[str, dict[str, Any]] = {}  # each old pod as its deletion was asked for (before kwok ends it)
    for o in seen:
        if o["metadata"].get("deletionTimestamp"):
            deleting.setdefault(o["metadata"]["uid"], o)
    assert deleting.keys() == batch.keys()  # every old pod went through a graceful deletion
    for pod in deleting.values():
        grace = pod["metadata"]["deletionGracePeriodSeconds"]
        assert grace == pod["spec"]["terminationGracePeriodSeconds"] == 45
        assert pod["spec"]["containers"][0]["lifecycle"]["preStop"] == {"sleep": {"seconds": 7}}
        deadline = datetime.fromisoformat(pod["metadata"]["deletionTimestamp"].replace("Z", "+00:00"))
        assert deadline >= started + timedelta(seconds=grace - 1)  # the kubelet's deadline: request + grace
