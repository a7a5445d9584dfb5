"""Where the specs live is one setting, `agentkube:agentsDir`, read alike by the CLI, the Pulumi program and
every command; a command that deploys refuses an `--agents` the program would not read, before any change."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from agentkube.components.program import load
from agentkube.ops import promotion, release
from agentkube.ops.stack_target import StackTarget
from agentkube.spec.problems import SpecError
from tests.helpers import Recorder, RunLine

STABLE = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\nports: [{name: http, port: 8080}]\n"
CANARY = STABLE + "rollout:\n  strategy: canary\n  canary: {image: ghcr.io/acme/worker:1.1.0, weight: 10}\n"


def project_with(tmp_path: Path, stack_text: str, specs: dict[str, str]) -> Path:
    for rel, text in specs.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "Pulumi.yaml").write_text("name: agentkube\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_text)
    return tmp_path


def test_validate_reads_the_stacks_agents_dir(
    tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(
        tmp_path / "p", "config:\n  agentkube:agentsDir: specs/team\n", {"specs/team/w.yaml": STABLE}
    )
    monkeypatch.chdir(tmp_path)  # not the project: the setting is relative to the project, not to where one stands
    ran = run_line(["agentkube", "validate", "--project", str(project), "--stack", "dev"])
    assert ran.code == 0, ran.err
    assert "1 agents" in ran.out


def test_without_a_setting_the_specs_are_the_projects_agents(tmp_path: Path, run_line: RunLine) -> None:
    project = project_with(tmp_path, "config: {}\n", {"agents/w.yaml": STABLE})
    ran = run_line(["agentkube", "plan", "--project", str(project), "--stack", "dev", "--output", "json"])
    assert ran.code == 0, ran.err
    assert '"worker"' in ran.out


def test_the_program_reads_the_same_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_with(
        tmp_path, "config:\n  agentkube:agentsDir: specs\n", {"specs/w.yaml": STABLE, "agents/other.yaml": "x: [\n"}
    )
    monkeypatch.chdir(project)
    monkeypatch.delenv("AGENTKUBE_AGENTS_DIR", raising=False)
    pulumi.runtime.set_mocks(Recorder(), project="agentkube", stack="dev", preview=False)
    pulumi.runtime.set_all_config({}, [])
    fleet = load(None, Path("Pulumi.dev.yaml"))
    assert [a.name for a in fleet.agents] == ["worker"]


def test_an_agents_dir_env_var_alone_selects_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a rollback (which sets AGENTKUBE_ROLLBACK_OF too) points the program at other specs."""
    from agentkube.components.program import sources

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENTKUBE_AGENTS_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("AGENTKUBE_ROLLBACK_OF", raising=False)
    pulumi.runtime.set_mocks(Recorder(), project="agentkube", stack="dev", preview=False)
    assert sources()[0] is None
    monkeypatch.setenv("AGENTKUBE_ROLLBACK_OF", "3")
    assert sources()[0] == tmp_path / "elsewhere"


def never_up(*args: object, **kwargs: object) -> None:
    raise AssertionError("pulumi up ran")


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(promotion, "up", never_up)
    monkeypatch.setattr(promotion, "pulumi_binary", lambda env: "pulumi")
    monkeypatch.setattr(promotion, "ensure_unlocked", lambda project, stack: None)


@pytest.mark.parametrize("command", ["promote", "abort", "release"])
def test_deploying_from_other_specs_is_refused_before_any_change(
    tmp_path: Path, command: str, no_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(tmp_path, "config:\n  agentkube:environment: dev\n", {"agents/w.yaml": STABLE})
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "w.yaml").write_text(CANARY)
    before = (project / "Pulumi.dev.yaml").read_bytes()
    target = StackTarget(project, tmp_path / "mine", "dev")
    monkeypatch.setattr(release, "Prometheus", lambda address: never_up())
    with pytest.raises(SpecError) as err:
        if command == "release":
            release.release(target, "worker", [50, 100], 0, print)
        else:
            getattr(promotion, command)(target, "worker", True, print)
    line = str(err.value.problems[0])
    assert "agentkube:agentsDir: mine" in line and "nothing was changed" in line, line
    assert (project / "Pulumi.dev.yaml").read_bytes() == before


def test_the_setting_makes_the_same_specs_deployable(
    tmp_path: Path, no_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(tmp_path, "config:\n  agentkube:agentsDir: mine\n", {"mine/w.yaml": CANARY})
    ran: list[str] = []
    monkeypatch.setattr(promotion, "up", lambda project, stack, message: ran.append(message))
    promotion.abort(StackTarget(project, tmp_path / "mine", "dev"), "worker", True, print)
    assert ran == ["agentkube abort worker: canary ghcr.io/acme/worker:1.1.0 removed, weight 0"]


def test_no_deploy_does_not_need_the_setting(tmp_path: Path) -> None:
    project = project_with(tmp_path, "config: {}\n", {"agents/w.yaml": STABLE})
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "w.yaml").write_text(CANARY)
    promotion.abort(StackTarget(project, tmp_path / "mine", "dev"), "worker", False, print)
    assert "worker" in (project / "Pulumi.dev.yaml").read_text()
