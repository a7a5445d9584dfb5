"""Day-2 commands on the team backends, PostgreSQL and an S3 store, each a real server on loopback: history,
rollback and forward, a concurrent update refused, a killed `up` recovered, drift and status, the backend
lost mid-update, and no credential in any output. Tests run in file order, once per backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentkube.ops.backend.locks import locks
from agentkube.ops.backend.store import store_of
from agentkube.ops.kube import Cluster
from tests.backends import TeamBackend, team_backend
from tests.helpers import Project, orphans, reap
from tests.live.kube import deployed_fleet, fleet_objects, in_state, normalized, until

HTTP = "ports: [{name: http, port: 8080}]\n"
SPECS = {
    "api": "name: api\nimage: ghcr.io/acme/api:1.0.0\n" + HTTP + "config: {data: {api.yaml: 'mode: strict'}}\n",
    "helper": "name: helper\nimage: ghcr.io/acme/helper:1.0.0\n" + HTTP + "scaling: {autoscale: {min: 1, max: 3}}\n"
    "rollout: {strategy: canary, canary: {image: ghcr.io/acme/helper:1.1.0, weight: 10}}\n",
}


@pytest.fixture(scope="module", params=["postgres", "s3"])
def backend(request: pytest.FixtureRequest) -> Iterator[TeamBackend]:
    with team_backend(request.param) as running:
        yield running


@pytest.fixture(scope="module")
def project(
    backend: TeamBackend, live_cluster: Any, tools: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    root = tmp_path_factory.mktemp(f"team-{backend.name}")
    with deployed_fleet(root, tools, prefix(backend), SPECS, env=backend.env) as project:
        yield project


def prefix(backend: TeamBackend) -> str:
    return f"team-{backend.name}"


def managed(kube: Cluster, backend: TeamBackend) -> dict[tuple[str, str, str], dict[str, Any]]:
    return fleet_objects(kube, prefix(backend))


def history(project: Project) -> list[dict[str, Any]]:
    done = project.agentkube("history", "--stack", "dev", "--output", "json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def holders(project: Project) -> list[str]:
    store = store_of(project.env["PULUMI_BACKEND_URL"], project.env)
    return [lock.holder() for lock in locks(store, "agentkube", "dev")]


def background_up(project: Project, log: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev"],
        cwd=project.root,
        env={**project.env, "PULUMI_CONFIG_PASSPHRASE": "agentkube-dev"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def add_agents(project: Project, stem: str, count: int) -> None:
    for i in range(count):
        (project.root / "agents" / f"{stem}-{i}.yaml").write_text(
            f"name: {stem}-{i}\nimage: ghcr.io/acme/x:1.0.0\n{HTTP}"
        )


def test_history_numbers_the_updates_and_rollback_goes_back_and_forward(
    project: Project, kube: Cluster, backend: TeamBackend
) -> None:
    first = normalized(managed(kube, backend))
    project.edit("api", "1.0.0", "2.0.0")
    project.edit("api", "mode: strict", "mode: fast")
    project.up()
    second = normalized(managed(kube, backend))
    found = history(project)
    assert [(u["number"], u["result"], u["agents"]["api"]["version"]) for u in found] == [
        (1, "succeeded", "1.0.0"),
        (2, "succeeded", "2.0.0"),
    ]
    for target, expected in ((1, first), (2, second)):
        done = project.agentkube("rollback", "--stack", "dev", "--to", str(target), "--yes")
        assert done.returncode == 0, done.stdout + done.stderr
        assert normalized(managed(kube, backend)) == expected
    project.run("preview", "--expect-no-changes")
    assert [(u["number"], u["rollbackOf"]) for u in history(project)][2:] == [(3, "1"), (4, "2")]


def test_a_second_update_is_refused_naming_who_holds_the_stack_and_nothing_breaks(
    project: Project, kube: Cluster, backend: TeamBackend
) -> None:
    add_agents(project, "held", 2)
    first = background_up(project)
    try:
        until("the first up to take the lock", lambda: holders(project), timeout=30)
        os.killpg(first.pid, signal.SIGSTOP)  # a running update, held still while the others try
        (holder,) = holders(project)
        plain = project.run("up", "--yes", "--skip-preview", check=False)
        assert plain.returncode != 0 and "currently locked" in plain.stderr, plain.stderr
        assert f"(pid {first.pid})" in plain.stderr
        stack_file = (project.root / "Pulumi.dev.yaml").read_text()
        for args in (("abort", "helper"), ("rollback", "--to", "1", "--yes")):
            refused = project.agentkube(*args, "--stack", "dev")
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert f"stack dev is locked by {holder} (a running update on this machine)" in refused.stderr
        assert (project.root / "Pulumi.dev.yaml").read_text() == stack_file  # the abort wrote nothing
        recover = project.agentkube("recover", "--stack", "dev")
        assert recover.returncode == 1 and "wait for it to end" in recover.stderr
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0
    assert holders(project) == []
    assert {"held-0", "held-1"} <= {name for _, _, name in managed(kube, backend)}
    assert len(history(project)) == 5  # the held update finished; the refused ones never started
    project.run("preview", "--expect-no-changes")


def test_a_killed_up_is_recovered_and_the_next_up_converges(
    project: Project, kube: Cluster, backend: TeamBackend
) -> None:
    before = len(history(project))
    add_agents(project, "extra", 6)
    running = background_up(project)
    until("the up to create objects", lambda: sum(k[2].startswith("extra-") for k in managed(kube, backend)) >= 3)
    assert running.poll() is None
    left = orphans()
    os.killpg(running.pid, signal.SIGKILL)
    running.wait()
    time.sleep(0.5)
    reap(orphans() - left)

    recovered = project.agentkube("recover", "--stack", "dev")
    assert recovered.returncode == 0, recovered.stderr
    assert "released the lock of root@" in recovered.stderr or f"(pid {running.pid})" in recovered.stderr
    assert "released the lock of" in recovered.stderr and f"(pid {running.pid})" in recovered.stderr, recovered.stderr
    again = project.agentkube("recover", "--stack", "dev")
    assert "stack dev is not locked; nothing to recover" in again.stderr, again.stderr
    project.up()
    assert set(managed(kube, backend)) == in_state(project)
    project.run("preview", "--expect-no-changes")
    assert len(history(project)) == before + 1  # the killed update left no entry; numbers before it stand


def test_abort_drift_status_and_doctor_work_on_the_team_backend(project: Project, backend: TeamBackend) -> None:
    aborted = project.agentkube("abort", "helper", "--stack", "dev")
    assert aborted.returncode == 0, aborted.stderr
    assert "agentkube abort" in history(project)[-1]["message"]
    drift = project.agentkube("drift", "--stack", "dev", "--output", "json")
    assert (drift.returncode, json.loads(drift.stdout)) == (0, []), drift.stderr
    status = project.agentkube("status", "--stack", "dev", "--output", "json")
    assert status.returncode == 0, status.stderr
    assert {"api", "helper"} <= {a["agent"] for a in json.loads(status.stdout)}
    doctor = project.agentkube("doctor", "--stack", "dev", "--output", "json")
    row = next(c for c in json.loads(doctor.stdout) if c["name"] == "backend")
    assert row["ok"] and backend.address in row["value"]


def test_an_up_that_loses_the_backend_fails_naming_it_and_recover_then_up_converge(
    project: Project, kube: Cluster, backend: TeamBackend
) -> None:
    before = history(project)
    add_agents(project, "fault", 1)
    output = project.root / f"lost-{backend.name}.log"
    with output.open("wb") as log:
        running = background_up(project, log)  # one agent: each step in flight fails after the client's retries
        until("the up to create objects", lambda: any(k[2].startswith("fault-") for k in managed(kube, backend)))
        try:
            backend.stop()
            code = running.wait(timeout=600)
        finally:
            backend.start()
    said = output.read_text()
    project.log.append(said)
    assert code != 0, said
    assert backend.address in said, said

    recovered = project.agentkube("recover", "--stack", "dev")
    assert recovered.returncode == 0, recovered.stderr
    project.up()
    assert set(managed(kube, backend)) == in_state(project)
    project.run("preview", "--expect-no-changes")
    after = history(project)
    assert [(u["number"], u["message"], u["time"]) for u in after[: len(before)]] == [
        (u["number"], u["message"], u["time"]) for u in before
    ]


def test_no_credential_appears_in_any_output(project: Project, backend: TeamBackend) -> None:
    for args in (("doctor", "--stack", "dev"), ("doctor", "--stack", "dev", "--output", "json")):
        project.agentkube(*args)
    project.agentkube("history", "--stack", "dev", "--to", "x")  # a usage error prints too
    printed = "\n".join(project.log)
    assert backend.address in printed  # the outputs do name the backend
    for secret in backend.secrets:
        assert secret not in printed
