"""Rollback through stack history: redeploy an earlier update's exact sources as a new update."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from ..state.record import AGENTS_DIR_ENV, ROLLBACK_ENV, STACK_CONFIG_ENV, materialize
from .engine import preview, up
from .errors import EngineError
from .history import find


def rollback(
    project_dir: Path, stack: str, to: int, confirm: Callable[[str], bool], say: Callable[[str], None]
) -> bool:
    """Preview, ask `confirm`, then deploy update `to` again; False when the user declined (nothing changed)."""
    target = find(project_dir, stack, to)
    if target.record is None:  # `find` returns only updates that carry a record
        raise EngineError(f"update {to} of stack {stack} has no agentkube record")
    with tempfile.TemporaryDirectory(prefix="agentkube-rollback-") as tmp:
        agents, config = materialize(target.record, Path(tmp), stack)
        env = {AGENTS_DIR_ENV: str(agents), STACK_CONFIG_ENV: str(config), ROLLBACK_ENV: str(to)}
        say(f"rolling back stack {stack} to update {to} ({target.message[:60]}); changes:")
        preview(project_dir, stack, config_file=config, **env)
        if not confirm(f"roll back {stack} to update {to}?"):
            say("rollback cancelled; nothing changed")
            return False
        up(project_dir, stack, f"agentkube rollback to update {to}", config_file=config, **env)
    return True
