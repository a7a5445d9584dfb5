"""Commands that release and go back: analyze, release, promote, abort, history, rollback."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..ops.analyze import Report, analyze
from ..ops.errors import EngineError, StepFailed
from ..ops.history import Update, updates
from ..ops.promotion import abort, promote
from ..ops.release import release
from ..ops.rollback import rollback
from ..spec.patterns import DURATION, POSITIVE_DURATION, SERVICE_URL, WORDS
from ..spec.problems import SpecError
from .command import Command, UsageError, target_of
from .exits import MEANING, OF_VERDICT, Exit
from .reporter import Reporter

T = TypeVar("T")

ANALYZE_EXITS = {
    Exit.OK: "pass: the canary is within every check's bounds",
    Exit.FAILED: "fail: a check is out of bounds",
    Exit.USAGE: MEANING[Exit.USAGE],
    Exit.INCONCLUSIVE: "inconclusive: no data to judge the canary",
    Exit.ERROR: "could not analyze: invalid input, pulumi or Prometheus error",
}
DEPLOY_EXITS = {
    Exit.OK: MEANING[Exit.OK],
    Exit.FAILED: "invalid input, nothing to do, pulumi missing or the stack locked: nothing was changed",
    Exit.USAGE: MEANING[Exit.USAGE],
    Exit.STEP_FAILED: "the pulumi up failed: the stack file is restored to what it was",
}
RELEASE_EXITS = {
    Exit.OK: "pass: promoted after the last step",
    Exit.FAILED: "fail: a step's analysis failed and the canary was aborted",
    Exit.USAGE: MEANING[Exit.USAGE],
    Exit.INCONCLUSIVE: "inconclusive: no data at a step; the canary is held there",
    Exit.ERROR: "could not start or analyze: invalid input, pulumi missing, Prometheus unreachable or refusing a query",
    Exit.STEP_FAILED: "a step's pulumi up failed: the stack file is restored to the last finished step",
    Exit.INTERRUPTED: "interrupted: the stack stays at its last finished step; run it again to resume",
}


def analyze_command(args: argparse.Namespace, report: Reporter) -> Exit:
    found = _or_error(report, lambda: analyze(target_of(args), args.agent, args.window, args.prometheus))
    if found is None:
        return Exit.ERROR
    report.result(found.as_json(), lambda: _analysis_text(found, report))
    return OF_VERDICT[found.verdict]


def _or_error(report: Reporter, run: Callable[[], T]) -> T | None:
    """Run; a spec or engine error is reported and gives None: exit 4, not 1, so that a caller can tell
    "could not analyze" from "the canary failed"."""
    try:
        return run()
    except StepFailed:  # a deploy failed, not the analysis: its own exit code (main)
        raise
    except SpecError as err:
        report.problems(err.problems)
    except EngineError as err:
        report.error(str(err))
    return None


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
    p.add_argument(
        "--window", type=_window, metavar="DURATION", help="range of the queries, e.g. 10m (default: the spec's)"
    )
    p.add_argument(
        "--prometheus", type=_url, metavar="URL", help="Prometheus to query (default: agentkube:prometheusAddress)"
    )


def release_command(args: argparse.Namespace, report: Reporter) -> Exit:
    try:
        steps = [int(s) for s in args.steps.split(",")]
    except ValueError:
        raise UsageError(f"--steps takes weights such as 10,25,50,100, not {args.steps!r}") from None
    if not steps or any(not 0 < s <= 100 for s in steps):
        raise UsageError(f"--steps: every weight must be 1..100, got {args.steps!r}")
    try:
        outcome = _or_error(
            report,
            lambda: release(
                target_of(args),
                args.agent,
                steps,
                args.pause,
                report.note,
                args.window,
                args.prometheus,
                write_sources=args.write_sources,
            ),
        )
    except KeyboardInterrupt:
        report.error(
            f"interrupted: stack {args.stack} is at its last finished step (`agentkube history`); resume with the "
            f"same `agentkube release` (steps already done are skipped) or `agentkube abort {args.agent}`"
        )
        return Exit.INTERRUPTED
    if outcome is None:
        return Exit.ERROR
    verdict, last = outcome
    if last is not None:
        report.note(_analysis_text(last, report))
    report.result({"agent": args.agent, "verdict": verdict}, lambda: f"release {args.agent}: {verdict}")
    return OF_VERDICT[verdict]


def promote_command(args: argparse.Namespace, report: Reporter) -> Exit:
    promote(
        target_of(args), args.agent, not args.no_deploy, report.note, force=args.force, write_sources=args.write_sources
    )
    return Exit.OK


def abort_command(args: argparse.Namespace, report: Reporter) -> Exit:
    abort(target_of(args), args.agent, not args.no_deploy, report.note)
    return Exit.OK


def history_command(args: argparse.Namespace, report: Reporter) -> Exit:
    found = updates(Path(args.project), args.stack)
    report.result([u.as_json() for u in found], lambda: _history_text(args.stack, found))
    return Exit.OK


def _history_text(stack: str, found: list[Update]) -> str:
    if not found:
        return f"stack {stack} has no updates yet"
    lines = []
    for u in found:
        label = u.git_label()
        rolled = (u.record or {}).get("rollbackOf")
        git = f"  {label}" if label else (f"  sources of #{rolled}" if rolled else "")
        message = f"  {u.message.splitlines()[0]!r}" if u.message else ""
        lines.append(f"#{u.number}  {u.started:%Y-%m-%d %H:%M:%S}Z  {u.kind}  {u.result}{git}{message}")
        width = max((len(n) for n in u.agents), default=0)
        for name, agent in u.agents.items():
            lines.append(f"    {name.ljust(width)}  {agent['version']:<12}  spec {agent['specHash'][:12]}")
    return "\n".join(lines)


def rollback_command(args: argparse.Namespace, report: Reporter) -> Exit:
    def confirm(question: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError("confirm with --yes (no terminal to ask on)")
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

    done = rollback(target_of(args), args.to, confirm, report.note, write_sources=args.write_sources)
    return Exit.OK if done else Exit.FAILED


def _abort_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("agent", metavar="AGENT", help="agent name")
    p.add_argument("--no-deploy", action="store_true", help="only change the stack config")


def _promote_args(p: argparse.ArgumentParser) -> None:
    _abort_args(p)
    p.add_argument("--force", action="store_true", help="promote even though the last analysis failed")
    _write_sources_arg(p)


def _write_sources_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--write-sources",
        action="store_true",
        help="write a canary's promotion into its spec file (image, weight 0) instead of the stack's override, and "
        "take it out of the override: one place holds the truth; other stacks it changes are named",
    )


def _release_args(p: argparse.ArgumentParser) -> None:
    _analyze_args(p)
    p.add_argument("--steps", default="10,25,50,100", help="canary weights in percent (default: 10,25,50,100)")
    p.add_argument("--pause", type=_seconds, default=600.0, metavar="DURATION", help="wait per step (default: 10m)")
    _write_sources_arg(p)


def _duration(text: str) -> str:
    if not re.fullmatch(DURATION, text):
        raise argparse.ArgumentTypeError(f"expected a duration such as 30s, 10m or 1h, not {text!r}")
    return text


def _window(text: str) -> str:
    if not re.fullmatch(POSITIVE_DURATION, _duration(text)):
        raise argparse.ArgumentTypeError(f"expected a duration above 0 such as 30s, 10m or 1h, not {text!r}")
    return text


def _url(text: str) -> str:
    if not re.fullmatch(SERVICE_URL, text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Prometheus URL, expected {WORDS[SERVICE_URL]}")
    return text


def _seconds(text: str) -> float:
    return float(_duration(text)[:-1]) * {"s": 1, "m": 60, "h": 3600}[text[-1]]


def _rollback_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", type=int, required=True, metavar="N", help="update number (see history)")
    p.add_argument("--yes", action="store_true", help="do not ask before deploying")
    p.add_argument(
        "--write-sources",
        action="store_true",
        help="after deploying, write update N's specs and stack file into the checkout (agentkube:agentsDir and "
        "Pulumi.<stack>.yaml), so the next pulumi up keeps the rollback; review and commit them",
    )


COMMANDS = [
    Command(
        "analyze",
        "the canary's checks for stable and canary: exit 0 pass, 1 fail, 3 inconclusive (no data), 4 error",
        "agentkube analyze researcher --stack prod --window 10m",
        analyze_command,
        stack="required",
        output_json=True,
        configure=_analyze_args,
        exits=ANALYZE_EXITS,
    ),
    Command(
        "release",
        "raise the canary's weight step by step (each a pulumi up), analyze after each, promote or abort",
        "agentkube release researcher --stack prod --steps 10,25,50,100 --pause 10m",
        release_command,
        stack="required",
        output_json=True,
        configure=_release_args,
        exits=RELEASE_EXITS,
    ),
    Command(
        "promote",
        "make the canary stable (or switch blue-green colours), then deploy; refused after a failed analysis",
        "agentkube promote researcher --stack prod",
        promote_command,
        stack="required",
        configure=_promote_args,
        exits=DEPLOY_EXITS,
    ),
    Command(
        "abort",
        "remove the canary (weight 0), then deploy",
        "agentkube abort researcher --stack prod",
        abort_command,
        stack="required",
        configure=_abort_args,
        exits=DEPLOY_EXITS,
    ),
    Command(
        "history",
        "the stack's updates: number, time, result, message, agent versions",
        "agentkube history --stack prod",
        history_command,
        stack="required",
        output_json=True,
    ),
    Command(
        "rollback",
        "redeploy the fleet exactly as update N deployed it",
        "agentkube rollback --stack prod --to 3 --yes --write-sources",
        rollback_command,
        stack="required",
        configure=_rollback_args,
    ),
]
