"""E. Live deploy on the project's local cluster: agentkube's `pulumi up` against `kubectl apply
--server-side` of the same objects plus a rollout wait, and against `helm upgrade --install --wait` of
bench/chart with the same agents.

    python bench/live.py [--sizes 10 100] [--repeat 3] [--no-helm]

One tool at a time deploys the fleet of bench/fleet.py into namespaces of its own on the same cluster
(started if it is not running) and removes it before the next. Each measures, until every Deployment is
Available: a first deploy, a no-op, and a change of one agent's image until its rollout is done.
agentkube runs as users run it (checkpoints on); a second row without checkpoints
(PULUMI_SKIP_CHECKPOINTS) shows what the file backend's writes cost.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from agentkube.fleet.loader import load_fleet
from agentkube.ops import localcluster
from agentkube.ops.environment import pulumi_env
from agentkube.project import WORK_DIR
from bench.common import ROOT, arguments, copy_program, row
from bench.fleet import write_project
from bench.render import CHART, helm_values

CHANGED = "agent-0001"  # the agent whose image the change step sets
TIMEOUT = "900s"


@dataclass(frozen=True)
class Setup:
    """What the tools need: the cluster's kubeconfig, the directory of pulumi, helm's path."""

    kubeconfig: Path
    pulumi_tools: str
    helm: str | None


@dataclass
class Tool:
    """One way to deploy: its first deploy, no-op and change steps, each until rolled out, and its removal."""

    name: str
    deploy: Callable[[], None]  # first deploy and no-op alike
    change: Callable[[str], None]  # set CHANGED's image tag, then wait for its rollout
    remove: Callable[[], None]


def run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def installed(script: Path) -> str:
    """The path an install script prints last (it builds the tool once)."""
    return subprocess.run([str(script)], check=True, capture_output=True, text=True).stdout.split()[-1]


def timed(step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def set_image(project: Path, tag: str) -> None:
    spec = project / "agents" / f"{CHANGED}.yaml"
    text = spec.read_text()
    spec.write_text(
        "\n".join(
            f"image: ghcr.io/acme/{CHANGED}:{tag}" if line.startswith("image:") else line for line in text.splitlines()
        )
        + "\n"
    )


def stack_file(project: Path, prefix: str) -> None:
    (project / "Pulumi.bench.yaml").write_text(
        f"config:\n  agentkube:environment: bench\n  agentkube:localCluster: true\n  agentkube:namespace: {prefix}\n"
    )


def agentkube_tool(work: Path, n: int, setup: Setup, checkpoints: bool = True) -> Tool:
    prefix = "bench-ak" if checkpoints else "bench-akn"
    project = write_project(work / prefix, n)
    stack_file(project, prefix)
    copy_program(project)
    (project / ".venv").symlink_to(ROOT / ".venv")
    (project / WORK_DIR).symlink_to(ROOT / WORK_DIR)  # the repo's local cluster
    (project / ".pulumi").mkdir()
    env = {
        **pulumi_env(project, "bench", tools=setup.pulumi_tools, own_backend=True),
        "PULUMI_CONFIG_PASSPHRASE": "bench",
    }
    if not checkpoints:
        env["PULUMI_SKIP_CHECKPOINTS"] = "true"

    def pulumi(*args: str) -> None:
        run("pulumi", *args, "--stack", "bench", cwd=project, env=env)

    pulumi("stack", "init", "--secrets-provider", "passphrase")

    def change(tag: str) -> None:
        set_image(project, tag)
        pulumi("up", "--yes", "--skip-preview")

    return Tool(
        "agentkube" if checkpoints else "agentkube, no checkpoints",
        lambda: pulumi("up", "--yes", "--skip-preview"),
        change,
        lambda: pulumi("destroy", "--yes", "--skip-preview"),
    )


def objects_file(project: Path, target: Path) -> list[str]:
    """The fleet's objects from the pure core as one kubectl List; the namespaces of its Deployments."""
    fleet = load_fleet(project / "agents", "bench", project)
    objects = without_secret_values(build(fleet))
    target.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    return sorted({o["metadata"]["namespace"] for o in objects if o["kind"] == "Deployment"})


