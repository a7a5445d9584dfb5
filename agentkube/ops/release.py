"""`agentkube release`: a canary's weight raised step by step, each step a `pulumi up` (an update in the
stack history named after the step) and an analysis; promoted after the last, aborted on the first failure."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from ..core.analysis import Verdict
from .analyze import Report, analyze, checks_of
from .prometheus import Prometheus
from .promotion import Say, abortion, apply_change, canary_of, promote, reweighting
from .stack_target import StackTarget


def release(
    target: StackTarget,
    agent: str,
    steps: Sequence[int],
    pause: float,
    say: Say,
    window: str | None = None,
    address: str | None = None,
    write_sources: bool = False,
) -> tuple[Verdict, Report | None]:
    """Run the release; (verdict, the last analysis). Steps at or below the canary's current weight are
    skipped, so running it again resumes an interrupted release. On `fail` the canary is aborted (weight 0:
    its pods and config go, stable stays as it was); on `inconclusive` it is held at its step. The promotion
    goes where `promote` puts it (`write_sources`: the spec file)."""
    target.ensure_deployable()
    fleet = target.fleet()
    checks_of(fleet, agent)  # checks to run, before anything changes
    canary = canary_of(fleet, agent)
    Prometheus(address or fleet.settings.prometheus_address).value("vector(1)")  # reachable, before any change
    todo = [w for w in sorted(set(steps)) if w > canary.weight]
    report: Report | None = None
    for number, weight in enumerate(todo, start=1):
        fleet = target.fleet()
        label = f"step {number}/{len(todo)}"
        apply_change(target, fleet, reweighting(fleet, agent, weight, label), True, say)
        say(f"waiting {pause:g}s before the analysis of {label}")
        time.sleep(pause)
        report = analyze(target, agent, window, address)
        say(f"{label}: analysis {report.verdict}")
        if report.verdict == "fail":
            fleet = target.fleet()
            summary = f"release {agent}: aborted at {weight}% ({report.failures()})"
            apply_change(target, fleet, replace(abortion(fleet, agent), summary=summary), True, say)
            return "fail", report
        if report.verdict == "inconclusive":
            say(
                f"no data to judge the canary at {weight}%: it is held there; run `agentkube release` again to "
                f"resume, or `agentkube abort {agent} --stack {target.stack}`"
            )
            return "inconclusive", report
    promote(target, agent, True, say, write_sources=write_sources)
    return "pass", report
