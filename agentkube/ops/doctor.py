"""`agentkube doctor`: what a reproducible run needs, whether each is usable, and the fix if not."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..fleet.files import read_stack
from ..project import pulumi_env
from ..spec.problems import SpecError
from . import cluster, engine
from .engine import EngineError


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    ok: bool
    fix: str = ""


def _run(command: list[str], env: dict[str, str]) -> str | None:
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def checks(project_dir: Path, stack: str | None) -> list[Check]:
    env = pulumi_env(project_dir, stack)
    install = "run scripts/install-pulumi and put the directory it prints on PATH"
    found: list[Check] = [Check("python", platform.python_version(), True)]
    for package in ("pulumi", "pulumi-kubernetes", "pydantic"):
        try:
            found.append(Check(f"{package} (Python SDK)", metadata.version(package), True))
        except metadata.PackageNotFoundError:
            found.append(Check(f"{package} (Python SDK)", "missing", False, "run scripts/bootstrap"))
    try:
        ws = engine.workspace(project_dir, stack)
        cli: str | None = str(ws.pulumi_version)
        k8s_plugin = next(
            (p.version for p in ws.list_plugins() if p.name == "kubernetes" and p.kind == "resource"), None
        )
    except EngineError:
        cli = k8s_plugin = None
    found.append(Check("pulumi CLI", cli or "not on PATH", cli is not None, install))
    host = _run(["sh", "-c", "command -v pulumi-language-python && command -v pulumi-language-python-exec"], env)
    found.append(
        Check(
            "python language host",
            str(Path(host.splitlines()[0]).parent) if host else "not on PATH",
            host is not None,
            install,
        )
    )
    sdk = next((c.value for c in found if c.name == "pulumi-kubernetes (Python SDK)"), "")
    found.append(
        Check(
            "kubernetes provider plugin",
            k8s_plugin or "not installed",
            k8s_plugin == sdk,
            f"{install} (the SDK {sdk} needs the same plugin version)",
        )
    )
    found.append(Check("backend", env["PULUMI_BACKEND_URL"], True))
    if stack:
        try:
            settings, _ = read_stack(project_dir, stack)
            if settings.render_dir:
                found.append(Check(f"stack {stack}", f"render to {settings.render_dir}/", True))
            elif settings.local_cluster:
                local = cluster.status(project_dir)
                value = f"local cluster at {local.apiserver}" if local else "local cluster, not running"
                ok = local is not None and local.healthy
                found.append(Check(f"stack {stack}", value, ok, "agentkube cluster up (scripts/up does)"))
            else:
                ok = _run(["kubectl", "config", "get-contexts", settings.context or ""], env) is not None
                found.append(
                    Check(
                        f"stack {stack}",
                        f"cluster context {settings.context or '(current)'}",
                        ok,
                        "set agentkube:localCluster or renderDir, or a reachable agentkube:kubeconfig/context",
                    )
                )
        except SpecError as err:
            found.append(Check(f"stack {stack}", str(err.problems[0]), False, "fix the stack file"))
        passphrase = bool(env.get("PULUMI_CONFIG_PASSPHRASE") or env.get("PULUMI_CONFIG_PASSPHRASE_FILE"))
        found.append(
            Check(
                "secrets passphrase",
                "set" if passphrase else "missing",
                passphrase,
                "export PULUMI_CONFIG_PASSPHRASE (dev uses the documented agentkube-dev)",
            )
        )
    return found
