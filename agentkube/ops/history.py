"""Stack history as the versioned deployment record, on every backend: list updates, find the sources of one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from ..fleet.loader import read_stack
from ..project import project_name
from ..state.tokens import AGENT_TYPE, FLEET_TYPE, RECORD_OUTPUT, AgentOutputs
from . import engine
from .backend.keys import CHECKPOINT_SUFFIX, HISTORY_SUFFIX, decode, finished_ns, history_prefix, plain
from .backend.store import Store, project_store
from .errors import EngineError


@dataclass(frozen=True)
class Update:
    """One entry of a stack's history, numbered from 1 in the order they ran."""

    number: int
    kind: str
    started: datetime
    result: str
    message: str
    git: str | None  # HEAD of the repository of the update's specs (`sources_git`), if they were in one
    agents: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> version, specHash
    record: dict[str, Any] | None = None
    sources_git: dict[str, Any] | None = None  # the specs' repository: head, dirty, tracked; stackFile alike

    def git_label(self) -> str | None:
        """`git 1a2b3c4d`, with `dirty` or `untracked` when the specs were not HEAD's and `, stack file dirty` (or
        `untracked`) when the stack file was not; `specs git A, stack file git B` when no one commit holds them
        both; None outside a repository."""
        if self.sources_git is None:
            return f"git {self.git[:8]}" if self.git else None
        specs, stack = self.sources_git, self.sources_git.get("stackFile")
        if not isinstance(stack, dict):  # recorded without the stack file's state, or there was none
            return _git_part(specs)
        if specs.get("head") and stack.get("head") == specs.get("head"):  # one commit may hold both
            state = _git_state(stack)
            return _git_part(specs) + (f", stack file {state}" if state else "")
        return f"specs {_git_part(specs)}, stack file {_git_part(stack)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "time": self.started.isoformat(),
            "result": self.result,
            "message": self.message,
            "git": self.git,
            "sourcesGit": self.sources_git,
            "agents": self.agents,
            "rollbackOf": (self.record or {}).get("rollbackOf"),
        }


def _git_part(state: Mapping[str, Any]) -> str:
    """One source's git state: `git 1a2b3c4d`, with ` dirty` or ` untracked`; `untracked` in no repository."""
    if not state.get("head") and not state.get("tracked", True):
        return "untracked"
    head = (state.get("head") or "no-commit")[:8]
    return f"git {head}" + (f" {word}" if (word := _git_state(state)) else "")


def _git_state(state: Mapping[str, Any]) -> str:
    """`untracked` when git does not track a file of the source, `dirty` when one differs from HEAD, else ''."""
    if not state.get("tracked", True):
        return "untracked"
    return "dirty" if state.get("dirty") else ""


def updates(project_dir: Path, stack: str) -> list[Update]:
    """The stack's updates, read the same way from every self-managed backend (its history blobs), or
    through `pulumi stack export --version` on Pulumi Cloud."""
    read_stack(project_dir, stack)  # a stack without its file, or with a broken one, fails as validate does
    store = project_store(project_dir, stack)
    if store is None:
        return _cloud_updates(project_dir, stack)
    return stored_updates(store, project_name(project_dir), stack)


def stored_updates(store: Store, project: str, stack: str) -> list[Update]:
    """Numbered from 1 in the order they finished (the nanoseconds in their keys), on every DIY scheme."""
    blobs = [b.key for b in store.list(history_prefix(project, stack))]
    infos = sorted((k for k in blobs if plain(k).endswith(HISTORY_SUFFIX)), key=finished_ns)
    by_plain = {plain(k): k for k in blobs if plain(k).endswith(CHECKPOINT_SUFFIX)}
    checkpoints = [by_plain.get(plain(k).replace(HISTORY_SUFFIX, CHECKPOINT_SUFFIX)) for k in infos]
    data = store.read([*infos, *(k for k in checkpoints if k)])
    out = []
    for number, (info, checkpoint) in enumerate(zip(infos, checkpoints, strict=True), start=1):
        deployment = decode(checkpoint, data[checkpoint])["checkpoint"].get("latest") if checkpoint else None
        out.append(_update(number, decode(info, data[info]), deployment))
    return out


def _cloud_updates(project_dir: Path, name: str) -> list[Update]:
    out = []
    for info in sorted(engine.stack(project_dir, name).history(show_secrets=False), key=lambda i: i.version or 0):
        number = info.version or 0
        # the Automation API exports only the latest state; `--version` is the CLI's alone
        exported = engine.run_pulumi(["stack", "export", "--version", str(number), "--stack", name], project_dir, name)
        summary = {
            "kind": info.kind,
            "startTime": info.start_time.isoformat(),
            "result": info.result,
            "message": info.message,
            "environment": dict(info.environment or {}),
        }
        out.append(_update(number, summary, json.loads(exported).get("deployment")))
    return out


def _update(number: int, info: dict[str, Any], deployment: dict[str, Any] | None) -> Update:
    started = info.get("startTime", 0)
    when = (
        datetime.fromtimestamp(started, UTC)
        if isinstance(started, (int, float))
        else datetime.fromisoformat(str(started).replace("Z", "+00:00"))
    )
    agents: dict[str, dict[str, str]] = {}
    for resource in (deployment or {}).get("resources") or []:
        if resource.get("type") == AGENT_TYPE:
            agent = cast(AgentOutputs, resource.get("outputs") or {})
            agents[agent.get("name", "?")] = {
                "version": agent.get("version", "?"),
                "specHash": agent.get("spec_hash", "?"),
            }
    record = record_of(deployment or {})
    if record is not None and "sourcesGit" in record:  # the specs' own repository, as the program found it
        sources = record["sourcesGit"]
        git = sources.get("head") if isinstance(sources, dict) else None
    else:  # an update from before agentkube recorded it: pulumi's label (the project's checkout)
        sources, git = None, (info.get("environment") or {}).get("git.head")
    return Update(
        number,
        info.get("kind", "update"),
        when,
        info.get("result", "?"),
        info.get("message", ""),
        git,
        dict(sorted(agents.items())),
        record,
        sources if isinstance(sources, dict) else None,
    )


def record_of(deployment: Mapping[str, Any]) -> dict[str, Any] | None:
    """The agentkube record (the update's exact sources) in an exported deployment, if any."""
    for resource in deployment.get("resources") or []:
        if resource.get("type") == FLEET_TYPE and (outputs := resource.get("outputs") or {}).get(RECORD_OUTPUT):
            return cast(dict[str, Any], outputs[RECORD_OUTPUT])
    return None


def find(project_dir: Path, stack: str, number: int) -> Update:
    """Update `number`, if it can be redeployed; EngineError saying why not."""
    known = updates(project_dir, stack)
    match = next((u for u in known if u.number == number), None)
    if match is None:
        span = f"1..{len(known)}" if known else "none yet"
        raise EngineError(
            f"stack {stack} has no update {number} (updates: {span}); see `agentkube history --stack {stack}`"
        )
    if match.result != "succeeded" or match.record is None:
        why = f"it {match.result}" if match.result != "succeeded" else "it has no agentkube record"
        raise EngineError(f"update {number} of stack {stack} cannot be redeployed: {why}; pick a succeeded update")
    return match
