"""The project's files: where they are (project and stack files, spec files, the local state and work
directories), the config keys, and the rule for a stack file's secret entries.

What Pulumi state holds is `agentkube.state`'s; the environment pulumi runs in is `agentkube.ops.environment`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = "Pulumi.yaml"
CONFIG_NAMESPACE = "agentkube"
SPEC_PATTERNS = ("*.yaml", "*.yml")
STATE_DIR = ".pulumi"  # the local file backend, inside the project (ignored by git)
WORK_DIR = ".agentkube"  # the local cluster's kubeconfig, logs and data, inside the project (ignored by git)
LOCAL_CLUSTER = "agentkube"  # name of the local control plane (one per project directory)


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
    """The agent spec files of a directory and its subdirectories, sorted by path; hidden files and
    directories (`.git`, an editor's) are skipped, and symbolic links to directories are not followed."""
    found = []
    for parent, dirs, files in os.walk(agents_dir, onerror=_unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(parent, f) for f in files if not f.startswith(".") and any(fnmatch(f, p) for p in SPEC_PATTERNS)]
    return sorted(found, key=lambda p: p.relative_to(agents_dir).parts)


def _unreadable(err: OSError) -> None:
    raise err


def spec_name(agents_dir: Path, path: Path) -> str:
    """A spec file's name within its agents directory, as the deployment record keeps it (`team/a.yaml`)."""
    return path.relative_to(agents_dir).as_posix()


def stack_of(stack_file_name: str) -> str | None:
    """`Pulumi.staging.yaml` (or a path to it) -> `staging`; None for anything else."""
    name = Path(stack_file_name).name
    if name.startswith("Pulumi.") and name.endswith(".yaml") and len(name) > len("Pulumi..yaml"):
        return name[len("Pulumi.") : -len(".yaml")]
    return None


def config_key(name: str) -> str:
    """`searchApiKey` -> `agentkube:searchApiKey`."""
    return f"{CONFIG_NAMESPACE}:{name}"


def is_secret_entry(value: Any) -> bool:
    """A stack-file config value that Pulumi encrypted (`pulumi config set --secret`)."""
    return isinstance(value, Mapping) and set(value) == {"secure"}


def secret_names(config: Mapping[str, Any]) -> frozenset[str]:
    """Names (without `agentkube:`) of the stack file's secret entries in our namespace."""
    prefix = config_key("")
    return frozenset(
        k[len(prefix) :]
        for k, v in config.items()
        if isinstance(k, str) and k.startswith(prefix) and is_secret_entry(v)
    )
