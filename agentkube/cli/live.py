"""Commands that look at the live cluster: status, drift."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..core.mcp import tools_text
from ..ops.drift import Found, drift
from ..ops.status import AgentStatus, status
from .command import Command, target_of
from .exits import Exit
from .reporter import Reporter

HEADERS = ["AGENT", "TRACK", "READY", "VERSION", "IMAGE", "AUTOSCALER", "ENDPOINTS", "STATUS"]


def live_status(args: argparse.Namespace, report: Reporter) -> Exit:
    agents, tools = status(target_of(args))
    data = [{**a.as_json(), "toolServers": [t.name for t in tools if a.agent in t.used_by]} for a in agents]
    report.result(data, lambda: "\n".join(filter(None, [_text(agents, report), tools_text(tools)])))
    return Exit.OK if all(a.available for a in agents) else Exit.FAILED


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


def live_drift(args: argparse.Namespace, report: Reporter) -> Exit:
    found = drift(Path(args.project), args.stack)
    if found.unkept:
        rolled = f"the last update of stack {args.stack} rolled back to update {found.rolled_back_to}"
        report.note(f"note: {rolled}, and {found.unkept}")
    report.result([d.as_json() for d in found.changes], lambda: _drift_text(found, args.stack, report))
    return Exit.FAILED if found.changes else Exit.OK


def _drift_text(found: Found, stack: str, report: Reporter) -> str:
    if not found.changes:
        return report.ok(f"no drift: the cluster holds what stack {stack}'s last update declared")
    rows = [[d.object, d.field or "-", _short(d.declared), report.bad(_short(d.live))] for d in found.changes]
    restore = f"restore the declared state with: pulumi up --refresh --stack {stack}"
    if found.unkept:  # a refresh and up deploy the checkout: keep the rollback's sources first
        restore = (
            f"`pulumi up --refresh` would also undo the rollback to update {found.rolled_back_to} (see the note): "
            f"keep it with `agentkube rollback --stack {stack} --to {found.rolled_back_to} --write-sources`, then "
            + restore
        )
    return "\n".join(
        [
            report.table(["OBJECT", "FIELD", "DECLARED", "LIVE"], rows),
            f"{len(found.changes)} change(s) behind Pulumi's back; {restore}",
        ]
    )


def _short(value: object, width: int = 48) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 3] + "..."


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
    Command(
        "drift",
        "what changed on the stack's cluster behind Pulumi's back since its last update: each object and "
        "field; exit 1 when anything drifted (after a rollback, a note names the checkout's files that the next "
        "up would redeploy)",
        "agentkube drift --stack prod   # then: pulumi up --refresh --stack prod",
        live_drift,
        stack="required",
        output_json=True,
    ),
]
