"""`history` labels an update with the git state of its specs' own repository (recorded by the program as
`sourcesGit`), not with the HEAD of whatever checkout pulumi ran in."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentkube.cli.releases import _history_text
from agentkube.ops.history import _update
from agentkube.state.record import capture

SPEC = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\n"


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def no_outer_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


def repo_with_specs(root: Path, spec: str = SPEC) -> Path:
    (root / "agents").mkdir(parents=True)
    (root / "agents" / "worker.yaml").write_text(spec)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "specs")
    return root / "agents"


def recorded(agents: Path, stack: Path) -> dict[str, object] | None:
    value = capture(agents, stack)["sourcesGit"]
    assert value is None or isinstance(value, dict)
    return value


def test_committed_specs_are_labelled_with_their_repositorys_head(tmp_path: Path) -> None:
    agents = repo_with_specs(tmp_path / "specs-repo")
    head = git(agents, "rev-parse", "HEAD")
    assert recorded(agents, tmp_path / "none.yaml") == {"head": head, "dirty": False, "tracked": True}


def test_an_edited_spec_is_dirty(tmp_path: Path) -> None:
    agents = repo_with_specs(tmp_path / "r")
    (agents / "worker.yaml").write_text(SPEC + "version: 2.0.0\n")
    assert recorded(agents, tmp_path / "none.yaml") == {
        "head": git(agents, "rev-parse", "HEAD"),
        "dirty": True,
        "tracked": True,
    }


@pytest.mark.parametrize("ignored", [False, True])
def test_an_untracked_or_ignored_spec_is_untracked(tmp_path: Path, ignored: bool) -> None:
    agents = repo_with_specs(tmp_path / "r")
    (agents / "new.yaml").write_text(SPEC.replace("worker", "new"))
    if ignored:
        (agents.parent / ".gitignore").write_text("agents/new.yaml\n")
    found = recorded(agents, tmp_path / "none.yaml")
    assert found is not None and found["tracked"] is False and found["dirty"] is True


def test_specs_of_another_directory_take_that_repositorys_head_not_the_projects(tmp_path: Path) -> None:
    project = tmp_path / "project"
    repo_with_specs(project)  # the agentkube checkout, a repository of its own
    elsewhere = tmp_path / "team" / "agents"
    elsewhere.mkdir(parents=True)
    (elsewhere / "worker.yaml").write_text(SPEC)
    assert recorded(elsewhere, project / "Pulumi.dev.yaml") is None  # in no repository: no git label
    other = repo_with_specs(tmp_path / "other", SPEC + "version: 3.0.0\n")
    assert recorded(other, project / "Pulumi.dev.yaml")["head"] == git(other, "rev-parse", "HEAD")  # type: ignore[index]
    assert git(other, "rev-parse", "HEAD") != git(project, "rev-parse", "HEAD")


INFO = {"kind": "update", "startTime": 1764600000, "result": "succeeded", "message": "m"}


def deployment(sources_git: object) -> dict[str, object]:
    record = {"agents": {}, "stackConfig": "", "sourcesGit": sources_git}
    return {"resources": [{"type": "agentkube:index:Fleet", "outputs": {"record": record}}]}


STACK = "config:\n  agentkube:environment: dev\n"


def project_repo(root: Path) -> tuple[Path, Path]:
    """A repository holding the specs and the stack file, both committed."""
    agents = repo_with_specs(root)
    (root / "Pulumi.dev.yaml").write_text(STACK)
    git(root, "add", ".")
    git(root, "commit", "-qm", "stack")
    return agents, root / "Pulumi.dev.yaml"


def label_of(agents: Path, stack: Path) -> str | None:
    return _update(1, INFO, deployment(recorded(agents, stack))).git_label()


def test_committed_specs_and_stack_file_are_one_commit(tmp_path: Path) -> None:
    agents, stack = project_repo(tmp_path / "r")
    head = git(agents, "rev-parse", "HEAD")
    assert recorded(agents, stack) == {
        "head": head,
        "dirty": False,
        "tracked": True,
        "stackFile": {"head": head, "dirty": False, "tracked": True},
    }
    assert label_of(agents, stack) == f"git {head[:8]}"


@pytest.mark.parametrize(
    ("change", "word"),
    [
        (
            lambda stack: stack.write_text(STACK + "  agentkube:overrides: {worker: {image: ghcr.io/acme/w:2}}\n"),
            "dirty",
        ),
        (lambda stack: stack.unlink(), "dirty"),  # HEAD's stack file is gone: Pulumi reads none
        (lambda stack: git(stack.parent, "rm", "-q", "--cached", stack.name), "untracked"),
    ],
    ids=["edited", "deleted", "untracked"],
)
def test_a_stack_file_that_is_not_heads_is_said_so_though_the_specs_are(
    tmp_path: Path, change: Callable[[Path], object], word: str
) -> None:
    agents, stack = project_repo(tmp_path / "r")
    head = git(agents, "rev-parse", "HEAD")
    change(stack)
    found = recorded(agents, stack)
    assert found is not None and (found["head"], found["dirty"], found["tracked"]) == (head, False, True)
    assert label_of(agents, stack) == f"git {head[:8]}, stack file {word}"


def test_an_untracked_stack_file_of_a_repository_of_specs_is_untracked(tmp_path: Path) -> None:
    agents = repo_with_specs(tmp_path / "r")  # the specs committed, the stack file never added
    (tmp_path / "r" / "Pulumi.dev.yaml").write_text(STACK)
    head = git(agents, "rev-parse", "HEAD")[:8]
    assert label_of(agents, tmp_path / "r" / "Pulumi.dev.yaml") == f"git {head}, stack file untracked"


def test_specs_and_stack_file_of_different_repositories_claim_no_one_commit(tmp_path: Path) -> None:
    agents = repo_with_specs(tmp_path / "specs")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.dev.yaml").write_text(STACK)
    specs_head = git(agents, "rev-parse", "HEAD")[:8]
    assert label_of(agents, project / "Pulumi.dev.yaml") == f"specs git {specs_head}, stack file untracked"  # in none
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-qm", "stack")
    stack_head = git(project, "rev-parse", "HEAD")[:8]
    assert label_of(agents, project / "Pulumi.dev.yaml") == f"specs git {specs_head}, stack file git {stack_head}"
    loose = tmp_path / "loose" / "agents"
    loose.mkdir(parents=True)
    (loose / "worker.yaml").write_text(SPEC)
    assert label_of(loose, project / "Pulumi.dev.yaml") == f"specs untracked, stack file git {stack_head}"


@pytest.mark.parametrize(
    ("sources_git", "label"),
    [
        (None, None),
        ({"head": "1234567890ab", "dirty": False, "tracked": True}, "git 12345678"),
        ({"head": "1234567890ab", "dirty": True, "tracked": True}, "git 12345678 dirty"),
        ({"head": "1234567890ab", "dirty": True, "tracked": False}, "git 12345678 untracked"),
    ],
)
def test_history_shows_the_specs_git_not_pulumis_checkout_head(sources_git: object, label: str | None) -> None:
    info = {**INFO, "environment": {"git.head": "ffffffffffffffff"}}  # pulumi's: the project's checkout
    update = _update(1, info, deployment(sources_git))
    assert update.git_label() == label
    text = _history_text("dev", [update])
    assert "ffffffff" not in text
    assert (label or "git ") in text if label else "git " not in text
    assert update.as_json()["sourcesGit"] == sources_git


def test_an_update_from_before_the_record_keeps_pulumis_label() -> None:
    old = {"resources": [{"type": "agentkube:index:Fleet", "outputs": {"record": {"agents": {}}}}]}
    update = _update(1, {**INFO, "environment": {"git.head": "abcdef0123456789"}}, old)
    assert update.git_label() == "git abcdef01"
    assert datetime.fromtimestamp(1764600000, UTC) == update.started
