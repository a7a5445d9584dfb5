"""Canary analysis, pure: each check's PromQL for a track, and the verdict on the two tracks' values.

Series are told apart by three labels, which a scrape keeps from the pods (see the scrape relabelling in
docs/guides/releases-and-analysis.md): `namespace`, `agent` (from `app.kubernetes.io/name`) and `track`
(from `agentkube.io/track`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from ..spec import placeholders
from ..spec.agent import AgentSpec
from ..spec.delivery import Check
from ..spec.stack import StackSettings
from . import naming

Verdict = Literal["pass", "fail", "inconclusive"]
STABLE, CANARY = "stable", "canary"
SELECTOR = 'namespace="$namespace",agent="$agent",track="$track"'
SCRAPED = {  # series label <- pod label
    "agent": "app.kubernetes.io/name",
    "track": naming.TRACK,
    "rollouts_pod_template_hash": "rollouts-pod-template-hash",  # Argo's tracks (traffic: argo)
}
ARGO_TRACKS = {STABLE: "{{args.stable-hash}}", CANARY: "{{args.canary-hash}}"}
# a `track` label matcher on the $track placeholder: with traffic: argo it matches Argo's hash label instead
TRACK_MATCHER = re.compile(r'(?<![A-Za-z0-9_])track(\s*(?:=~|!~|!=|=)\s*"\$(?:track|\{track\})")')


def _ratio(part: str, whole: str) -> str:
    # `or vector(0)`: no error series at all is a rate of 0, not "no data"; no requests stays no data
    return f"(sum(rate({part}[$window])) or vector(0)) / sum(rate({whole}[$window]))"


BUILTINS: dict[str, str] = {
    "errorRate": _ratio(f'http_requests_total{{{SELECTOR},code=~"5.."}}', f"http_requests_total{{{SELECTOR}}}"),
    "latencyP95": f"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{SELECTOR}}}"
    "[$window])))",
    "toolErrorRate": _ratio(
        f'agent_tool_calls_total{{{SELECTOR},outcome="error"}}', f"agent_tool_calls_total{{{SELECTOR}}}"
    ),
    "tokensPerRequest": f"sum(rate(agent_llm_tokens_total{{{SELECTOR}}}[$window])) / "
    f"sum(rate(agent_requests_total{{{SELECTOR}}}[$window]))",
    "costPerRequest": f"sum(rate(agent_llm_cost_dollars_total{{{SELECTOR}}}[$window])) / "
    f"sum(rate(agent_requests_total{{{SELECTOR}}}[$window]))",
    "evalScore": f"avg(avg_over_time(agent_eval_score{{{SELECTOR}}}[$window]))",
}


def checks(spec: AgentSpec) -> list[Check]:
    """The agent's canary checks (none without a canary or an analysis)."""
    canary = spec.rollout.canary
    return list(canary.analysis.metrics) if canary and canary.analysis else []


def window(spec: AgentSpec, override: str | None = None) -> str:
    canary = spec.rollout.canary
    return override or (canary.analysis.window if canary and canary.analysis else "5m")


def query(check: Check, spec: AgentSpec, settings: StackSettings, track: str, range_: str) -> str:
    """The check's PromQL for one track of the agent."""
    text = check.query if check.query is not None else BUILTINS[str(check.builtin)]
    return filled(text, spec, settings, track, range_)


def filled(text: str, spec: AgentSpec, settings: StackSettings, track: str, range_: str) -> str:
    """A query of the agent's analysis with its placeholders filled in (spec/placeholders.py), the rest as
    written. Argo Rollouts (`traffic: argo`) runs both tracks from one pod template of ours: there a
    `track="$track"` matcher selects Argo's pod-template hash instead."""
    if track in ARGO_TRACKS.values():
        text = TRACK_MATCHER.sub(r"rollouts_pod_template_hash\1", text)
    values = {"agent": spec.name, "namespace": naming.namespace(spec.layer, settings), "track": track}
    return placeholders.fill(text, {**values, "window": range_})


