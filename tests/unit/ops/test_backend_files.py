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
from agentkube.ops.backend.locks import ensure_unlocked, stack_locks
from agentkube.ops.backend.store import Directory
from agentkube.ops.errors import EngineError
from agentkube.ops.history import find, updates
from agentkube.ops.recovery import recover, repair_checkpoint
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
    owner = {"pid": pid, "username": "alice", "hostname": host, "timestamp": "2026-12-02T12:26:05.738403851Z"}
    path.write_text(json.dumps(owner))
    return path


def test_locks_of_dead_processes_are_stale_live_ones_run_and_other_hosts_are_elsewhere(project: Path) -> None:
    here = socket.gethostname()
    dead = 2**22 + 12345  # above the default pid_max: no such process
    for pid, host in ((dead, here), (os.getpid(), here), (1, "another-host")):
        lock(project, "dev", pid, host)
    found = {lock.pid: lock for lock in stack_locks(project, "dev")}
    assert {pid: lock.state for pid, lock in found.items()} == {
        dead: "stale",
        os.getpid(): "running",
        1: "elsewhere",
    }
    assert found[1].describe() == (
        "alice@another-host (pid 1) since 2026-12-02 12:26:05 UTC "
        "(on another machine: agentkube cannot see whether it still runs)"
    )


def test_an_update_is_refused_naming_who_holds_the_stack_and_since_when(project: Path) -> None:
    ensure_unlocked(project, "dev")  # nothing held: nothing said
    lock(project, "dev", 1, "build-7")
    with pytest.raises(EngineError, match=r"locked by alice@build-7 \(pid 1\) since 2026-12-02 12:26:05 UTC"):
        ensure_unlocked(project, "dev")


def test_recover_says_nothing_to_recover_when_nothing_is_locked(project: Path) -> None:
    assert recover(project, "dev") == "stack dev is not locked; nothing to recover"


def test_recover_refuses_a_running_update_and_another_machines_lock_unless_forced(project: Path) -> None:
    mine = lock(project, "dev", os.getpid(), socket.gethostname())
    with pytest.raises(EngineError, match="a running update on this machine"):
        recover(project, "dev")
    mine.unlink()
    theirs = lock(project, "dev", 1, "build-7")
    with pytest.raises(EngineError, match=r"alice@build-7 .* agentkube recover --stack dev --force"):
        recover(project, "dev")
    assert theirs.exists()  # refused: nothing changed


def test_half_written_checkpoint_is_restored_from_its_backup(project: Path) -> None:
    stacks = project / ".pulumi" / ".pulumi" / "stacks" / "fleet-x"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text('{"version": 3, "checkp')
    (stacks / "dev.json.bak").write_text('{"version": 3}')
    store = Directory((project / ".pulumi").as_uri())
    done = repair_checkpoint(store, "fleet-x", "dev")
    assert len(done) == 1 and done[0].startswith("restored dev.json from its backup")
    assert json.loads((stacks / "dev.json").read_text()) == {"version": 3}
    assert [p.name.split(".broken-")[0] for p in stacks.glob("*.broken-*")] == ["dev.json"]
    assert repair_checkpoint(store, "fleet-x", "dev") == []  # a second run finds nothing to mend


def test_half_written_metadata_beside_the_checkpoint_is_set_aside(project: Path) -> None:
    stacks = project / ".pulumi" / ".pulumi" / "stacks" / "fleet-x"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text('{"version": 3}')
    (stacks / "dev.json.attrs").write_text("")  # the kill landed after the data, before its metadata
    store = Directory((project / ".pulumi").as_uri())
    assert repair_checkpoint(store, "fleet-x", "dev") == ["set aside the half-written dev.json.attrs"]
    assert not (stacks / "dev.json.attrs").exists() and len(list(stacks.glob("dev.json.attrs.broken-*"))) == 1
    assert json.loads((stacks / "dev.json").read_text()) == {"version": 3}


def test_doctor_names_a_missing_pulumi_and_its_fix(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(project))  # nothing on PATH
    found = {c.name: c for c in doctor.checks(project, StackTarget(project, project / "agents", "dev"))}
    assert not found["pulumi CLI"].ok and "scripts/install-pulumi" in found["pulumi CLI"].fix
    assert found["backend"].value == (project / ".pulumi").as_uri() and found["backend"].ok
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
