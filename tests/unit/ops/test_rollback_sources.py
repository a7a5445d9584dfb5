"""After `rollback --to N` the checkout's sources and the next `pulumi up` agree with what runs: either
`--write-sources` writes update N's sources back (reviewable in git), or the rollback names every file that
still differs and says the next `up` would redeploy it. A fake record, no engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentkube.ops import rollback as rollback_module
from agentkube.ops.history import Update
from agentkube.ops.stack_target import StackTarget
from agentkube.spec.problems import SpecError
from agentkube.state.record import differences
from tests.helpers import RunLine

OLD = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\n"
NEW = "name: worker\nimage: ghcr.io/acme/worker:2.0.0\n"
INDEXER = "name: indexer\nimage: ghcr.io/acme/indexer:1.0.0\n"
OLD_STACK = "config:\n  agentkube:environment: dev\n"
NEW_STACK = (
    "config:\n  agentkube:environment: dev\n  agentkube:overrides:\n    worker: {image: ghcr.io/acme/worker:2.1.0}\n"
)
RECORD = {"agents": {"worker.yaml": OLD, "team/indexer.yaml": INDEXER}, "stackConfig": OLD_STACK, "git": None}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "worker.yaml").write_text(NEW)
    (tmp_path / "agents" / "extra.yaml").write_text("name: extra\nimage: ghcr.io/acme/extra:1.0.0\n")
    (tmp_path / "Pulumi.yaml").write_text("name: agentkube\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(NEW_STACK)
    update = Update(1, "update", datetime.now(UTC), "succeeded", "first", None, {}, dict(RECORD))
    monkeypatch.setattr(rollback_module, "find", lambda project, stack, number: update)
    monkeypatch.setattr(rollback_module, "preview", lambda *args, **kwargs: None)
    monkeypatch.setattr(rollback_module, "up", lambda *args, **kwargs: None)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def checkout(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}


def run(project: Path, write_sources: bool, answer: bool = True) -> list[str]:
    said: list[str] = []
    target = StackTarget(project, project / "agents", "dev")
    rollback_module.rollback(target, 1, lambda question: answer, said.append, write_sources=write_sources)
    return said


def test_without_write_sources_it_names_what_the_next_up_would_redeploy(project: Path) -> None:
    before = checkout(project)
    last = run(project, write_sources=False)[-1]
    assert checkout(project) == before  # nothing in the checkout changed
    for name in ("agents/worker.yaml", "agents/extra.yaml", "agents/team/indexer.yaml", "Pulumi.dev.yaml"):
        assert name in last, last
    assert "the next `pulumi up --stack dev`" in last and "will redeploy them" in last
    assert "agentkube rollback --stack dev --to 1 --write-sources" in last


def test_write_sources_makes_the_checkout_hold_update_ns_sources(project: Path) -> None:
    last = run(project, write_sources=True)[-1]
    assert (project / "agents" / "worker.yaml").read_text() == OLD
    assert (project / "agents" / "team" / "indexer.yaml").read_text() == INDEXER
    assert not (project / "agents" / "extra.yaml").exists()  # the next up would deploy it: gone
    assert (project / "Pulumi.dev.yaml").read_text() == OLD_STACK
    assert differences(RECORD, project / "agents", project / "Pulumi.dev.yaml") == []
    assert "wrote its sources" in last and "git diff" in last and "Pulumi.dev.yaml" in last
    assert run(project, write_sources=False)[-1].endswith("so the next `pulumi up` keeps it")


def test_a_declined_rollback_writes_nothing(project: Path) -> None:
    before = checkout(project)
    assert run(project, write_sources=True, answer=False)[-1] == "rollback cancelled; nothing changed"
    assert checkout(project) == before


def test_rollback_refuses_an_agents_dir_the_program_does_not_read(project: Path) -> None:
    before = checkout(project)
    target = StackTarget(project, project / "elsewhere", "dev")
    with pytest.raises(SpecError, match="agentkube:agentsDir"):
        rollback_module.rollback(target, 1, lambda q: True, print, write_sources=True)
    assert checkout(project) == before


def test_the_command_takes_write_sources(project: Path, run_line: RunLine) -> None:
    ran = run_line(["agentkube", "rollback", "--stack", "dev", "--to", "1", "--yes", "--write-sources"])
    assert ran.code == 0, ran.err
    assert (project / "agents" / "worker.yaml").read_text() == OLD
    assert "--write-sources" in run_line(["agentkube", "rollback", "--help"]).out
