"""`promote` says where the truth lives after it (the stack override, over a spec file that keeps the old
image and the canary), and `validate`/`plan` note every agent whose override replaced its image or canary."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkube.core.rollout import tracks
from agentkube.ops import promotion
from agentkube.ops.stack_target import StackTarget
from tests.helpers import RunLine

SPEC = """name: worker
image: ghcr.io/acme/worker:1.0.0
ports: [{name: http, port: 8080}]
rollout:
  strategy: canary
  canary: {image: ghcr.io/acme/worker:1.1.0, weight: 10}
"""
OTHER = "name: other\nimage: ghcr.io/acme/other:1.0.0\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "worker.yaml").write_text(SPEC)
    (tmp_path / "agents" / "other.yaml").write_text(OTHER)
    (tmp_path / "Pulumi.yaml").write_text("name: agentkube\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  agentkube:environment: dev\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_promote_says_the_override_is_the_truth_and_the_spec_still_holds_the_canary(project: Path) -> None:
    said: list[str] = []
    promotion.promote(StackTarget(project, project / "agents", "dev"), "worker", False, said.append)
    truth = said[-1]
    assert "worker now runs image ghcr.io/acme/worker:1.1.0 by Pulumi.dev.yaml agentkube:overrides.worker" in truth
    assert "agents/worker.yaml still names image ghcr.io/acme/worker:1.0.0 and its canary" in truth


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_validate_and_plan_note_an_agent_whose_override_replaced_image_and_canary(
    project: Path, command: str, run_line: RunLine
) -> None:
    assert run_line(["agentkube", command, "--stack", "dev"]).err.count("note: worker runs") == 0
    promotion.promote(StackTarget(project, project / "agents", "dev"), "worker", False, lambda line: None)
    ran = run_line(["agentkube", command, "--stack", "dev"])
    assert ran.code == 0, ran.err
    notes = [line for line in ran.err.splitlines() if "note:" in line and "runs" in line]
    assert notes == [
        "agents/worker.yaml: note: worker runs image ghcr.io/acme/worker:1.1.0 (the spec file's is "
        "ghcr.io/acme/worker:1.0.0) and no canary (the spec file's canary ghcr.io/acme/worker:1.1.0 has weight 0 "
        "there) by Pulumi.dev.yaml agentkube:overrides.worker; that override is its truth until the spec file says "
        "the same"
    ]


def test_an_override_that_agrees_with_the_spec_file_is_not_noted(project: Path, run_line: RunLine) -> None:
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  agentkube:overrides:\n    other: {image: ghcr.io/acme/other:1.0.0, version: 1.0.1}\n"
    )
    ran = run_line(["agentkube", "validate", "--stack", "dev"])
    assert ran.code == 0, ran.err
    assert "note:" not in ran.err


def promote(project: Path, write_sources: bool, say: list[str] | None = None) -> None:
    target = StackTarget(project, project / "agents", "dev")
    promotion.promote(target, "worker", False, (say if say is not None else []).append, write_sources=write_sources)


def promoted_in_spec(project: Path) -> None:
    """The spec file holds the promotion and the stack file nothing of it; the fleet runs the candidate only."""
    spec = (project / "agents" / "worker.yaml").read_text()
    assert spec == SPEC.replace("worker:1.0.0", "worker:1.1.0").replace("weight: 10", "weight: 0")
    assert "worker" not in (project / "Pulumi.dev.yaml").read_text()
    fleet = StackTarget(project, project / "agents", "dev").fleet()
    assert [t.summary()["image"] for t in tracks(fleet.agent("worker"))] == ["ghcr.io/acme/worker:1.1.0"]


def test_promote_write_sources_keeps_the_truth_in_the_spec_file_alone(project: Path, run_line: RunLine) -> None:
    said: list[str] = []
    promote(project, True, said)
    promoted_in_spec(project)
    assert said[0] == "promote worker: 1.1.0 is stable, canary removed; agents/worker.yaml and Pulumi.dev.yaml updated"
    ran = run_line(["agentkube", "validate", "--stack", "dev"])
    assert ran.code == 0 and "note:" not in ran.err, ran.err


def test_promote_write_sources_moves_an_earlier_promotion_out_of_the_override(project: Path) -> None:
    promote(project, False)
    assert "worker:1.1.0" in (project / "Pulumi.dev.yaml").read_text()
    promote(project, True)
    promoted_in_spec(project)


def test_promote_write_sources_keeps_the_override_settings_it_did_not_write(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  agentkube:environment: dev\n  agentkube:overrides:\n"
        "    worker: {scaling: {replicas: 3}, image: ghcr.io/acme/worker:1.0.0}  # three, for the load test\n"
    )
    promote(project, True)
    stack = (project / "Pulumi.dev.yaml").read_text()
    line = next(line for line in stack.splitlines() if "worker:" in line)
    assert line.split() == ["worker:", "{scaling:", "{replicas:", "3}}", "#", "three,", "for", "the", "load", "test"]


def test_promote_write_sources_names_the_other_stacks_whose_next_up_it_changes(project: Path) -> None:
    (project / "Pulumi.prod.yaml").write_text("config:\n  agentkube:environment: prod\n")
    (project / "Pulumi.pinned.yaml").write_text(
        "config:\n  agentkube:overrides:\n"
        "    worker: {image: ghcr.io/acme/worker:1.0.0, rollout: {canary: {weight: 0}}}\n"
    )
    said: list[str] = []
    promote(project, True, said)
    assert [line for line in said if line.startswith("stack ")] == [
        "stack prod reads agents/worker.yaml too: its next `pulumi up --stack prod` changes worker from "
        "stable 1.0.0 90% + canary 1.1.0 10% to stable 1.1.0 100%; review with `agentkube plan --stack prod`"
    ]


@pytest.mark.parametrize("flag", [[], ["--write-sources"]])
def test_promote_command_takes_write_sources(project: Path, flag: list[str], run_line: RunLine) -> None:
    ran = run_line(["agentkube", "promote", "worker", "--stack", "dev", "--no-deploy", *flag])
    assert ran.code == 0, ran.err
    assert ("--write-sources" in ran.err) == (not flag)  # without it, the way to one place of truth is named
    assert ("image: ghcr.io/acme/worker:1.1.0\nports" in (project / "agents" / "worker.yaml").read_text()) == bool(flag)
