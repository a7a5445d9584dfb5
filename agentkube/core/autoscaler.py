"""Autoscaler (HorizontalPodAutoscaler or KEDA ScaledObject) and PodDisruptionBudget of an agent."""

from __future__ import annotations

from typing import Any

from ..spec.agent import AgentSpec
from ..spec.stack import StackSettings
from . import naming
from .keda import hpa_behavior, scale_target, scaled_object, uses_keda


def replicas(spec: AgentSpec) -> int | None:
    """The Deployment's replica count: None when autoscaled (HPA or KEDA), so `pulumi up` never fights it."""
    return None if spec.scaling.autoscale else spec.scaling.replicas


def autoscaler(
    spec: AgentSpec,
    settings: StackSettings,
    target: str | None = None,
    bounds: tuple[int, int] | None = None,
    track: str = "stable",
) -> dict[str, Any] | None:
    """The agent's (or one track's) autoscaler: a KEDA ScaledObject to scale to zero or on triggers,
    else a HorizontalPodAutoscaler; None without `autoscale`."""
    if spec.scaling.autoscale is None:
        return None
    if uses_keda(spec):
        return scaled_object(spec, settings, target, bounds, track)
    return hpa(spec, settings, target, bounds)


def hpa(
    spec: AgentSpec, settings: StackSettings, target: str | None = None, bounds: tuple[int, int] | None = None
) -> dict[str, Any] | None:
    """The agent's (or one release track's) HorizontalPodAutoscaler; `bounds` replace the spec's min and max."""
    auto = spec.scaling.autoscale
    if auto is None:
        return None
    metrics: list[dict[str, Any]] = []
    for resource, percent in (("cpu", auto.cpu_target), ("memory", auto.memory)):
        if percent:
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": percent}},
                }
            )
    for metric in auto.metrics:
        if metric.external:
            ext = metric.external
            ident: dict[str, Any] = {"name": ext.name}
            if ext.selector:
                ident["selector"] = {"matchLabels": dict(sorted(ext.selector.items()))}
            goal = (
                {"type": "AverageValue", "averageValue": ext.average_value}
                if ext.average_value
                else {"type": "Value", "value": ext.value}
            )
            metrics.append({"type": "External", "external": {"metric": ident, "target": goal}})
        elif metric.pods:
            metrics.append(
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": metric.pods.name},
                        "target": {"type": "AverageValue", "averageValue": metric.pods.average_value},
                    },
                }
            )
    body: dict[str, Any] = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": naming.metadata(spec, settings, target),
        "spec": {
            "scaleTargetRef": scale_target(spec, target),
            "minReplicas": bounds[0] if bounds else auto.min,
            "maxReplicas": bounds[1] if bounds else auto.max,
            "metrics": metrics,
        },
    }
    if behavior := hpa_behavior(auto):
        body["spec"]["behavior"] = behavior
    return body


def pdb(spec: AgentSpec, settings: StackSettings) -> dict[str, Any] | None:
    """A PodDisruptionBudget once the agent has at least 2 replicas to keep (a job agent's pods run to completion)."""
    if spec.kind == "job" or spec.scaling.min < 2:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": naming.metadata(spec, settings),
        "spec": {
            "maxUnavailable": spec.disruption.max_unavailable,
            "selector": {"matchLabels": naming.selector(spec, settings)},
        },
    }
