"""The distribution as a user gets it: the wheel built from this repository's files holds `agentkube` alone (no
generic top-level module such as `components`) and its templates; installed into a fresh virtualenv outside
the repository, its `agentkube` command gives its version, starts a project with `init`, and validates and
renders that project, with nothing of the checkout on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentkube.ops.scaffold import FILES
from tests.helpers import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DIST_INFO = f"{PROJECT['name']}-{PROJECT['version']}.dist-info"


@dataclass(frozen=True)
class Installed:
    """agentkube installed from its wheel into a virtualenv of its own."""

    wheel: Path
    venv: Path
    env: dict[str, str]  # PATH with the virtualenv first; no PYTHONPATH, no caller's virtualenv

    def run(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(argv, cwd=cwd, env=self.env, text=True, capture_output=True, check=False)
        assert done.returncode == 0, f"{' '.join(argv)} in {cwd} failed:\n{done.stdout}\n{done.stderr}"
        assert ROOT.as_posix() not in done.stdout + done.stderr, "the checkout leaked into the run"
        return done


def source_copy(to: Path) -> Path:
    """The checkout's own files (tracked, and new ones git does not ignore), without the build/ and
    *.egg-info/ an earlier build left: setuptools packs build/lib as it finds it, so a module a former
    layout put there would reach the wheel. The build then leaves nothing in the repository either."""
    files = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(files, cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():  # a tracked file deleted in the work tree is listed too
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)
    return to


def build_wheel(source: Path, out: Path) -> Path:
    """`pip wheel .` of the source with the virtualenv's setuptools (no build isolation, no dependencies)."""
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), "."]
    done = subprocess.run(cmd, cwd=source, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"pip wheel failed (scripts/bootstrap installs its setuptools):\n{done.stderr}"
    (wheel,) = out.glob("agentkube-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.is_relative_to(ROOT)
    wheel = build_wheel(source_copy(work / "source"), work / "dist")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], cwd=work, check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, str(wheel)], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"pip install of the wheel failed:\n{done.stderr}"
    return Installed(wheel, venv, env)


def test_the_wheel_holds_agentkube_alone_with_its_templates(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        record = wheel.read(f"{DIST_INFO}/RECORD").decode().splitlines()
    assert {n.split("/")[0] for n in names} == {"agentkube", DIST_INFO}
    assert {line.split(",")[0].split("/")[0] for line in record} == {"agentkube", DIST_INFO}
    for template in FILES.values():
        assert f"agentkube/ops/project_template/{template}" in names
    assert "agentkube/components/fleet.py" in names and "agentkube/py.typed" in names


def test_the_installed_command_starts_a_project_that_validates_and_renders(
    installed: Installed, tmp_path: Path
) -> None:
    python = str(installed.venv / "bin" / "python")
    where = installed.run(python, "-c", "import agentkube; print(agentkube.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(installed.venv)
    missing = subprocess.run(
        [python, "-c", "import components"], cwd=tmp_path, env=installed.env, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "ModuleNotFoundError: No module named 'components'" in missing.stderr
    version = installed.run("agentkube", "--version", cwd=tmp_path).stdout
    assert version == f"agentkube {PROJECT['version']}\n"

    installed.run("agentkube", "init", "support", cwd=tmp_path)
    project = tmp_path / "support"
    assert {p for p in FILES if (project / p).is_file()} == set(FILES)
    valid = installed.run("agentkube", "validate", "--stack", "dev", cwd=project).stdout
    assert valid == "valid: 1 agents in 1 layers for stack dev (assistant)\n"
    rendered = installed.run("agentkube", "render", "--stack", "dev", cwd=project).stderr
    assert rendered.startswith("rendered ") and (project / "rendered/dev/support-agent-pool").is_dir()
    assert (project / "rendered/dev/support-agent-pool/deployment-assistant.yaml").is_file()
    # the backend pulumi gets in the project: its own .pulumi/, as in this repository's example project
    exports = installed.run(python, "-m", "agentkube.ops", "env", "dev", cwd=project).stdout
    assert f"export PULUMI_BACKEND_URL={(project / '.pulumi').as_uri()}" in exports.splitlines()
