"""`agentkube promote` and `abort`: a change to the stack's config, and its effect on the program's objects."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agentkube.core.build import build
from agentkube.core.rollout import tracks
from agentkube.fleet.loader import load_fleet
from tests.helpers import ROOT, RunLine


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "agents", tmp_path / "agents")
    for stack in ("dev", "prod"):
        shutil.copy(ROOT / f"Pulumi.{stack}.yaml", tmp_path)
    return tmp_path


def state(project: Path, stack: str, agent: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fleet = load_fleet(project / "agents", stack, project, check_secrets=False)
    objs = [o for o in build(fleet) if o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == agent]
    return objs, [t.summary() for t in tracks(fleet.agent(agent))]


def in_project(project: Path, *args: str) -> list[str]:
    """`agentkube ARGS` on the copy at `project`, changing its stack files only (no deploy)."""
    return ["agentkube", *args, "--project", str(project), "--agents", str(project / "agents"), "--no-deploy"]


def names(objs: list[dict[str, Any]], kind: str) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs if o["kind"] == kind)


def test_promote_canary_makes_the_candidate_stable(project: Path, run_line: RunLine) -> None:
    before_objs, before = state(project, "prod", "researcher")
    assert before == [
        {"track": "stable", "version": "1.4.2", "image": "ghcr.io/acme/researcher:1.4.2", "weight": 90},
        {"track": "canary", "version": "1.5.0", "image": "ghcr.io/acme/researcher:1.5.0", "weight": 10},
    ]
    assert names(before_objs, "Deployment") == ["researcher", "researcher-canary"]
    text_before = (project / "Pulumi.prod.yaml").read_text()
    assert run_line(in_project(project, "promote", "researcher", "--stack", "prod")).code == 0
    text_after = (project / "Pulumi.prod.yaml").read_text()
    assert text_after.startswith(text_before.split("  agentkube:overrides:")[0])  # comments and the rest kept
    after_objs, after = state(project, "prod", "researcher")
    assert after == [{"track": "stable", "version": "1.5.0", "image": "ghcr.io/acme/researcher:1.5.0", "weight": 100}]
    assert names(after_objs, "Deployment") == ["researcher"]
    assert names(after_objs, "HorizontalPodAutoscaler") == ["researcher"]


def test_abort_removes_the_candidate_and_its_config(project: Path, run_line: RunLine) -> None:
    agent = project / "agents" / "researcher.yaml"
    agent.write_text(
        agent.read_text().replace(
            "    weight: 10\n", "    weight: 10\n    config: {reload: restart, data: {MAX_STEPS: '20'}}\n"
        )
    )
    before_objs, _ = state(project, "dev", "researcher")
    assert len(names(before_objs, "ConfigMap")) == 2
    assert run_line(in_project(project, "abort", "researcher", "--stack", "dev")).code == 0
    assert "weight: 0" in (project / "Pulumi.dev.yaml").read_text()
    after_objs, after = state(project, "dev", "researcher")
    assert [t["track"] for t in after] == ["stable"]
    (config,) = [o for o in after_objs if o["kind"] == "ConfigMap"]
    assert config["data"]["MAX_STEPS"] == "12"  # the stable version's config, as before the canary
    assert run_line(in_project(project, "abort", "researcher", "--stack", "dev")).code == 1  # nothing left to abort


def test_promote_blue_green_switches_colours_without_new_pods(project: Path, run_line: RunLine) -> None:
    before_objs, before = state(project, "dev", "tool-server")
    assert [(t["track"], t["weight"]) for t in before] == [("blue", 100), ("green", 0)]
    assert run_line(in_project(project, "promote", "tool-server", "--stack", "dev")).code == 0
    after_objs, after = state(project, "dev", "tool-server")
    assert [(t["track"], t["weight"]) for t in after] == [("green", 100), ("blue", 0)]
    pods = {o["metadata"]["name"]: o["spec"] for o in before_objs if o["kind"] == "Deployment"}
    assert pods == {o["metadata"]["name"]: o["spec"] for o in after_objs if o["kind"] == "Deployment"}
    main_service = next(o for o in after_objs if o["kind"] == "Service" and o["metadata"]["name"] == "tool-server")
    assert main_service["spec"]["selector"]["agentkube.io/track"] == "green"
    assert run_line(in_project(project, "promote", "tool-server", "--stack", "dev")).code == 0  # and back again
    assert state(project, "dev", "tool-server")[1] == before


def test_release_commands_refuse_what_they_cannot_do(project: Path, run_line: RunLine) -> None:
    done = run_line(in_project(project, "promote", "coder", "--stack", "dev"))
    assert done.code == 1
    assert "nothing to do for coder: it rolls out with strategy rolling" in done.err
    done = run_line(in_project(project, "promote", "reseacher", "--stack", "dev"))
    assert done.code == 1
    assert "no agent named 'reseacher' (did you mean 'researcher'?)" in done.err
    unchanged = (project / "Pulumi.dev.yaml").read_text()
    assert unchanged == (ROOT / "Pulumi.dev.yaml").read_text()


def test_deploying_needs_pulumi_before_anything_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch, run_line: RunLine
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    agents = str(project / "agents")
    done = run_line(
        ["agentkube", "promote", "researcher", "--stack", "dev", "--project", str(project), "--agents", agents]
    )
    assert done.code == 1
    assert "pulumi is not on PATH" in done.err
    assert (project / "Pulumi.dev.yaml").read_text() == (ROOT / "Pulumi.dev.yaml").read_text()
