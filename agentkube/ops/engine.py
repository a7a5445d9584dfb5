"""Driving the real `pulumi` CLI: through `pulumi.automation` where it has the verb, raw only where not."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from .backend.locks import ensure_unlocked
from .environment import pulumi_env
from .errors import EngineError

if TYPE_CHECKING:
    from pulumi import automation


def pulumi_binary(env: dict[str, str]) -> str:
    found = shutil.which("pulumi", path=env.get("PATH"))
    if not found:
        raise EngineError("pulumi is not on PATH; run scripts/install-pulumi and add the directory it prints to PATH")
    return found


def workspace(project_dir: Path, stack_name: str | None = None, **extra: str) -> automation.LocalWorkspace:
    """The project as an Automation API workspace, in the environment of `environment.pulumi_env` plus `extra`."""
    # imported here: it costs about a second, and validate/render/plan never deploy
    from pulumi import automation

    env = {**pulumi_env(project_dir, stack_name), **extra}
    pulumi_binary(env)
    try:
        return automation.LocalWorkspace(
            work_dir=str(project_dir.resolve()),
            env_vars=env,
            pulumi_command=automation.PulumiCommand(skip_version_check=True),
        )
    except (OSError, automation.errors.CommandError) as err:
        raise EngineError(f"pulumi cannot run: {_reason(err)}") from None


def stack(project_dir: Path, name: str, **extra: str) -> automation.Stack:
    """The project's stack `name` on its backend; `extra` environment for the program (rollback sources)."""
    selected: automation.Stack = _engine(
        name, lambda automation: automation.Stack.select(name, workspace(project_dir, name, **extra))
    )
    return selected


def up(project_dir: Path, name: str, message: str, config_file: Path | None = None, **extra: str) -> None:
    """`pulumi up` of a stack with its output shown as it comes; EngineError when it fails, or at once, naming
    the holder, when another update holds the stack."""
    ensure_unlocked(project_dir, name)
    selected = stack(project_dir, name, **extra)
    _engine(name, lambda _: selected.up(message=message, on_output=_show, config_file=_str(config_file)))


def preview(project_dir: Path, name: str, config_file: Path | None = None, **extra: str) -> None:
    """`pulumi preview --diff` of a stack, shown as it comes."""
    selected = stack(project_dir, name, **extra)
    _engine(name, lambda _: selected.preview(diff=True, on_output=_show, config_file=_str(config_file)))


def cancel(project_dir: Path, name: str) -> None:
    """Release the stack's lock (`pulumi cancel`)."""
    selected = stack(project_dir, name)
    _engine(name, lambda _: selected.cancel())


def run_pulumi(
    args: Sequence[str], project_dir: Path, stack_name: str | None = None, env: dict[str, str] | None = None
) -> str:
    """`pulumi ARGS` in the project (in `env`, default `pulumi_env`), its stdout returned; for verbs the
    Automation API lacks."""
    env = env or pulumi_env(project_dir, stack_name)
    result = subprocess.run(
        [pulumi_binary(env), *args], cwd=project_dir, env=env, text=True, capture_output=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()
        raise EngineError(
            f"pulumi {' '.join(args[:2])} failed (exit {result.returncode})" + (f":\n{detail}" if detail else "")
        )
    return result.stdout


T = TypeVar("T")


def _engine(name: str, action: Callable[[ModuleType], T]) -> T:
    """Run an Automation API call; its failures become EngineError with pulumi's own last lines."""
    from pulumi import automation

    try:
        return action(automation)
    except automation.errors.CommandError as err:
        raise EngineError(f"pulumi failed on stack {name}: {_reason(err)}") from None


def _reason(err: Exception) -> str:
    stderr = getattr(err, "stderr", "") or ""
    lines = [line for line in str(stderr).splitlines() if line.strip()]
    return "\n".join(lines[-12:]) if lines else str(err)


def _show(line: str) -> None:
    print(line, file=sys.stderr)


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None
