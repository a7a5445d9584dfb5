"""Rollback through stack history: redeploy an earlier update's exact sources as a new update, and say how the
checkout's sources compare (or write them back, so that the next `pulumi up` keeps the rollback)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..fleet.loader import display, stack_agents_dir
from ..project import stack_file
from ..state.record import AGENTS_DIR_ENV, ROLLBACK_ENV, STACK_CONFIG_ENV, differences, materialize, write_back
from .engine import preview, up
from .errors import EngineError
from .history import find
from .stack_target import StackTarget


def rollback(
    target: StackTarget,
    to: int,
    confirm: Callable[[str], bool],
    say: Callable[[str], None],
    write_sources: bool = False,
) -> bool:
    """Preview, ask `confirm`, then deploy update `to` again; False when the user declined (nothing changed).
    With `write_sources`, update `to`'s sources are then written into the checkout; without, the files that
    still differ from them are named, as the next `pulumi up` would deploy those."""
    target.ensure_deployable()
    project_dir, stack = target.project, target.stack
    found = find(project_dir, stack, to)
    if found.record is None:  # `find` returns only updates that carry a record
        raise EngineError(f"update {to} of stack {stack} has no agentkube record")
    with tempfile.TemporaryDirectory(prefix="agentkube-rollback-") as tmp:
        agents, config = materialize(found.record, Path(tmp), stack)
        env = {AGENTS_DIR_ENV: str(agents), STACK_CONFIG_ENV: str(config), ROLLBACK_ENV: str(to)}
        say(f"rolling back stack {stack} to update {to} ({found.message[:60]}); changes:")
        preview(project_dir, stack, config_file=config, **env)
        if not confirm(f"roll back {stack} to update {to}?"):
            say("rollback cancelled; nothing changed")
            return False
        up(project_dir, stack, f"agentkube rollback to update {to}", config_file=config, **env)
    say(closing(found.record, target, to, write_sources))
    return True


def closing(record: dict[str, object], target: StackTarget, to: int, write_sources: bool) -> str:
    """After the rollback's up: write update `to`'s sources back (`write_sources`), or say which files of the
    checkout the next `pulumi up` would deploy instead, and how to keep the rollback."""
    stack = target.stack
    if write_sources:
        written = write_back(record, target.project, stack)
        if not written:
            return f"rolled back to update {to}; the checkout already held its sources"
        return (
            f"rolled back to update {to} and wrote its sources to {', '.join(display(p) for p in written)}: "
            "review them with `git diff` and commit them to keep the rollback"
        )
    undo = unkept(record, target.project, stack, str(to))
    if undo is None:
        return f"rolled back to update {to}; the checkout's sources are update {to}'s, so the next `pulumi up` keeps it"
    return f"rolled back to update {to}, but {undo}"


def unkept(record: dict[str, Any], project_dir: Path, stack: str, to: str) -> str | None:
    """What the next `pulumi up` would undo of a rollback to update `to` that deployed `record`: the files of the
    checkout (the specs `pulumi up` reads, the stack file) that differ from its sources, and how to keep it; None
    when the checkout holds them."""
    differ = differences(record, stack_agents_dir(project_dir, stack), stack_file(project_dir, stack))
    if not differ:
        return None
    return (
        f"the checkout still differs from update {to}'s sources in {', '.join(display(p) for p in differ)}: the next "
        f"`pulumi up --stack {stack}` (also `pulumi up --refresh`) will redeploy them, undoing the rollback; to keep "
        f"it, write update {to}'s sources into the checkout with "
        f"`agentkube rollback --stack {stack} --to {to} --write-sources`"
    )