def kubectl_tool(work: Path, n: int, setup: Setup) -> Tool:
    project = write_project(work / "bench-kc", n)
    stack_file(project, "bench-kc")
    listed = project / "objects.json"
    namespaces = objects_file(project, listed)
    kubectl = ("kubectl", "--kubeconfig", str(setup.kubeconfig))

    def deploy() -> None:
        run(*kubectl, "apply", "--server-side", "--field-manager", "bench", "-f", str(listed))
        for ns in namespaces:
            run(*kubectl, "wait", "--for=condition=Available", "deployment", "--all", "-n", ns, f"--timeout={TIMEOUT}")

    def change(tag: str) -> None:
        set_image(project, tag)
        objects_file(project, listed)
        run(*kubectl, "apply", "--server-side", "--field-manager", "bench", "-f", str(listed))
        ns = next(ns for ns in namespaces if ns.endswith("agent-pool"))
        run(*kubectl, "rollout", "status", f"deployment/{CHANGED}", "-n", ns, f"--timeout={TIMEOUT}")

    return Tool(
        "kubectl apply",
        deploy,
        change,
        lambda: run(*kubectl, "delete", "-f", str(listed), "--ignore-not-found", "--wait"),
    )


def helm_tool(work: Path, n: int, setup: Setup) -> Tool:
    project = write_project(work / "bench-helm", n)
    values = project / "values.json"
    helm_values(project, values, namespace="bench-helm")
    assert setup.helm is not None
    command = (setup.helm, "--kubeconfig", str(setup.kubeconfig), "--namespace", "default")

    def deploy() -> None:
        run(*command, "upgrade", "--install", "agents", str(CHART), "-f", str(values), "--wait", f"--timeout={TIMEOUT}")

    def change(tag: str) -> None:
        set_image(project, tag)
        helm_values(project, values, namespace="bench-helm")
        deploy()

    return Tool("helm", deploy, change, lambda: run(*command, "uninstall", "agents", "--wait"))


def measure(tool: Tool, repeat: int) -> tuple[float, float, float]:
    """Median seconds of (first deploy, no-op, one-agent image change); every first deploy starts empty."""
    first, noop, change = [], [], []
    for i in range(repeat):
        try:
            first.append(timed(tool.deploy))
            noop.append(timed(tool.deploy))
            change.append(timed(lambda i=i: tool.change(f"2.0.{i}")))
        finally:
            tool.remove()
    return statistics.median(first), statistics.median(noop), statistics.median(change)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, [10, 100], 3)
    parser.add_argument("--no-helm", action="store_true", help="skip the helm baseline")
    args = parser.parse_args(argv)
    setup = Setup(
        localcluster.start(ROOT).kubeconfig,
        installed(ROOT / "scripts" / "install-pulumi"),
        None if args.no_helm else installed(ROOT / "bench" / "install-helm"),
    )
    print(f"E. live deploy on the local cluster until every Deployment is Available; medians of {args.repeat} (s)")
    widths = [6, 26, 8, 8, 8, 9, 8, 8]
    print(row(["agents", "tool", "deploy", "no-op", "change", "ms/object", "deploy x", "no-op x"], widths))
    results: dict[int, dict[str, tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.sizes:
            results[n] = {}
            count = len(build(load_fleet(write_project(work / "count", n) / "agents", "bench", work / "count")))
            makers = (kubectl_tool, helm_tool, agentkube_tool, partial(agentkube_tool, checkpoints=False))
            for make in makers:
                if make is helm_tool and setup.helm is None:
                    continue
                tool = make(work, n, setup)
                med = results[n][tool.name] = measure(tool, args.repeat)
                base = results[n]["kubectl apply"]
                print(
                    row(
                        [
                            n,
                            tool.name,
                            f"{med[0]:.1f}",
                            f"{med[1]:.2f}",
                            f"{med[2]:.1f}",
                            f"{1000 * med[0] / count:.0f}",
                            f"{med[0] / base[0]:.2f}x",
                            f"{med[1] / base[1]:.2f}x",
                        ],
                        widths,
                    )
                )
    big = max(args.sizes)
    ours, kubectl = results[big]["agentkube"], results[big]["kubectl apply"]
    helm = f", {ours[0] / results[big]['helm'][0]:.2f}x helm" if "helm" in results[big] else ""
    print(
        f"summary: live at {big} agents: first deploy {ours[0] / kubectl[0]:.2f}x kubectl apply + wait "
        f"(target <= 1.5x){helm}; no-op {ours[1] / kubectl[1]:.2f}x a no-op apply (target <= 3x); "
        f"one-agent image change {ours[2] / kubectl[2]:.2f}x kubectl"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
