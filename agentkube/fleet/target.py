"""Where a stack's objects go: a render directory, the project's local cluster, or the cluster of a
kubeconfig/context. Decided once, here, for both the Pulumi program (its provider) and ops (the cluster
kubectl looks at)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..project import local_kubeconfig
from ..spec.stack import StackSettings


class TargetError(Exception):
    """The stack's cluster cannot be used as its settings say (its local cluster is not running)."""


@dataclass(frozen=True)
class Target:
    render_dir: str | None = None  # render YAML into it, deploy to no cluster
    kubeconfig: Path | None = None  # None: kubectl's usual lookup
    context: str | None = None  # None: the kubeconfig's current one


def target_of(project_dir: Path, settings: StackSettings, stack: str) -> Target:
    """renderDir, else localCluster (TargetError when it is not running), else kubeconfig/context."""
    if settings.render_dir:
        return Target(render_dir=settings.render_dir)
    if settings.local_cluster:
        kubeconfig = local_kubeconfig(project_dir)
        if not kubeconfig.is_file():
            raise TargetError(
                f"stack {stack} deploys to the local cluster, which is not running: "
                "start it with `agentkube cluster up` (scripts/up does)"
            )
        return Target(kubeconfig=kubeconfig)
    return Target(
        kubeconfig=Path(settings.kubeconfig).expanduser() if settings.kubeconfig else None, context=settings.context
    )
