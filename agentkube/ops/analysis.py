"""`agentkube analyze`: the canary's checks against Prometheus, for the stable and the canary track."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core import analysis
from ..fleet.files import load_fleet
from ..spec.problems import Problem, SpecError, did_you_mean
from .prometheus import Prometheus


@dataclass(frozen=True)
class Report:
    agent: str
    window: str
    prometheus: str
    results: list[analysis.Result]

    @property
    def verdict(self) -> analysis.Verdict:
        return analysis.overall(self.results)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def analyze(
    project_dir: Path, agents_dir: Path, stack: str, agent: str, window: str | None = None, address: str | None = None
) -> Report:
    """Run every check of `agent`'s canary for both tracks over `window` (default: the spec's)."""
    fleet = load_fleet(agents_dir, stack, project_dir, check_secrets=False)
    names = [a.name for a in fleet.agents]
    if agent not in names:
        raise SpecError([Problem("agents/", "", f"no agent named '{agent}'{did_you_mean(agent, names)}")])
    spec = fleet.agent(agent)
    checks = analysis.checks(spec)
    if not checks:
        example = "{builtin: errorRate, maxRatioToStable: 1.5}"
        raise SpecError(
            [
                Problem(
                    fleet.sources.get(agent, agent),
                    "rollout.canary.analysis.metrics",
                    f"{agent} has no canary checks to run; add some, e.g. metrics: [{example}]",
                )
            ]
        )
    prometheus = Prometheus(address or fleet.settings.prometheus_address)
    range_ = analysis.window(spec, window)
    results = []
    for check in checks:
        stable, canary = (
            prometheus.value(analysis.query(check, spec, fleet.settings, track, range_))
            for track in (analysis.STABLE, analysis.CANARY)
        )
        results.append(analysis.judge(check, stable, canary))
    return Report(agent, range_, prometheus.address, results)
