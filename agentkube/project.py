"""The one home of what agentkube shares with Pulumi: project and stack files, the spec files, the
secret-entry rule, the component type tokens and output keys, and the environment for running
pulumi offline on the local backend.

`python -m agentkube.project env STACK` prints that environment as shell `export` lines, for scripts.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import yaml

PROJECT_FILE = "Pulumi.yaml"
CONFIG_NAMESPACE = "agentkube"
SPEC_PATTERNS = ("*.yaml", "*.yml")
STATE_DIR = ".pulumi"  # the local file backend, inside the project (ignored by git)
WORK_DIR = ".agentkube"  # the local cluster's kubeconfig, logs and data, inside the project (ignored by git)
LOCAL_CLUSTER = "agentkube"  # name of the local control plane (one per project directory)
DEV_STACK = "dev"
DEV_PASSPHRASE = "agentkube-dev"  # documented: the dev stack's secrets are examples, not secrets

# Pulumi component type tokens and the outputs the history reads back from state.
FLEET_TYPE = "agentkube:index:Fleet"
LAYER_TYPE = "agentkube:index:Layer"
AGENT_TYPE = "agentkube:index:Agent"
RECORD_OUTPUT = "record"  # the Fleet's output holding the update's sources (see fleet.record)


class AgentOutputs(TypedDict):
    """What an Agent component registers; `agentkube history` reads it back from state."""

    name: str
    namespace: str
    version: str
    image: str
    spec_hash: str
    url: str | None
    tracks: list[dict[str, Any]]


# How `agentkube rollback` points the program at an earlier update's sources.
AGENTS_DIR_ENV = "AGENTKUBE_AGENTS_DIR"
STACK_CONFIG_ENV = "AGENTKUBE_STACK_CONFIG"
ROLLBACK_ENV = "AGENTKUBE_ROLLBACK_OF"


@cache
def project_name(project_dir: Path = Path(".")) -> str:
    """The project's name as `Pulumi.yaml` states it."""
    try:
        doc = yaml.safe_load((project_dir / PROJECT_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return CONFIG_NAMESPACE
    name = doc.get("name") if isinstance(doc, dict) else None
    return name if isinstance(name, str) and name else CONFIG_NAMESPACE


def local_kubeconfig(project_dir: Path) -> Path:
    """The kubeconfig of the project's local cluster (`agentkube cluster up` writes it)."""
    return project_dir.resolve() / WORK_DIR / "kubeconfig"


def stack_file(project_dir: Path, stack: str) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def stack_names(project_dir: Path) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` in the project."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def spec_files(agents_dir: Path) -> list[Path]:
    """The agent spec files of a directory, in a stable order."""
    return sorted(p for pattern in SPEC_PATTERNS for p in agents_dir.glob(pattern))


def config_key(name: str) -> str:
    """`searchApiKey` -> `agentkube:searchApiKey`."""
    return f"{CONFIG_NAMESPACE}:{name}"


def is_secret_entry(value: Any) -> bool:
    """A stack-file config value that Pulumi encrypted (`pulumi config set --secret`)."""
    return isinstance(value, Mapping) and set(value) == {"secure"}


def secret_names(config: Mapping[str, Any]) -> frozenset[str]:
    """Names (without `agentkube:`) of the stack file's secret entries in our namespace."""
    prefix = config_key("")
    return frozenset(k[len(prefix) :] for k, v in config.items() if k.startswith(prefix) and is_secret_entry(v))


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
    env.setdefault("PULUMI_BACKEND_URL", (project / STATE_DIR).as_uri())
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
    venv_bin = project / ".venv" / "bin"
    if venv_bin.is_dir() and str(venv_bin) not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def _main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] != "env":
        print("usage: python -m agentkube.project env [STACK]", file=sys.stderr)
        return 2
    before = dict(os.environ)
    for key, value in sorted(pulumi_env(Path("."), argv[1] if len(argv) == 2 else None).items()):
        if before.get(key) != value:
            print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
