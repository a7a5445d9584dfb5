"""Capacity: the pods an agent may run at once, and what each agent and layer requests at min and max scale."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from ..fleet.model import Fleet
from ..spec.agent import LAYERS, AgentSpec
from ..spec.quantity import format_cpu, format_memory
from .rollout import tracks
from .workload import pod_resources


def peak_pods(spec: AgentSpec) -> int:
    """Pods an agent may hold quota for at once during a rollout of every track at max scale: the new pods
    with their rolling surge, and the old ones still in their grace period (a terminating pod counts
    against the quota until it is gone, and the rollout does not wait for it)."""
    if spec.storage is not None:  # a StatefulSet replaces a pod only once it is gone: never more than its replicas
        return spec.scaling.replicas
    surge = spec.rollout.rolling.max_surge
    total = 0
    for track in tracks(spec):
        pods = track.max_pods
        extra = math.ceil(pods * int(surge[:-1]) / 100) if isinstance(surge, str) else surge
        total += 2 * pods + (max(extra, 1) if pods else 0)
    return total


@dataclass(frozen=True)
class Row:
    agent: str
    layer: str
    strategy: str
    replicas_min: int
    replicas_max: int
    cpu_min: Decimal
    cpu_max: Decimal
    memory_min: Decimal
    memory_max: Decimal
    gpu_min: int
    gpu_max: int

    def cells(self) -> list[str]:
        return [
            self.agent,
            self.layer,
            self.strategy,
            f"{self.replicas_min}..{self.replicas_max}",
            f"{format_cpu(self.cpu_min)}..{format_cpu(self.cpu_max)}",
            f"{format_memory(self.memory_min)}..{format_memory(self.memory_max)}",
            f"{self.gpu_min}..{self.gpu_max}",
        ]

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("cpu_min", "cpu_max"):
            out[key] = format_cpu(out[key])
        for key in ("memory_min", "memory_max"):
            out[key] = format_memory(out[key])
        return out


HEADERS = ["AGENT", "LAYER", "ROLLOUT", "REPLICAS", "CPU", "MEMORY", "GPU"]


def agent_row(spec: AgentSpec) -> Row:
    """Pods of every track (both colours, stable and canary) at min and max scale."""
    all_tracks = tracks(spec)
    low, high = sum(t.min_pods for t in all_tracks), sum(t.max_pods for t in all_tracks)
    res = pod_resources(spec.resources)
    return Row(
        spec.name,
        spec.layer,
        strategy_of(spec),
        low,
        high,
        low * res.cpu_request,
        high * res.cpu_request,
        low * res.memory_request,
        high * res.memory_request,
        low * res.gpu,
        high * res.gpu,
    )


def strategy_of(spec: AgentSpec) -> str:
    """The release strategy; for a canary split by pods, the real share of pods at min and max scale."""
    rollout = spec.rollout
    if spec.scheduled and spec.job is not None:  # a CronJob
        return f"cron ({spec.job.schedule})"
    if spec.kind == "job":  # a ScaledJob: running Jobs finish on their version
        return "job (gradual)"
    if spec.storage is not None:
        return "rolling (in place)"
    if rollout.canary:
        text = f"canary {rollout.canary.weight}% ({rollout.canary.traffic}"
        by_pods = [t for t in tracks(spec)] if rollout.canary.traffic == "replicas" else []
        if len(by_pods) == 2:
            low, high = (
                round(100 * getattr(by_pods[1], f) / max(1, sum(getattr(t, f) for t in by_pods)))
                for f in ("min_pods", "max_pods")
            )
            text += f"; {low}%..{high}% of pods"
        return text + ")"
    if rollout.blue_green:
        return f"blue-green ({rollout.blue_green.active})"
    return rollout.strategy


def total(name: str, layer: str, rows: list[Row]) -> Row:
    return Row(
        name,
        layer,
        "",
        sum(r.replicas_min for r in rows),
        sum(r.replicas_max for r in rows),
        sum((r.cpu_min for r in rows), Decimal(0)),
        sum((r.cpu_max for r in rows), Decimal(0)),
        sum((r.memory_min for r in rows), Decimal(0)),
        sum((r.memory_max for r in rows), Decimal(0)),
        sum(r.gpu_min for r in rows),
        sum(r.gpu_max for r in rows),
    )


def plan(fleet: Fleet) -> tuple[list[Row], list[Row], Row]:
    """Per-agent rows (by layer, then name), per-layer totals and the fleet total."""
    rows = sorted((agent_row(a) for a in fleet.agents), key=lambda r: (LAYERS.index(r.layer), r.agent))
    layers = [
        total(f"{layer} total", layer, [r for r in rows if r.layer == layer])
        for layer in LAYERS
        if any(r.layer == layer for r in rows)
    ]
    return rows, layers, total("fleet total", "", rows)
