"""`promote` says where the truth lives after it (the stack override, over a spec file that keeps the old
image and the canary), and `validate`/`plan` note every agent whose override replaced its image or canary."""

from __future__ import annotations

from pathlib import Path

import pytest

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
