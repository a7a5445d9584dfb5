"""`agentkube release` on the live cluster with a real Prometheus: a healthy canary is promoted through
every step, a bad one is aborted at the first with the stable state restored and `promote` then refuses,
an interrupted release resumes, and an unreachable Prometheus changes nothing. Tests run in file order."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentkube.ops.kube import Cluster
from tests.helpers import ROOT, Project
from tests.live.kube import deployed_fleet, get, pods, settled, until
from tests.prometheus import install, merged, serving, traffic

PREFIX = "rel"
NS = f"{PREFIX}-agent-pool"
SPEC = """name: api
image: ghcr.io/acme/api:1.0.0
ports: [{name: http, port: 8080}]
scaling: {replicas: 2}
config: {data: {api.yaml: 'mode: strict'}}
rollout:
  strategy: canary
  canary:
    image: ghcr.io/acme/api:1.1.0
    weight: 0
    config: {data: {api.yaml: 'mode: fast'}}
    analysis:
      metrics:
        - {builtin: errorRate, maxRatioToStable: 1.5}
        - {builtin: tokensPerRequest, maxRatioToStable: 1.5}
"""


@pytest.fixture(scope="module")
def project(live_cluster: Any, tools: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with deployed_fleet(tmp_path_factory.mktemp("release"), tools, PREFIX, {"api": SPEC}) as project:
        yield project


def labelled(families: dict[str, str]) -> dict[str, str]:
    """The acceptance tests' samples, moved to this fleet's agent and namespace."""
    return {
        name: lines.replace('agent="worker"', 'agent="api"').replace("agentkube-agent-pool", NS)
        for name, lines in families.items()
    }


def messages(project: Project) -> list[str]:
    history = json.loads(project.agentkube("history", "--stack", "dev", "--output", "json").stdout)
    return [u["message"] for u in sorted(history, key=lambda u: u["number"])]


def release(project: Project, url: str, *extra: str) -> Any:
    return project.agentkube("release", "api", "--stack", "dev", "--pause", "0s", "--prometheus", url, *extra)


def test_a_healthy_canary_is_promoted_step_by_step(project: Project, kube: Cluster, tmp_path: Path) -> None:
    before = len(messages(project))
    families = labelled(merged(traffic("stable", 0.02, 800), traffic("canary", 0.02, 820)))
    with serving(install(), tmp_path, families) as url:
        done = release(project, url, "--steps", "10,50,100")
    assert done.returncode == 0, done.stdout + done.stderr
    steps = messages(project)[before:]
    assert steps == [
        "agentkube release api: step 1/3, canary weight 10%",
        "agentkube release api: step 2/3, canary weight 50%",
        "agentkube release api: step 3/3, canary weight 100%",
        "agentkube promote api: 1.1.0 is stable, canary removed",
    ]
    stable = get(kube, "deployment", NS, "api")["spec"]["template"]["spec"]["containers"][0]
    assert stable["image"] == "ghcr.io/acme/api:1.1.0"
    assert not pods(kube, NS, "agentkube.io/track=canary")
    settled(kube, NS, "app.kubernetes.io/name=api", 2)


def test_a_canary_five_times_worse_is_aborted_at_the_first_step_and_promote_refuses(
    project: Project, kube: Cluster, tmp_path: Path
) -> None:
    project.edit("api", "image: ghcr.io/acme/api:1.1.0\n    weight: 0", "image: ghcr.io/acme/api:1.2.0\n    weight: 0")
    settled(kube, NS, "app.kubernetes.io/name=api", 2)
    stable_before = get(kube, "deployment", NS, "api")["spec"]
    config_before = get(kube, "configmap", NS, "api-config")["data"]
    before = len(messages(project))
    families = labelled(merged(traffic("stable", 0.02, 800), traffic("canary", 0.1, 800)))
    with serving(install(), tmp_path, families) as url:
        done = release(project, url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "errorRate" in done.stderr and "x stable" in done.stderr
    steps = messages(project)[before:]
    assert steps[0] == "agentkube release api: step 1/4, canary weight 10%"
    assert steps[1].startswith("agentkube release api: aborted at 10% (errorRate: canary 0.1 > 1.5 x stable")
    assert len(steps) == 2
    # the stable state: its Deployment as before (a 10% step took one of its two pods), no canary, the old config
    assert get(kube, "deployment", NS, "api")["spec"] == stable_before
    settled(kube, NS, "app.kubernetes.io/name=api", 2)
    assert not pods(kube, NS, "agentkube.io/track=canary")
    assert get(kube, "configmap", NS, "api-config")["data"] == config_before

    stack_file = (project.root / "Pulumi.dev.yaml").read_bytes()
    refused = project.agentkube("promote", "api", "--stack", "dev")
    assert refused.returncode == 1
    assert "the last analysis of ghcr.io/acme/api:1.2.0 failed (errorRate" in refused.stderr
    assert "--force" in refused.stderr
    assert (project.root / "Pulumi.dev.yaml").read_bytes() == stack_file


def test_an_interrupted_release_leaves_a_consistent_stack_and_resumes(
    project: Project, kube: Cluster, tmp_path: Path
) -> None:
    before = len(messages(project))
    families = labelled(merged(traffic("stable", 0.02, 800), traffic("canary", 0.02, 800)))
    with serving(install(), tmp_path, families) as url:
        command = [str(ROOT / ".venv" / "bin" / "agentkube"), "release", "api", "--stack", "dev"]
        running = subprocess.Popen(
            [*command, "--steps", "10,50", "--pause", "10m", "--prometheus", url],
            cwd=project.root,
            env={**project.env, "PULUMI_CONFIG_PASSPHRASE": "agentkube-dev"},
            stderr=subprocess.PIPE,
            text=True,
        )
        until("the first step's update", lambda: len(messages(project)) > before, timeout=120)
        time.sleep(2)  # into the pause
        running.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = running.communicate(timeout=60)
        assert running.returncode == 130, err
        assert "interrupted: stack dev is at its last finished step" in err and "agentkube abort api" in err
        assert "nothing to recover" in project.agentkube("recover", "--stack", "dev").stderr  # not locked
        assert messages(project)[before:] == ["agentkube release api: step 1/2, canary weight 10%"]
        assert pods(kube, NS, "agentkube.io/track=canary")  # the canary runs at its step

        resumed = release(project, url, "--steps", "10,50")
    assert resumed.returncode == 0, resumed.stderr
    assert messages(project)[before + 1 :] == [
        "agentkube release api: step 1/1, canary weight 50%",
        "agentkube promote api: 1.2.0 is stable, canary removed",
    ]
    project.run("preview", "--expect-no-changes")


def test_an_unreachable_prometheus_changes_nothing(project: Project) -> None:
    stack_file = (project.root / "Pulumi.dev.yaml").read_bytes()
    before = messages(project)
    done = release(project, "http://127.0.0.1:9")
    assert done.returncode == 4
    assert "Prometheus at http://127.0.0.1:9 is unreachable" in done.stderr
    assert (project.root / "Pulumi.dev.yaml").read_bytes() == stack_file
    assert messages(project) == before
