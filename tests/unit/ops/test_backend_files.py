"""history, record, recovery and doctor over a temporary local-backend layout: no Pulumi engine."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from agentkube.ops import doctor
from agentkube.ops.engine import EngineError
from agentkube.ops.history import find, updates
from agentkube.ops.recovery import repair_checkpoint, stale_locks
from agentkube.ops.stack_target import StackTarget
from agentkube.project import project_name
from agentkube.state.record import capture, materialize
from agentkube.state.tokens import AGENT_TYPE, FLEET_TYPE
from tests.helpers import ROOT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project named `fleet-x` (not the default) whose state lives in its own `.pulumi/`."""
    for key in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "Pulumi.yaml").write_text("name: fleet-x\nruntime: python\n")
    shutil.copytree(ROOT / "agents", tmp_path / "agents")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path)
    return tmp_path


def write_update(project: Path, stack: str, finished_ns: int, result: str, agents: dict[str, str], record: Any) -> None:
    history = project / ".pulumi" / ".pulumi" / "history" / "fleet-x" / stack
    history.mkdir(parents=True, exist_ok=True)
    info = {"kind": "update", "startTime": 1_700_000_000 + finished_ns, "result": result, "message": f"m{finished_ns}"}
    (history / f"{stack}-{finished_ns}.history.json").write_text(json.dumps(info))
    resources = [
        {"type": AGENT_TYPE, "outputs": {"name": name, "version": version, "spec_hash": f"h-{name}"}}
        for name, version in agents.items()
    ]
    resources.append({"type": FLEET_TYPE, "outputs": {"record": record}})
    checkpoint = {"checkpoint": {"latest": {"resources": resources}}}
    (history / f"{stack}-{finished_ns}.checkpoint.json").write_text(json.dumps(checkpoint))


def test_project_name_comes_from_pulumi_yaml(project: Path) -> None:
    assert project_name(project) == "fleet-x"


def test_history_numbers_updates_in_the_order_they_finished(project: Path) -> None:
    write_update(project, "dev", 20, "failed", {"a": "2.0"}, None)
    write_update(project, "dev", 10, "succeeded", {"a": "1.0", "b": "1.0"}, {"agents": {}, "stackConfig": ""})
    found = updates(project, "dev")
    assert [(u.number, u.result, u.message) for u in found] == [(1, "succeeded", "m10"), (2, "failed", "m20")]
    assert found[0].agents == {"a": {"version": "1.0", "specHash": "h-a"}, "b": {"version": "1.0", "specHash": "h-b"}}
    assert found[0].as_json()["agents"]["a"]["version"] == "1.0"


def test_find_refuses_unknown_and_failed_updates(project: Path) -> None:
    write_update(project, "dev", 10, "succeeded", {"a": "1.0"}, {"agents": {}, "stackConfig": ""})
    write_update(project, "dev", 20, "failed", {"a": "2.0"}, None)
    assert find(project, "dev", 1).number == 1
    with pytest.raises(EngineError, match=r"has no update 7 \(updates: 1\.\.2\)"):
        find(project, "dev", 7)
    with pytest.raises(EngineError, match="it failed; pick a succeeded update"):
        find(project, "dev", 2)


def test_record_round_trips_the_sources(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    record = capture(project / "agents", project / "Pulumi.dev.yaml", rollback_of="3")
    assert record["rollbackOf"] == "3" and set(record["agents"]) == {p.name for p in (project / "agents").iterdir()}
    target = tmp_path_factory.mktemp("restored")
    agents, config = materialize(record, target, "dev")
    assert config.read_text() == (project / "Pulumi.dev.yaml").read_text()
    for name, text in record["agents"].items():
        assert (agents / name).read_text() == text


def lock(project: Path, stack: str, pid: int, host: str) -> Path:
    path = project / ".pulumi" / ".pulumi" / "locks" / "organization" / "fleet-x" / stack / f"{pid}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "hostname": host}))
    return path


def test_locks_of_dead_processes_are_stale_and_live_ones_are_not(project: Path) -> None:
    here = socket.gethostname()
    dead = lock(project, "dev", 2**22 + 12345, here)  # above the default pid_max: no such process
    lock(project, "dev", os.getpid(), here)
    lock(project, "dev", 1, "another-host")
    stale, live = stale_locks(project, "dev")
    assert stale == [dead]
    assert sorted(live) == [
        "pid 1 on another-host (another machine: check it yourself)",
        f"pid {os.getpid()} on {here}",
    ]


def test_half_written_checkpoint_is_restored_from_its_backup(project: Path) -> None:
    stacks = project / ".pulumi" / ".pulumi" / "stacks" / "fleet-x"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text('{"version": 3, "checkp')
    (stacks / "dev.json.bak").write_text('{"version": 3}')
    done = repair_checkpoint(project, "dev")
    assert done == ["restored dev.json from its backup (the broken one is kept beside it)"]
    assert json.loads((stacks / "dev.json").read_text()) == {"version": 3}
    assert [p.name.split(".broken-")[0] for p in stacks.glob("*.broken-*")] == ["dev.json"]
    assert repair_checkpoint(project, "dev") == []  # a second run finds nothing to mend


def test_doctor_names_a_missing_pulumi_and_its_fix(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(project))  # nothing on PATH
    found = {c.name: c for c in doctor.checks(project, StackTarget(project, project / "agents", "dev"))}
    assert not found["pulumi CLI"].ok and "scripts/install-pulumi" in found["pulumi CLI"].fix
    assert found["backend"].value == (project / ".pulumi").as_uri()
    assert found["secrets passphrase"].ok  # dev's documented passphrase
    local = found["stack dev"]  # dev deploys to the project's local cluster, which this copy never started
    assert (local.value, local.ok, local.fix) == (
        "local cluster, not running",
        False,
        "agentkube cluster up (scripts/up does)",
    )


def test_doctor_reports_a_broken_stack_file_without_a_traceback(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text("config:\n  agentkube:replicaz: 3\n")
    found = {c.name: c for c in doctor.checks(project, StackTarget(project, project / "agents", "dev"))}
    assert not found["stack dev"].ok and "unknown setting 'replicaz'" in found["stack dev"].value
