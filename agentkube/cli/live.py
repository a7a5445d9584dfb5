"""Commands that look at the live cluster: status."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..ops.status import AgentStatus, status
from .command import Command
from .reporter import Reporter

HEADERS = ["AGENT", "TRACK", "READY", "VERSION", "IMAGE", "AUTOSCALER", "ENDPOINTS", "STATUS"]


def live_status(args: argparse.Namespace, report: Reporter) -> int:
    agents = status(Path(args.project), Path(args.agents), args.stack)
    report.result([a.as_json() for a in agents], lambda: _text(agents, report))
    return 0 if all(a.available for a in agents) else 1


def _text(agents: list[AgentStatus], report: Reporter) -> str:
    rows = []
    for agent in agents:
        share = agent.share()
        for t in agent.tracks:
            rows.append(
                [
                    agent.agent,
                    t.track,
                    f"{t.ready}/{t.desired}",
                    t.version,
                    t.image,
                    t.autoscaler or "-",
                    f"{share[t.track]}%" if t.track in share else "-",
                    report.ok("Available") if t.available else report.bad("NOT AVAILABLE"),
                ]
            )
    lines = [report.table(HEADERS, rows)]
    for agent in agents:
        if not agent.available:
            lines += [f"{agent.agent} is not available:"] + [f"  {w}" for w in agent.why or ["no warning events yet"]]
    return "\n".join(lines)


COMMANDS = [
    Command(
        "status",
        "each agent on the stack's cluster: ready/desired per track, version, autoscaler, endpoint share; "
        "exit 1 when any agent is not Available",
        "agentkube status --stack dev   # a CI gate: exit 1 unless every agent is Available",
        live_status,
        stack="required",
        output_json=True,
    ),
]
