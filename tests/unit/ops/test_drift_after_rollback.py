"""`drift` after `rollback --to N` without `--write-sources`: the last update's record (marked `rollbackOf`) holds
update N's sources and the checkout does not, so `pulumi up --refresh` would undo the rollback. drift names the files
that differ (`state.record.differences`, as `rollback` does), says the next `up` redeploys them and how to keep the
rollback. Stored records and a faked cluster: no engine, no API server."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agentkube.core.build import object_key
from agentkube.fleet.loader import display
from agentkube.ops import drift as drift_module
from agentkube.state.tokens import FLEET_TYPE
from tests.helpers import RunLine

OLD = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\n"
NEW = "name: worker\nimage: ghcr.io/acme/worker:2.0.0\n"
STACK = "config:\n  agentkube:environment: dev\n"
NEW_STACK = STACK + "  agentkube:overrides:\n    worker: {image: ghcr.io/acme/worker:2.1.0}\n"
KEEP = "`agentkube rollback --stack dev --to 1 --write-sources`"


def record(rollback_of: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"agents": {"worker.yaml": OLD}, "stackConfig": STACK, "git": None}
    if rollback_of:
        out["rollbackOf"] = rollback_of  # as the program records it when `agentkube rollback` runs it
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "worker.yaml").write_text(NEW)
    (tmp_path / "Pulumi.yaml").write_text("name: agentkube\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(NEW_STACK)
    return tmp_path


def stored(monkeypatch: pytest.MonkeyPatch, last: dict[str, Any], drifted: bool = False) -> None:
    """The stack's last update keeps `last`; the cluster holds what it declared (its image changed if `drifted`)."""
    deployment = {"resources": [{"type": FLEET_TYPE, "outputs": {"record": last}}]}
    exported = SimpleNamespace(export_stack=lambda: SimpleNamespace(deployment=deployment))
    monkeypatch.setattr(drift_module.engine, "stack", lambda project, stack: exported)
    monkeypatch.setattr(drift_module, "cluster_of", lambda project, settings, stack: None)

    def live(cluster: object, declared: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        objects = {object_key(o): copy.deepcopy(o) for o in declared}
        if drifted:
            worker = next(o for o in objects.values() if o["kind"] == "Deployment")
            worker["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/acme/worker:9"
        return objects

    monkeypatch.setattr(drift_module, "live_objects", live)


def test_after_a_rollback_drift_names_the_files_the_next_up_would_redeploy(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(monkeypatch, record("1"))
    found = drift_module.drift(project, "dev")
    assert found.changes == [] and found.rolled_back_to == "1"
    files = f"{display(project / 'agents' / 'worker.yaml')}, {display(project / 'Pulumi.dev.yaml')}"
    assert found.unkept == (
        f"the checkout still differs from update 1's sources in {files}: the next `pulumi up --stack dev` (also "
        f"`pulumi up --refresh`) will redeploy them, undoing the rollback; to keep it, write update 1's sources into "
        f"the checkout with {KEEP}"
    )


def test_drift_says_so_and_keeps_the_rollback_before_any_refresh(
    project: Path, monkeypatch: pytest.MonkeyPatch, run_line: RunLine
) -> None:
    stored(monkeypatch, record("1"), drifted=True)
    ran = run_line(["agentkube", "drift", "--stack", "dev", "--project", str(project)])
    assert ran.code == 1
    assert "note: the last update of stack dev rolled back to update 1, and the checkout still differs" in ran.err
    assert "worker.yaml" in ran.err and "Pulumi.dev.yaml" in ran.err and KEEP in ran.err
    assert ran.out.strip().splitlines()[-1] == (
        "1 change(s) behind Pulumi's back; `pulumi up --refresh` would also undo the rollback to update 1 (see the "
        f"note): keep it with {KEEP}, then restore the declared state with: pulumi up --refresh --stack dev"
    )
    quiet = run_line(["agentkube", "drift", "--stack", "dev", "--project", str(project), "--output", "json"])
    assert quiet.out.startswith("[") and KEEP in quiet.err  # JSON stays the list of changes; the note on stderr


def test_no_note_when_the_checkout_holds_the_rollbacks_sources(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "agents" / "worker.yaml").write_text(OLD)
    (project / "Pulumi.dev.yaml").write_text(STACK)
    stored(monkeypatch, record("1"), drifted=True)
    found = drift_module.drift(project, "dev")
    assert (found.rolled_back_to, found.unkept) == (None, None) and len(found.changes) == 1


def test_no_note_after_an_ordinary_update(project: Path, monkeypatch: pytest.MonkeyPatch, run_line: RunLine) -> None:
    stored(monkeypatch, record(None), drifted=True)  # the checkout moved on: that is the next update, not an undo
    found = drift_module.drift(project, "dev")
    assert (found.rolled_back_to, found.unkept) == (None, None)
    ran = run_line(["agentkube", "drift", "--stack", "dev", "--project", str(project)])
    assert ran.err == ""
    assert ran.out.strip().splitlines()[-1] == (
        "1 change(s) behind Pulumi's back; restore the declared state with: pulumi up --refresh --stack dev"
    )
