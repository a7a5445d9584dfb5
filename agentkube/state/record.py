"""The deployment record: the exact sources of an update, kept in the stack's state for rollback.

Agent spec files and the stack's config file are kept as text, so config secrets stay as the
ciphertext the stack file holds and a rollback rebuilds the update byte for byte.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

from ..fleet.loader import stack_agents_dir
from ..project import spec_files, spec_name, stack_file

# How `agentkube rollback` points the program at an earlier update's sources (docs/guides/operating-the-fleet.md):
# the program reads AGENTS_DIR_ENV only with ROLLBACK_ENV set; otherwise the stack's `agentkube:agentsDir`.
AGENTS_DIR_ENV = "AGENTKUBE_AGENTS_DIR"
STACK_CONFIG_ENV = "AGENTKUBE_STACK_CONFIG"
ROLLBACK_ENV = "AGENTKUBE_ROLLBACK_OF"


def capture(agents_dir: Path, stack_config: Path, rollback_of: str | None = None) -> dict[str, Any]:
    """The record of an update about to run from these files: every spec file the program reads
    (`project.spec_files`, subdirectories included), by its path within the agents directory."""
    agents = {spec_name(agents_dir, p): p.read_text(encoding="utf-8") for p in spec_files(agents_dir)}
    record: dict[str, Any] = {
        "agents": agents,
        "stackConfig": stack_config.read_text(encoding="utf-8") if stack_config.is_file() else "",
        "git": _git_head(agents_dir),
        "sourcesGit": sources_git(agents_dir, list(agents), stack_config),
    }
    if rollback_of:
        record["rollbackOf"] = rollback_of
    return record


def materialize(record: dict[str, Any], target: Path, stack: str) -> tuple[Path, Path]:
    """Write a record's files under `target`; returns (agents dir, stack config file)."""
    agents = target / "agents"
    agents.mkdir(parents=True, exist_ok=True)
    for name, text in record["agents"].items():
        path = agents / _inside(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = stack_file(target, stack)
    config.write_text(record["stackConfig"], encoding="utf-8")
    return agents, config


def differences(record: dict[str, Any], agents_dir: Path, stack_config: Path) -> list[Path]:
    """The files of a checkout that differ from a record's sources: a spec changed, missing or extra in
    `agents_dir`, and the stack file; sorted, as paths."""
    recorded = {_inside(name): text for name, text in record["agents"].items()}
    present = {Path(spec_name(agents_dir, p)): p for p in spec_files(agents_dir)} if agents_dir.is_dir() else {}
    out = [
        agents_dir / name
        for name in sorted(set(recorded) | set(present))
        if name not in present or name not in recorded or present[name].read_text(encoding="utf-8") != recorded[name]
    ]
    current = stack_config.read_text(encoding="utf-8") if stack_config.is_file() else ""
    return out + ([stack_config] if current != record["stackConfig"] else [])


def write_back(record: dict[str, Any], project_dir: Path, stack: str) -> list[Path]:
    """Make the checkout hold a record's sources: its stack file first, then its specs in the agents directory
    that stack file names (`agentkube:agentsDir`); spec files the record lacks are removed. The files changed."""
    config = stack_file(project_dir, stack)
    changed = (
        [config] if (config.read_text(encoding="utf-8") if config.is_file() else "") != record["stackConfig"] else []
    )
    config.write_text(record["stackConfig"], encoding="utf-8")
    agents = stack_agents_dir(project_dir, stack)
    changed += [p for p in differences(record, agents, config) if p != config]
    recorded = {_inside(name) for name in record["agents"]}
    for path in spec_files(agents) if agents.is_dir() else []:
        if Path(spec_name(agents, path)) not in recorded:
            path.unlink()
    for name, text in record["agents"].items():
        path = agents / _inside(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return changed


def _inside(name: str) -> Path:
    """A recorded spec name (`a.yaml`, `team/a.yaml`) as a path that stays inside the agents directory."""
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".", "..", "/")]
    return Path(*parts) if parts else Path("unnamed.yaml")


def sources_git(agents_dir: Path, names: list[str], stack_config: Path | None = None) -> dict[str, Any] | None:
    """The git state of the spec files `names` (within `agents_dir`): the HEAD of the repository that holds
    the directory, `dirty` when a spec differs from HEAD, `tracked` when git tracks every spec (an untracked
    or ignored one is not). The stack file holds settings and overrides, a source too: with `stack_config`, its
    own state is `stackFile` (when it exists or its HEAD has it). A source in no repository has head None and is
    not tracked; None when no source is in a repository."""
    specs = _file_state(agents_dir, names)
    stack = None
    if stack_config is not None:
        stack = _file_state(stack_config.parent, [stack_config.name])
        if not stack_config.is_file() and not (stack and stack["dirty"]):  # none here nor in HEAD: nothing to hold
            stack_config = None
    if specs is None and (stack is None or stack_config is None):
        return None
    out = specs or dict(UNTRACKED)
    if stack_config is not None:
        out["stackFile"] = stack or dict(UNTRACKED)
    return out


UNTRACKED: dict[str, Any] = {"head": None, "dirty": False, "tracked": False}  # a source in no repository


def _file_state(where: Path, names: list[str]) -> dict[str, Any] | None:
    """HEAD of the repository of `where`, whether the files `names` (relative to it) differ from it and whether
    git tracks them all; None outside a repository."""
    if not where.is_dir() or _git(where, "rev-parse", "--show-toplevel") is None:
        return None
    status = _git(where, "status", "--porcelain=v1", "--untracked-files=all", "--ignored", "--", *names) or ""
    codes = [line[:2] for line in status.splitlines() if line.strip()]
    return {
        "head": _git_head(where),
        "dirty": bool(codes),
        "tracked": not any(code in ("??", "!!") for code in codes),
    }


def _git(where: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=False, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def _git_head(where: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=False, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
