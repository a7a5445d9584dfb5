"""The `__main__.py` of a project under Pulumi's mocks, run as the language host runs it (`runpy`, from the
project's directory): one made by `agentkube init` (importing `agentkube.components`), and this repository's
example project (through its own `components/`), each registering exactly the core's objects."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from agentkube.core.build import build, object_key
from agentkube.fleet.loader import load_fleet
from agentkube.ops.scaffold import new_project
from agentkube.project import WORK_DIR
from agentkube.state.record import STACK_CONFIG_ENV
from tests.helpers import ROOT, SECRET_VALUE, Recorder, stack_fleet, unsecret


def run_main(project: Path, stack: str, secrets: dict[str, str] | None = None) -> Recorder:
    """`project/__main__.py` under mocks, for `stack`, run as the language host runs a project's directory (its
    default `main`): `runpy.run_path(DIR)`, which puts DIR first on sys.path for the program's own imports."""
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project=project.name, stack=stack, preview=False)
    pulumi.runtime.set_all_config(secrets or {}, list(secrets or {}))

    @pulumi.runtime.test
    def program() -> None:
        runpy.run_path(str(project), run_name="__main__")

    program()
    return recorder


def keys(recorder: Recorder) -> list[str]:
    return sorted(object_key(unsecret(r.inputs)) for r in recorder.kubernetes())


def component_types(recorder: Recorder) -> dict[str, int]:
    found: dict[str, int] = {}
    for r in recorder.resources:
        if r.typ.startswith("agentkube:"):
            found[r.typ] = found.get(r.typ, 0) + 1
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_new_projects_program_registers_its_fleet(
    stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project(tmp_path / "support").directory
    monkeypatch.chdir(project)
    (project / WORK_DIR).mkdir()  # dev deploys to the local cluster: its kubeconfig, as `cluster up` writes it
    (project / WORK_DIR / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    recorder = run_main(project, stack)
    fleet = load_fleet(Path("agents"), stack, Path("."))
    assert keys(recorder) == sorted(object_key(o) for o in build(fleet))
    assert "apps/v1/Deployment/support-agent-pool/assistant" in keys(recorder)
    one_each = {f"agentkube:index:{kind}": 1 for kind in ("Fleet", "Layer", "Agent")}
    assert component_types(recorder) == one_each


def test_the_example_project_runs_through_its_own_components(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository's `__main__.py` imports the top-level `components` (not shipped in the wheel), which is
    agentkube's: the same resources, under the same types and names, as `agentkube.components` registers."""
    import components
    from agentkube import components as shipped

    assert (components.Fleet, components.main) == (shipped.Fleet, shipped.main)
    stack = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    stack["config"]["agentkube:searchApiKey"] = {"secure": "v1:placeholder"}  # its value comes from the runtime
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(stack))
    monkeypatch.setenv(STACK_CONFIG_ENV, str(tmp_path / "Pulumi.prod.yaml"))  # as `pulumi up --config-file` names it
    recorder = run_main(ROOT, "prod", {"agentkube:searchApiKey": SECRET_VALUE})
    expected = build(stack_fleet("prod"))
    assert keys(recorder) == sorted(object_key(o) for o in expected)
    names: list[Any] = sorted(r.name for r in recorder.kubernetes())
    assert "agentkube-orchestration/orchestrator" in names
