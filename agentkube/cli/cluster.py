"""The project's own local Kubernetes control plane: cluster up, stop, down, status."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..fleet.loader import read_stack
from ..ops import localcluster
from .command import Command
from .exits import Exit
from .reporter import Reporter

ACTIONS = ("up", "stop", "down", "status")


def run(args: argparse.Namespace, report: Reporter) -> Exit:
    project = Path(args.project)
    if args.for_stack and not read_stack(project, args.for_stack)[0].local_cluster:
        report.note(f"stack {args.for_stack} does not deploy to the local cluster; nothing to do")
        return Exit.OK
    if args.action == "up":
        return _up(project, report)
    if args.action == "stop":
        return _stop(project, report)
    if args.action == "down":
        return _down(project, report)
    return _status(project, report)


def _up(project: Path, report: Reporter) -> Exit:
    started = time.monotonic()
    info = localcluster.start(project)
    seconds = time.monotonic() - started

    def text() -> str:
        how = "already running"
        if info.created or info.restarted:
            how = f"{'restarted with its objects' if info.restarted else 'started'} in {seconds:.1f}s"
        return (
            f"{report.ok('cluster ' + info.name)} {how} at {info.apiserver} ({len(info.nodes)} nodes)\n"
            f"kubeconfig: {info.kubeconfig}\n"
            f"look:       KUBECONFIG={info.kubeconfig} kubectl get nodes"
        )

    report.result({**info.as_json(), "seconds": round(seconds, 2)}, text)
    return Exit.OK


def _stop(project: Path, report: Reporter) -> Exit:
    stopped = localcluster.stop(project)
    name = localcluster.cluster_name(project)
    report.result(
        {"name": name, "stopped": stopped},
        lambda: (
            f"stopped cluster {name}; its objects are kept and `agentkube cluster up` starts it again"
            if stopped
            else f"no cluster {name} was running"
        ),
    )
    return Exit.OK


def _down(project: Path, report: Reporter) -> Exit:
    stopped = localcluster.delete(project)
    name = localcluster.cluster_name(project)
    report.result(
        {"name": name, "stopped": stopped},
        lambda: f"stopped cluster {name} and removed its files" if stopped else f"no cluster {name} was running",
    )
    return Exit.OK


def _status(project: Path, report: Reporter) -> Exit:
    info = localcluster.info(project)
    if info is None:
        name = localcluster.cluster_name(project)
        report.result({"name": name, "running": False, "healthy": False}, lambda: report.bad(f"{name} is not running"))
        report.note("start it with: agentkube cluster up")
        return Exit.FAILED

    def text() -> str:
        state = report.ok("running") if info.healthy else report.bad("unhealthy: " + ", ".join(info.missing))
        rows = [
            [n.name, n.zone, n.gpus or "", report.ok("Ready") if n.ready else report.bad("NotReady")]
            for n in info.nodes
        ]
        return (
            f"cluster    {info.name} ({state})\n"
            f"apiserver  {info.apiserver} ({info.version})\n"
            f"kubeconfig {info.kubeconfig}\n" + report.table(["NODE", "ZONE", "GPUS", "STATUS"], rows)
        )

    report.result({**info.as_json(), "running": True}, text)
    return Exit.OK if info.healthy else Exit.FAILED


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=ACTIONS,
        help="start it (or reuse it, or restart it with its objects), stop it keeping its objects, "
        "stop it and remove its files, or show it",
    )
    p.add_argument(
        "--project", default=".", metavar="DIR", help="the project whose .agentkube/ holds the cluster (default: .)"
    )
    p.add_argument(
        "--for-stack", metavar="STACK", help="only when STACK deploys to the local cluster (agentkube:localCluster)"
    )


COMMANDS = [
    Command(
        "cluster",
        "a local Kubernetes control plane for the project (kwok nodes in three zones and a GPU node)",
        "agentkube cluster up && KUBECONFIG=.agentkube/kubeconfig kubectl get nodes",
        run,
        stack="none",
        output_json=True,
        configure=_args,
    ),
]
