"""Commands that release and go back: analyze, promote, abort, history, rollback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..ops.analysis import Report, analyze
from ..ops.engine import EngineError
from ..ops.history import Update, updates
from ..ops.promotion import release
from ..ops.rollback import rollback
from ..spec.problems import SpecError
from .command import Command, UsageError
from .reporter import Reporter

EXIT = {"pass": 0, "fail": 1, "inconclusive": 3, "error": 4}


def analysis(args: argparse.Namespace, report: Reporter) -> int:
    try:
        found = analyze(Path(args.project), Path(args.agents), args.stack, args.agent, args.window, args.prometheus)
    except SpecError as err:  # exit 4, not 1: a release must tell "could not analyze" from "the canary failed"
        report.problems(err.problems)
        return EXIT["error"]
    except EngineError as err:
        report.error(str(err))
        return EXIT["error"]
    report.result(found.as_json(), lambda: _analysis_text(found, report))
    return EXIT[found.verdict]


def _analysis_text(found: Report, report: Reporter) -> str:
    def number(value: float | None) -> str:
        return "no data" if value is None else f"{value:.4g}"

    mark = {"pass": report.ok, "fail": report.bad, "inconclusive": report.bad}
    rows = [
        [r.check, number(r.stable), number(r.canary), r.bounds, mark[r.verdict](r.verdict), r.reason]
        for r in found.results
    ]
    table = report.table(["CHECK", "STABLE", "CANARY", "BOUND", "VERDICT", "WHY"], rows)
    verdict = mark[found.verdict](found.verdict)
    return f"{table}\n{found.agent}: {verdict} over the last {found.window} (Prometheus {found.prometheus})"


def _analyze_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("agent", metavar="AGENT", help="agent name")
    p.add_argument("--window", metavar="DURATION", help="range of the queries, e.g. 10m (default: the spec's)")
    p.add_argument("--prometheus", metavar="URL", help="Prometheus to query (default: agentkube:prometheusAddress)")


def promote_or_abort(args: argparse.Namespace, report: Reporter) -> int:
    release(
        Path(args.project), Path(args.agents), args.stack, args.agent, args.cmd.name, not args.no_deploy, report.note
    )
    return 0


def history(args: argparse.Namespace, report: Reporter) -> int:
    found = updates(Path(args.project), args.stack)
    report.result([u.as_json() for u in found], lambda: _history_text(args.stack, found))
    return 0


def _history_text(stack: str, found: list[Update]) -> str:
    if not found:
        return f"stack {stack} has no updates yet"
    lines = []
    for u in found:
        git = f"  git {u.git[:8]}" if u.git else ""
        message = f"  {u.message.splitlines()[0]!r}" if u.message else ""
        lines.append(f"#{u.number}  {u.started:%Y-%m-%d %H:%M:%S}Z  {u.kind}  {u.result}{git}{message}")
        width = max((len(n) for n in u.agents), default=0)
        for name, agent in u.agents.items():
            lines.append(f"    {name.ljust(width)}  {agent['version']:<12}  spec {agent['specHash'][:12]}")
    return "\n".join(lines)


def roll_back(args: argparse.Namespace, report: Reporter) -> int:
    def confirm(question: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError("confirm with --yes (no terminal to ask on)")
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

    return 0 if rollback(Path(args.project), args.stack, args.to, confirm, report.note) else 1


def _release_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("agent", metavar="AGENT", help="agent name")
    p.add_argument("--no-deploy", action="store_true", help="only change the stack config")


def _rollback_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", type=int, required=True, metavar="N", help="update number (see history)")
    p.add_argument("--yes", action="store_true", help="do not ask before deploying")


COMMANDS = [
    Command(
        "analyze",
        "the canary's checks for stable and canary: exit 0 pass, 1 fail, 3 inconclusive (no data), 4 error",
        "agentkube analyze researcher --stack prod --window 10m",
        analysis,
        stack="required",
        output_json=True,
        configure=_analyze_args,
    ),
    Command(
        "promote",
        "make the canary stable (or switch blue-green colours), then deploy",
        "agentkube promote researcher --stack prod",
        promote_or_abort,
        stack="required",
        configure=_release_args,
    ),
    Command(
        "abort",
        "remove the canary (weight 0), then deploy",
        "agentkube abort researcher --stack prod",
        promote_or_abort,
        stack="required",
        configure=_release_args,
    ),
    Command(
        "history",
        "the stack's updates: number, time, result, message, agent versions",
        "agentkube history --stack prod",
        history,
        stack="required",
        output_json=True,
    ),
    Command(
        "rollback",
        "redeploy the fleet exactly as update N deployed it",
        "agentkube rollback --stack prod --to 3 --yes",
        roll_back,
        stack="required",
        configure=_rollback_args,
    ),
]
