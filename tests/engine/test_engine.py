"""The real pulumi CLI, language host and Kubernetes provider (built by scripts/install-pulumi),
on a local file backend, in render mode: no cluster, no account."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import SECRET, Project, orphans, reap


@pytest.fixture
def project(tmp_path: Path, tools: str) -> Iterator[Project]:
    yield Project(tmp_path, tools)


def changed_urns(preview: subprocess.CompletedProcess[str]) -> set[str]:
    steps = json.loads(preview.stdout)["steps"]
    return {
        s["urn"].split("::")[-1] + "|" + s["urn"].split("::")[-2].split("$")[-1]
        for s in steps
        if s["op"] != "same" and s["urn"].split("::")[-2].split("$")[-1].startswith("kubernetes:")
    }


def keys_to_urns(keys: set[str]) -> set[str]:
    out = set()
    for key in keys:
        *group_version, kind, namespace, name = key.split("/")
        api = "/".join(group_version)
        module = "core/v1" if api == "v1" else api
        out.add(f"{namespace + '/' if namespace else ''}{name}|kubernetes:{module}:{kind}")
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_preview_and_up_render_exactly_the_core_objects(project: Project, stack: str) -> None:
    project.init(stack)
    project.run("preview", stack=stack)
    project.up(stack)
    assert project.rendered(stack) == project.core(stack)
    # a second up changes nothing
    project.run("preview", "--expect-no-changes", stack=stack)
    second = project.up(stack, "--json")
    events = [json.loads(line) for line in second.stdout.splitlines() if line.strip()]
    summary = next(e["summaryEvent"] for e in events if "summaryEvent" in e)
    assert set(summary["resourceChanges"]) == {"same"}, summary["resourceChanges"]


def test_one_spec_field_changes_exactly_the_objects_it_should(project: Project) -> None:
    project.init("dev")
    project.up()
    before = project.core("dev")
    project.edit("vector-store", "cpu: 500m", "cpu: 750m")
    after = project.core("dev")
    expected = {k for k in after if before.get(k) != after[k]} | (set(before) ^ set(after))
    assert expected  # the Deployment, its spec hash, and the layer's quota
    preview = project.run("preview", "--diff", "--json")
    assert changed_urns(preview) == keys_to_urns(expected)
    project.up()
    assert project.rendered() == after


def test_bad_spec_fails_preview_and_up_and_changes_nothing(project: Project) -> None:
    project.init("dev")
    project.up()
    state, files = project.state(), project.rendered_digest()
    project.edit("vector-store", "memory: 1Gi}", "memory: 1gb}")
    for command in (["preview"], ["up", "--yes", "--skip-preview"]):
        failed = project.run(*command, check=False)
        assert failed.returncode != 0
        problem = "agents/vector-store.yaml: resources.requests.memory: '1gb' is not a Kubernetes quantity"
        assert problem in failed.stdout
        assert "Traceback" not in failed.stdout + failed.stderr
    assert project.state() == state
    assert project.rendered_digest() == files


def test_secret_values_never_appear_in_state_files_or_output(project: Project) -> None:
    for stack in ("dev", "prod"):
        project.init(stack)
        project.up(stack)
        project.run("stack", "output", "--json", stack=stack)
        project.run("stack", "export", stack=stack)
        project.agentkube("history", "--stack", stack)
    places = [p for p in (project.root / ".pulumi").rglob("*") if p.is_file()]
    places += [p for p in (project.root / "rendered").rglob("*") if p.is_file()]
    places += [project.root / "Pulumi.dev.yaml", project.root / "Pulumi.prod.yaml"]
    assert len(places) > 20
    assert [str(p) for p in places if SECRET.encode() in p.read_bytes()] == []
    assert [text for text in project.log if SECRET in text] == []
    # the Secret of a config secret is not rendered at all (re-applying it without values would wipe them);
    # the researcher's pods still refer to it
    texts = [p.read_text() for p in (project.root / "rendered").rglob("*.yaml")]
    assert not [text for text in texts if "kind: Secret" in text and "researcher-secrets" in text]
    assert [text for text in texts if "kind: Deployment" in text and "name: researcher-secrets" in text]


def test_killed_up_is_recovered_by_the_next_run(project: Project) -> None:
    project.init("dev")
    (project.root / "agents").joinpath("more.yaml").unlink(missing_ok=True)
    for i in range(12):  # enough objects that the kill lands mid-update
        (project.root / "agents" / f"worker-{i:02d}.yaml").write_text(
            f"name: worker-{i:02d}\nimage: ghcr.io/acme/worker:1.{i}.0\nports: [{{name: http, port: 8080}}]\n"
        )
    env = {**project.env, "PULUMI_CONFIG_PASSPHRASE": "agentkube-dev"}
    running = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev"],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    manifests = project.root / "rendered" / "dev"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(manifests.rglob("*.yaml"))) < 10:
        time.sleep(0.05)
    before = orphans()
    os.killpg(running.pid, signal.SIGKILL)  # the CLI's group; the plugins have groups of their own
    running.wait()
    time.sleep(0.5)
    reap(orphans() - before)  # the language host and the provider it left behind
    partial = len(list(manifests.rglob("*.yaml")))
    assert 10 <= partial < len(project.core("dev"))
    refused = project.run("up", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0  # locked, or (when the kill hit a checkpoint write) unreadable
    recovered = project.agentkube("recover", "--stack", "dev")
    assert recovered.returncode == 0, recovered.stderr
    assert "released the lock" in recovered.stderr
    project.up()
    assert project.rendered() == project.core("dev")
    project.run("preview", "--expect-no-changes")


def test_concurrent_ups_one_is_refused_and_state_stays_intact(project: Project) -> None:
    project.init("dev")
    project.up()
    project.edit("researcher", "1.4.2", "1.4.3")
    env = {**project.env, "PULUMI_CONFIG_PASSPHRASE": "agentkube-dev"}
    runs = [
        subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev"],
            cwd=project.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate()[0] for r in runs]
    results = [(r.returncode, text) for r, text in zip(runs, outputs, strict=True)]
    assert sorted(code != 0 for code, _ in results) == [False, True]  # one ran, one was refused
    refused = next(text for code, text in results if code != 0)
    assert "the stack is currently locked" in refused
    assert project.rendered() == project.core("dev")
    project.run("preview", "--expect-no-changes")


def test_rollback_redeploys_an_earlier_update_byte_for_byte(project: Project) -> None:
    project.init("dev")
    project.up()
    v1 = project.rendered_digest()
    project.edit("researcher", "image: ghcr.io/acme/researcher:1.4.2", "image: ghcr.io/acme/researcher:1.4.9")
    project.edit("researcher", 'MAX_STEPS: "12"', 'MAX_STEPS: "15"')
    project.edit("researcher", "max: 10", "max: 14")
    project.up()
    v2 = project.rendered_digest()
    assert v2 != v1
    history = project.agentkube("history", "--stack", "dev", "--output", "json")
    updates = json.loads(history.stdout)
    assert [u["number"] for u in updates] == [1, 2]
    assert updates[1]["agents"]["researcher"]["version"] == "1.4.9"
    rollback = project.agentkube("rollback", "--stack", "dev", "--to", "1", "--yes")
    assert rollback.returncode == 0, rollback.stderr
    assert project.rendered_digest() == v1
    project.agentkube("rollback", "--stack", "dev", "--to", "2", "--yes")
    assert project.rendered_digest() == v2
    listed = json.loads(project.agentkube("history", "--stack", "dev", "--output", "json").stdout)
    assert [(u["number"], u["rollbackOf"]) for u in listed] == [(1, None), (2, None), (3, "1"), (4, "2")]
    assert listed[2]["message"] == "agentkube rollback to update 1"
    missing = project.agentkube("rollback", "--stack", "dev", "--to", "9", "--yes")
    assert missing.returncode == 1
    assert "stack dev has no update 9 (updates: 1..4)" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_promote_and_abort_deploy_through_the_engine(project: Project) -> None:
    project.init("dev")
    project.up()
    canary = "apps/v1/Deployment/agentkube-agent-pool/researcher-canary"
    assert canary in project.rendered()
    promoted = project.agentkube("promote", "researcher", "--stack", "dev")
    assert promoted.returncode == 0, promoted.stderr
    rendered = project.rendered()
    assert canary not in rendered  # the canary is removed, its file with it
    stable = rendered["apps/v1/Deployment/agentkube-agent-pool/researcher"]
    assert stable["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/researcher:1.5.0"
    assert rendered == project.core("dev")
    switched = project.agentkube("promote", "tool-server", "--stack", "dev")
    assert switched.returncode == 0, switched.stderr
    service = project.rendered()["v1/Service/agentkube-agent-pool/tool-server"]
    assert service["spec"]["selector"]["agentkube.io/track"] == "green"
    messages = [
        u["message"] for u in json.loads(project.agentkube("history", "--stack", "dev", "--output", "json").stdout)
    ]
    assert messages[1:] == [
        "agentkube promote researcher: 1.5.0 is stable, canary removed",
        "agentkube promote tool-server: traffic switched from blue to green",
    ]