def bounds(check: Check) -> str:
    """The check's bounds as a reader writes them: `<= 0.05`, `<= 1.5x stable`."""
    parts = []
    if check.max is not None:
        parts.append(f"<= {check.max:g}")
    if check.min is not None:
        parts.append(f">= {check.min:g}")
    if check.max_ratio_to_stable is not None:
        parts.append(f"<= {check.max_ratio_to_stable:g}x stable")
    if check.min_ratio_to_stable is not None:
        parts.append(f">= {check.min_ratio_to_stable:g}x stable")
    return ", ".join(parts)


@dataclass(frozen=True)
class Result:
    """One check judged: both tracks' values (None: no data), its bounds, verdict and why."""

    check: str
    stable: float | None
    canary: float | None
    bounds: str
    verdict: Verdict
    reason: str


def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def judge(check: Check, stable: float | None, canary: float | None) -> Result:
    """Pass only on data: a missing or NaN value (no requests in the window) is inconclusive."""

    def result(verdict: Verdict, reason: str) -> Result:
        return Result(check.title, stable, canary, bounds(check), verdict, reason)

    if not _known(canary):
        return result("inconclusive", "no data for the canary")
    assert canary is not None
    if check.max is not None and canary > check.max:
        return result("fail", f"canary {canary:.4g} > {check.max:g}")
    if check.min is not None and canary < check.min:
        return result("fail", f"canary {canary:.4g} < {check.min:g}")
    relative = check.max_ratio_to_stable is not None or check.min_ratio_to_stable is not None
    if relative and not _known(stable):
        return result("inconclusive", "no data for stable to compare with")
    if check.max_ratio_to_stable is not None and stable is not None and canary > stable * check.max_ratio_to_stable:
        return result("fail", f"canary {canary:.4g} > {check.max_ratio_to_stable:g} x stable {stable:.4g}")
    if check.min_ratio_to_stable is not None and stable is not None and canary < stable * check.min_ratio_to_stable:
        return result("fail", f"canary {canary:.4g} < {check.min_ratio_to_stable:g} x stable {stable:.4g}")
    return result("pass", "within bounds")


def overall(results: list[Result]) -> Verdict:
    """fail when any check fails; pass only when every check passed (no checks: inconclusive)."""
    verdicts = {r.verdict for r in results}
    if "fail" in verdicts:
        return "fail"
    return "pass" if verdicts == {"pass"} else "inconclusive"


def argo_metrics(
    spec: AgentSpec, settings: StackSettings, interval: str, count: int, limit: int
) -> list[dict[str, Any]]:
    """The checks as Argo Rollouts AnalysisTemplate metrics: an absolute bound on the canary's value, a
    relative one on the ratio canary / stable (the template's args carry both pod-template hashes)."""
    out = []
    range_ = window(spec)
    for check in checks(spec):
        canary, stable = (query(check, spec, settings, ARGO_TRACKS[t], range_) for t in (CANARY, STABLE))
        absolute = [f"result[0] <= {check.max:g}"] if check.max is not None else []
        absolute += [f"result[0] >= {check.min:g}"] if check.min is not None else []
        relative = [f"result[0] <= {check.max_ratio_to_stable:g}"] if check.max_ratio_to_stable is not None else []
        relative += [f"result[0] >= {check.min_ratio_to_stable:g}"] if check.min_ratio_to_stable is not None else []
        for name, condition, text in (
            (check.title, absolute, canary),
            (f"{check.title}-vs-stable", relative, f"({canary}) / ({stable})"),
        ):
            if condition:
                out.append(
                    {
                        "name": name,
                        "interval": interval,
                        "count": count,
                        "failureLimit": limit,
                        "successCondition": " && ".join(condition),
                        "provider": {"prometheus": {"address": settings.prometheus_address, "query": text}},
                    }
                )
    return out
