"""`agentkube init DIR`: a new project that uses the installed agentkube, which `validate` and `render` accept at
once; a directory that is not empty, a file or a bad name is refused in one line, writing nothing. And
`agentkube --version`, from the one version source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkube.ops.scaffold import EXAMPLE_AGENT, FILES, NAME, TEMPLATE_DIR, VERSION
from agentkube.render.schema import SCHEMA_FILE, schema_text
from agentkube.spec.patterns import DNS_LABEL
from agentkube.version import source_version, version
from tests.helpers import ROOT, RunLine

PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
WRITTEN = {*FILES, SCHEMA_FILE}
PROJECT_NAME = st.from_regex(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?", fullmatch=True)
NOT_A_NAME = st.one_of(
    st.text(min_size=1, max_size=50).filter(lambda s: not re.fullmatch(DNS_LABEL, s)),
    st.from_regex(r"[a-z][a-z0-9]{40,62}", fullmatch=True),  # a DNS label, but longer than a namespace prefix
    st.sampled_from(["", "My_App", "my.app", "1app", "app-", "-app", "app name", "äpp"]),
)


def files_in(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def init(run_line: RunLine, *args: str) -> tuple[int, str]:
    done = run_line(["agentkube", "init", *args])
    assert "Traceback" not in done.err and done.out == ""
    return done.code, done.err


def test_init_writes_the_project_with_its_name(tmp_path: Path, run_line: RunLine) -> None:
    code, err = init(run_line, str(tmp_path / "support-agents"))
    project = tmp_path / "support-agents"
    assert code == 0, err
    assert files_in(project) == WRITTEN
    assert (project / ".pulumi").is_dir()  # the local file backend pulumi is pointed at
    assert f"created project support-agents in {project}" in err
    assert set(FILES.values()) == {p.name for p in TEMPLATE_DIR.iterdir()}  # no template is left out
    for path in FILES:
        text = (project / path).read_text()
        assert NAME not in text and VERSION not in text, path
    meta = yaml.safe_load((project / "Pulumi.yaml").read_text())
    # the directory's __main__.py is the program (Pulumi's default main); no backend: agentkube's environment
    # gives the local one in .pulumi/
    assert meta == {"name": "support-agents", "description": meta["description"], "runtime": "python"}
    dev = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())["config"]
    assert dev["agentkube:localCluster"] is True and dev["agentkube:namespace"] == "support-agents"
    prod = yaml.safe_load((project / "Pulumi.prod.yaml").read_text())["config"]
    assert prod["agentkube:production"] is True and "agentkube:localCluster" not in prod
    main = (project / "__main__.py").read_text()
    assert "from agentkube.components import main" in main and len(main.splitlines()) <= 6
    assert (project / "requirements.txt").read_text() == f"agentkube=={PYPROJECT_VERSION}\n"
    assert (project / SCHEMA_FILE).read_text() == schema_text()
    assert ".pulumi/" in (project / ".gitignore").read_text().splitlines()
    workflow = yaml.safe_load((project / ".github/workflows/agentkube.yaml").read_text())
    steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["check"]["steps"])
    for command in ("agentkube validate", "agentkube render", "pulumi preview"):
        assert command in steps


def test_validate_and_render_work_in_the_new_project_at_once(
    tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert init(run_line, "ops-team", "--name", "ops")[0] == 0
    monkeypatch.chdir(tmp_path / "ops-team")
    for stack in ("dev", "prod"):
        done = run_line(["agentkube", "validate", "--stack", stack])
        assert (done.code, done.out) == (0, f"valid: 1 agents in 1 layers for stack {stack} (assistant)\n"), done.err
    assert run_line(["agentkube", "render", "--stack", "prod", "-o", "rendered/prod"]).code == 0
    rendered = Path("rendered/prod")
    assert "ops-agent-pool/deployment-assistant.yaml" in files_in(rendered)  # the name is the namespaces' prefix
    deployment = yaml.safe_load((rendered / "ops-agent-pool/deployment-assistant.yaml").read_text())
    assert deployment["spec"]["replicas"] == 2  # prod's defaults: highly available
    spec = yaml.safe_load(Path(EXAMPLE_AGENT).read_text())
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == spec["image"]


def test_a_directory_that_is_not_empty_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / ".git").write_text("gitdir: elsewhere\n")  # a hidden file is content too
    assert init(run_line, str(tmp_path / "mine")) == (
        2,
        f"agentkube: {tmp_path / 'mine'} is not empty: init writes a new project into a new or empty directory\n",
    )
    assert files_in(tmp_path) == {"mine/.git"}


def test_a_file_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "notes").write_text("mine\n")
    code, err = init(run_line, str(tmp_path / "notes"), "--name", "notes")
    assert (code, err.count("\n")) == (2, 1) and "is a file" in err
    assert (tmp_path / "notes").read_text() == "mine\n"


def test_a_directory_whose_name_is_not_a_project_name_asks_for_one(tmp_path: Path, run_line: RunLine) -> None:
    code, err = init(run_line, str(tmp_path / "My_Agents"))
    assert code == 2
    assert err.startswith("agentkube: project name 'My_Agents' is not valid, expected a DNS label")
    assert err.endswith(f"it is the name of {tmp_path / 'My_Agents'}: give one with --name\n")
    assert not (tmp_path / "My_Agents").exists()
    assert init(run_line, str(tmp_path / "My_Agents"), "--name", "my-agents")[0] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NOT_A_NAME)
def test_a_bad_name_gets_one_line_and_nothing_is_written(tmp_path: Path, run_line: RunLine, name: str) -> None:
    code, err = init(run_line, str(tmp_path / "new"), f"--name={name}")
    assert code == 2 and err.startswith("agentkube: project name ") and err.count("\n") == 1, err
    assert not (tmp_path / "new").exists()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=PROJECT_NAME)
def test_every_project_name_makes_a_valid_project(tmp_path: Path, run_line: RunLine, name: str) -> None:
    project = tmp_path / name
    if project.exists():  # hypothesis repeats a name within one tmp_path
        return
    assert init(run_line, str(project), "--name", name)[0] == 0
    done = run_line(["agentkube", "validate", "--stack", "prod", "--project", str(project)])
    assert done.code == 0, done.err


def test_version_is_pyprojects(run_line: RunLine) -> None:
    done = run_line(["agentkube", "--version"])
    assert (done.code, done.out) == (0, f"agentkube {PYPROJECT_VERSION}\n")
    assert version() == source_version(ROOT / "pyproject.toml") == PYPROJECT_VERSION


def test_a_checkout_without_a_version_is_unknown_not_an_error(tmp_path: Path) -> None:
    assert source_version(tmp_path / "pyproject.toml") == "0+unknown"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9.9.9"\n')
    assert source_version(tmp_path / "pyproject.toml") == "0+unknown"  # another project's version is not ours
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "agentkube"\nversion = "0.2.0"\n')
    assert source_version(tmp_path / "pyproject.toml") == "0.2.0"
    (tmp_path / "pyproject.toml").write_text("[project\n")
    assert source_version(tmp_path / "pyproject.toml") == "0+unknown"
