"""Running the real `pulumi` CLI for the commands that deploy: promote, abort, rollback."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class EngineError(Exception):
    """The pulumi CLI is missing or failed."""


DEV_PASSPHRASE = "agentkube-dev"  # documented: the dev stack's secrets are examples, not secrets


def pulumi_env(project_dir: Path, stack: str | None = None) -> dict[str, str]:
    """The environment `pulumi` runs in: local backend in .pulumi/ unless the user chose one, no network;
    the documented passphrase for dev when the user gives none (other stacks need their own)."""
    env = dict(os.environ)
    if stack == "dev" and not (env.get("PULUMI_CONFIG_PASSPHRASE") or env.get("PULUMI_CONFIG_PASSPHRASE_FILE")):
        env["PULUMI_CONFIG_PASSPHRASE"] = DEV_PASSPHRASE
    env.setdefault("PULUMI_BACKEND_URL", (project_dir.resolve() / ".pulumi").as_uri())
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
    venv_bin = project_dir.resolve() / ".venv" / "bin"
    if venv_bin.is_dir():  # the language host runs the first python3 on PATH
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def pulumi_binary(env: dict[str, str]) -> str:
    found = shutil.which("pulumi", path=env.get("PATH"))
    if not found:
        raise EngineError("pulumi is not on PATH; run scripts/install-pulumi and add the directory it prints to PATH")
    return found


def run_pulumi(
    args: Sequence[str], project_dir: Path, capture: bool = False, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`pulumi ARGS` in the project; EngineError with its output when it fails."""
    stack = args[list(args).index("--stack") + 1] if "--stack" in args else None
    env = {**pulumi_env(project_dir, stack), **(extra_env or {})}
    result = subprocess.run(
        [pulumi_binary(env), *args], cwd=project_dir, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip() if capture else ""
        raise EngineError(
            f"pulumi {' '.join(args[:2])} failed (exit {result.returncode})" + (f":\n{detail}" if detail else "")
        )
    return result
