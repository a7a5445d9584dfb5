"""`agentkube analyze`: the canary's checks against Prometheus, for the stable and the canary track. The
last verdict per stack and agent is kept beside the stack's state on its backend (so a teammate's
`promote` sees it too), or in `.agentkube/analysis/` on Pulumi Cloud; `promote` looks there before it acts."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core import analysis
from ..fleet.model import Fleet
from ..project import WORK_DIR, project_name
from ..spec.delivery import Check
from ..spec.problems import Problem, SpecError
from .backend.keys import verdict_key
from .backend.store import project_store
from .prometheus import Prometheus
from .stack_target import StackTarget


@dataclass(frozen=True)
class Report:
    agent: str
    candidate: str  # the canary's image
    window: str
    prometheus: str
    results: list[analysis.Result]

    @property
    def verdict(self) -> analysis.Verdict:
        return analysis.overall(self.results)

    def failures(self) -> str:
        return "; ".join(f"{r.check}: {r.reason}" for r in self.results if r.verdict == "fail")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict, "failures": self.failures()}


def checks_of(fleet: Fleet, agent: str) -> list[Check]:
    """The agent's canary checks; a SpecError saying how to add some when there are none."""
    found = analysis.checks(fleet.agent(agent))
    if not found:
        example = "{builtin: errorRate, maxRatioToStable: 1.5}"
        where = fleet.sources.get(agent, agent)
        message = f"{agent} has no canary checks to run; add some, e.g. metrics: [{example}]"
        raise SpecError([Problem(where, "rollout.canary.analysis.metrics", message)])
    return found


def analyze(target: StackTarget, agent: str, window: str | None = None, address: str | None = None) -> Report:
    """Run every check of `agent`'s canary for both tracks over `window` (default: the spec's)."""
    fleet = target.fleet()
    checks = checks_of(fleet, agent)
    spec = fleet.agent(agent)
    prometheus = Prometheus(address or fleet.settings.prometheus_address)
    range_ = analysis.window(spec, window)
    results = []
    for check in checks:
        stable, canary = (
            prometheus.value(analysis.query(check, spec, fleet.settings, track, range_))
            for track in (analysis.STABLE, analysis.CANARY)
        )
        results.append(analysis.judge(check, stable, canary))
    candidate = spec.rollout.canary.image if spec.rollout.canary else spec.image
    report = Report(agent, candidate, range_, prometheus.address, results)
    data = (json.dumps({**report.as_json(), "at": time.time()}, indent=1) + "\n").encode()
    store = project_store(target.project, target.stack)
    if store is not None:
        store.write(verdict_key(project_name(target.project), target.stack, agent), data)
    else:
        local = _local_path(target.project, target.stack, agent)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    return report


def last_verdict(project_dir: Path, stack: str, agent: str) -> dict[str, Any] | None:
    """The last `analyze` of the agent on this stack (verdict, candidate, failures), if any."""
    store = project_store(project_dir, stack)
    try:
        if store is None:
            data = _local_path(project_dir, stack, agent).read_bytes()
        else:
            key = verdict_key(project_name(project_dir), stack, agent)
            if not store.list(key):
                return None
            data = store.read([key])[key]
        found: dict[str, Any] = json.loads(data)
    except (OSError, ValueError):
        return None
    return found


def _local_path(project_dir: Path, stack: str, agent: str) -> Path:
    return project_dir.resolve() / WORK_DIR / "analysis" / stack / f"{agent}.json"
