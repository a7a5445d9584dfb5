"""A failed step restores what it changed: a deploying command whose `pulumi up` fails leaves the stack file
byte for byte as it was, says so, and exits with the code its --help gives for a failed up (5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkube.ops import promotion, release
from agentkube.ops.errors import EngineError, StepFailed
from agentkube.ops.stack_target import StackTarget
from tests.helpers import RunLine

SPEC = """name: worker
image: ghcr.io/acme/worker:1.0.0
ports: [{name: http, port: 8080}]
metrics: {port: 8080}
rollout:
  strategy: canary
  canary:
    image: ghcr.io/acme/worker:1.1.0
    weight: 10
    analysis:
      metrics:
        - {builtin: errorRate, maxRatioToStable: 1.5}
"""
STACK = "# the team's dev stack\nconfig:\n  agentkube:environment: dev   # keep\n  agentkube:overrides: {}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "worker.yaml").write_text(SPEC)
    (tmp_path / "Pulumi.yaml").write_text("name: agentkube\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(STACK)
    monkeypatch.setattr(promotion, "pulumi_binary", lambda env: "pulumi")
    monkeypatch.setattr(promotion, "ensure_unlocked", lambda project, stack: None)
    return tmp_path


def failing_up(project: Path, stack: str, message: str) -> None:
    assert "overrides" in (project / "Pulumi.dev.yaml").read_text()  # the change was written before the up
    assert (project / "Pulumi.dev.yaml").read_text() != STACK
    raise EngineError("pulumi failed on stack dev: the Deployment worker-canary did not become ready")


@pytest.mark.parametrize("command", ["promote", "abort"])
def test_a_failed_up_restores_the_stack_file(project: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(promotion, "up", failing_up)
    before = (project / "Pulumi.dev.yaml").read_bytes()
    with pytest.raises(StepFailed) as err:
        getattr(promotion, command)(StackTarget(project, project / "agents", "dev"), "worker", True, print)
    assert (project / "Pulumi.dev.yaml").read_bytes() == before
    assert "did not become ready" in str(err.value)
    assert "Pulumi.dev.yaml is restored to what it was before" in str(err.value)


def test_an_interrupted_up_restores_the_stack_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(project: Path, stack: str, message: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(promotion, "up", interrupted)
    before = (project / "Pulumi.dev.yaml").read_bytes()
    with pytest.raises(KeyboardInterrupt):
        promotion.promote(StackTarget(project, project / "agents", "dev"), "worker", True, print)
    assert (project / "Pulumi.dev.yaml").read_bytes() == before


class Reachable:
    def __init__(self, address: str) -> None:
        self.address = address

    def value(self, query: str) -> float:
        return 1.0


@pytest.mark.parametrize(
    "command", [["promote", "worker"], ["abort", "worker"], ["release", "worker", "--pause", "0s"]]
)
def test_a_failed_step_has_its_own_exit_code_and_says_what_it_undid(
    project: Path, command: list[str], run_line: RunLine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(promotion, "up", failing_up)
    monkeypatch.setattr(release, "Prometheus", Reachable)
    before = (project / "Pulumi.dev.yaml").read_bytes()
    ran = run_line(["agentkube", *command, "--stack", "dev", "--project", str(project)])
    assert ran.code == 5, ran.err
    assert "is restored to what it was before" in ran.err
    assert "Prometheus" not in ran.err
    assert (project / "Pulumi.dev.yaml").read_bytes() == before
    help_text = run_line(["agentkube", command[0], "--help"]).out
    assert "  5    " in help_text and "pulumi up failed" in help_text


def test_a_failed_up_restores_the_spec_file_and_the_stack_file_written_by_write_sources(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(project: Path, stack: str, message: str) -> None:
        assert "image: ghcr.io/acme/worker:1.1.0\nports" in (project / "agents" / "worker.yaml").read_text()
        raise EngineError("pulumi failed on stack dev: the Deployment worker did not become ready")

    monkeypatch.setattr(promotion, "up", failing)
    monkeypatch.chdir(project)
    files = [project / "agents" / "worker.yaml", project / "Pulumi.dev.yaml"]
    before = [f.read_bytes() for f in files]
    with pytest.raises(StepFailed) as err:
        promotion.promote(StackTarget(project, project / "agents", "dev"), "worker", True, print, write_sources=True)
    assert [f.read_bytes() for f in files] == before
    assert "agents/worker.yaml and Pulumi.dev.yaml are restored to what they were before" in str(err.value)
