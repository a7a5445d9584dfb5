"""`agentkube doctor`: what a reproducible run needs, whether each is usable, and the fix if not."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..core.build import build
from ..core.secrets import without_secret_values
from ..fleet.loader import read_stack
from ..spec.problems import SpecError
from ..spec.stack import StackSettings
from . import engine, localcluster
from .backend.keys import META
from .backend.store import project_store
from .capabilities import gaps
from .environment import pulumi_env
from .errors import EngineError
from .kube import cluster_of
from .redaction import redact_url
from .stack_target import StackTarget


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


def checks(project_dir: Path, target: StackTarget | None = None) -> list[Check]:
    """Each check of a reproducible run in `project_dir`; with a `target` stack (of that project) whose cluster
    is up, also what its fleet needs there."""
    stack = target.stack if target else None
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
    found.append(backend_check(project_dir, stack))
    if target:
        found += _stack_checks(target, env)
    return found


def backend_check(project_dir: Path, stack: str | None) -> Check:
    """The backend (password masked), and whether its state can be read (Pulumi Cloud: asked by pulumi)."""
    url = redact_url(pulumi_env(project_dir, stack)["PULUMI_BACKEND_URL"])
    try:
        store = project_store(project_dir, stack)
        if store is not None:
            store.list(META)
    except EngineError as err:
        return Check("backend", url, False, f"make the backend reachable: {err}")
    return Check("backend", url, True)


def _stack_checks(target: StackTarget, env: dict[str, str]) -> list[Check]:
    """Whether the stack's file reads, its cluster answers (and has what the fleet uses), its secrets open."""
    stack = target.stack
    found: list[Check] = []
    try:
        settings, _ = read_stack(target.project, stack)
        if settings.render_dir:
            found.append(Check(f"stack {stack}", f"render to {settings.render_dir}/", True))
        elif settings.local_cluster:
            local = localcluster.info(target.project)
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
        if not settings.render_dir and found[-1].ok:  # a cluster to ask what it has
            found += cluster_needs(target, settings)
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


def cluster_needs(target: StackTarget, settings: StackSettings) -> list[Check]:
    """The kinds, custom-resource fields and RuntimeClasses the stack's fleet uses, against its cluster: what
    the stack file declares (`keda`, `networkPolicy: cilium`, `gatewayChannel`, `runtimeClasses`) is checked."""
    name = "cluster has what the fleet uses"
    stack = target.stack
    try:
        objects = without_secret_values(build(target.fleet()))
        missing = gaps(objects, cluster_of(target.project, settings, stack))
    except SpecError as err:
        return [Check(name, str(err.problems[0]), False, f"agentkube validate --stack {stack} lists every problem")]
    except EngineError as err:
        return [Check(name, str(err), False, "make the cluster reachable, then run doctor again")]
    if not missing:
        kinds = len({(o["apiVersion"], o["kind"]) for o in objects})
        return [Check(name, f"all {kinds} kinds of its {len(objects)} objects, their fields, RuntimeClasses", True)]
    return [Check(name, gap.what, False, gap.fix) for gap in missing]
