"""The environment `pulumi` runs in: offline, on the project's local backend unless the user chose one
(`PULUMI_BACKEND_URL`, or `backend.url` in Pulumi.yaml).

`python -m agentkube.ops env STACK` prints it as shell `export` lines, for scripts.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import yaml

from ..project import PROJECT_FILE, STATE_DIR

DEV_STACK = "dev"
DEV_PASSPHRASE = "agentkube-dev"  # documented: the dev stack's secrets are examples, not secrets


def pulumi_env(
    project_dir: Path, stack: str | None = None, tools: str | None = None, own_backend: bool = False
) -> dict[str, str]:
    """The environment `pulumi` runs in: the local backend in `.pulumi/` unless the user chose one, no
    update checks or plugin downloads, the documented passphrase for dev when none is given (other
    stacks need their own), and the project's virtualenv first on PATH (the language host runs the
    first python3 there), after the `tools` directory if given.

    `own_backend` ignores a backend and passphrase of the caller's (tests and benchmarks on a copy).
    """
    env = dict(os.environ)
    if own_backend:
        for key in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
            env.pop(key, None)
    if tools:
        env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
    project = project_dir.resolve()
    if stack == DEV_STACK and not (env.get("PULUMI_CONFIG_PASSPHRASE") or env.get("PULUMI_CONFIG_PASSPHRASE_FILE")):
        env["PULUMI_CONFIG_PASSPHRASE"] = DEV_PASSPHRASE
    env.setdefault("PULUMI_BACKEND_URL", project_backend(project) or (project / STATE_DIR).as_uri())
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
    venv_bin = project / ".venv" / "bin"
    if venv_bin.is_dir() and str(venv_bin) not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def project_backend(project_dir: Path) -> str | None:
    """The `backend.url` a team committed in Pulumi.yaml, if any (PULUMI_BACKEND_URL still wins, as for pulumi)."""
    try:
        doc = yaml.safe_load((project_dir / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    url = (doc.get("backend") or {}).get("url") if isinstance(doc, dict) else None
    return str(url) if url else None


def main(argv: list[str]) -> int:
    """`env [STACK]`: the `export` lines that turn the caller's environment into `pulumi_env`."""
    if len(argv) not in (1, 2) or argv[0] != "env":
        print("usage: python -m agentkube.ops env [STACK]", file=sys.stderr)
        return 2
    before = dict(os.environ)
    for key, value in sorted(pulumi_env(Path("."), argv[1] if len(argv) == 2 else None).items()):
        if before.get(key) != value:
            print(f"export {key}={shlex.quote(value)}")
    return 0
