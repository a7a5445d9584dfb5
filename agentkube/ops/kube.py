"""The cluster a stack deploys to, reached with `kubectl` (JSON in, JSON out)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fleet.target import TargetError, target_of
from ..spec.stack import StackSettings
from .errors import EngineError

UNREACHABLE = ("was refused", "connection refused", "Unable to connect to the server", "i/o timeout", "no such host")


@dataclass(frozen=True)
class Cluster:
    """A kubeconfig (None: kubectl's usual lookup) and context (None: its current one)."""

    kubeconfig: Path | None = None
    context: str | None = None

    def kubectl(
        self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        binary = shutil.which("kubectl")
        if binary is None:
            raise EngineError("kubectl is not on PATH; install it to look at a live cluster")
        command = [binary]
        if self.kubeconfig is not None:
            command += ["--kubeconfig", str(self.kubeconfig)]
        if self.context:
            command += ["--context", self.context]
        done = subprocess.run(
            [*command, *args], input=stdin, text=True, capture_output=True, check=False, timeout=timeout
        )
        if check and done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            detail = lines[-1] if lines else f"exit {done.returncode}"
            if any(sign in detail for sign in UNREACHABLE):
                where = f" (kubeconfig {self.kubeconfig})" if self.kubeconfig else ""
                raise EngineError(f"the cluster is unreachable{where}: {detail}")
            raise EngineError(f"kubectl {' '.join(args[:2])}: {detail}")
        return done

    def raw(self, path: str, timeout: float = 120) -> str:
        """A GET of an API path no resource kind names (`/readyz`, `/version`): `kubectl get --raw`."""
        return self.kubectl("get", "--raw", path, timeout=timeout).stdout.strip()

    def get(self, *what: str, timeout: float = 120) -> dict[str, Any]:
        """`kubectl get WHAT -o json`: one object, or a List of the objects of every kind asked for."""
        found: dict[str, Any] = json.loads(self.kubectl("get", *what, "-o", "json", timeout=timeout).stdout)
        return found

    def wait(self, condition: str, *resources: str, timeout: float, namespace: str | None = None) -> bool:
        """`kubectl wait --for=CONDITION`: True when every resource meets it within `timeout` seconds."""
        where = ("-n", namespace) if namespace else ()
        args = ("wait", *where, f"--for={condition}", f"--timeout={max(timeout, 1):.0f}s", *resources)
        return self.kubectl(*args, check=False, timeout=max(timeout, 1) + 30).returncode == 0

    def items(self, *what: str) -> list[dict[str, Any]]:
        """The items of `kubectl get WHAT -o json` (kinds, then e.g. `-n NAMESPACE` or `--all-namespaces`)."""
        items: list[dict[str, Any]] = self.get(*what).get("items") or []
        return items


def cluster_of(project_dir: Path, settings: StackSettings, stack: str) -> Cluster:
    """The cluster the stack's settings point at; EngineError for a render-only stack or a stopped local one."""
    try:
        target = target_of(project_dir, settings, stack)
    except TargetError as err:
        raise EngineError(str(err)) from None
    if target.render_dir:
        raise EngineError(f"stack {stack} renders to {target.render_dir}/ and deploys to no cluster")
    return Cluster(target.kubeconfig, target.context)
