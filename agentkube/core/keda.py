"""KEDA objects of an agent: a ScaledObject (scale to zero, event triggers), a ScaledJob (`kind: job`)
and the TriggerAuthentications that give KEDA a trigger's credentials by Secret reference."""

from __future__ import annotations

import json
from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..spec import placeholders
from ..spec.agent import AgentSpec
from ..spec.quantity import parse_quantity
from ..spec.scaling import Autoscale, Job, Trigger
from ..spec.stack import StackSettings
from . import naming
from .workload import job_spec, workload_metadata

KEDA = "keda.sh/v1alpha1"


def uses_keda(spec: AgentSpec) -> bool:
    """KEDA scales the agent: a job agent (but a scheduled one), or an autoscaler that goes to zero or has triggers."""
    auto = spec.scaling.autoscale
    return (spec.kind == "job" and not spec.scheduled) or (auto is not None and auto.keda)


def number(quantity: str) -> str:
    """A Kubernetes quantity as the plain number KEDA parses: '500m' -> '0.5', '2k' -> '2000'."""
    return format(parse_quantity(quantity).normalize(), "f")


def promql(metric: str, labels: dict[str, str]) -> str:
    """`sum(metric{k="v",...})`, the labels sorted and their values quoted as PromQL strings."""
    inner = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return f"sum({metric}{{{inner}}})" if inner else f"sum({metric})"


def auth_name(spec: AgentSpec, index: int) -> str:
    """The TriggerAuthentication of trigger `index` of the agent."""
    return object_names.trigger_authentication(spec.name, index)


def triggers(spec: AgentSpec, settings: StackSettings, track: str = "stable") -> list[dict[str, Any]]:
    """The agent's scaling signals as KEDA triggers: cpu and memory, its metrics as Prometheus queries
    (an external metric by its name and selector; a per-pod metric over the track's pods), then `triggers`."""
    auto = spec.scaling.autoscale
    if auto is None:
        return []
    out: list[dict[str, Any]] = [
        {"type": resource, "metricType": "Utilization", "metadata": {"value": str(percent)}}
        for resource, percent in (("cpu", auto.cpu_target), ("memory", auto.memory))
        if percent
    ]
    for metric in auto.metrics:
        if metric.external:
            ext = metric.external
            target = ext.average_value or ext.value or "1"  # the model requires exactly one of the two
            trigger = _prometheus(settings, promql(ext.name, ext.selector), target)
            if ext.value is not None:
                trigger["metricType"] = "Value"
            out.append(trigger)
        elif metric.pods:
            # the labels the scrape config keeps (docs/guides/releases-and-analysis.md): one track's pods,
            # as the HPA's Pods metric counts them
            pods = {"namespace": naming.namespace(spec.layer, settings), "agent": spec.name, "track": track}
            out.append(_prometheus(settings, promql(metric.pods.name, pods), metric.pods.average_value))
    out += [_trigger(spec, settings, i, t, track) for i, t in enumerate(auto.triggers)]
    return out


def _prometheus(settings: StackSettings, query: str, threshold: str) -> dict[str, Any]:
    return {
        "type": "prometheus",
        "metadata": {"serverAddress": settings.prometheus_address, "query": query, "threshold": number(threshold)},
    }


def _trigger(spec: AgentSpec, settings: StackSettings, index: int, trigger: Trigger, track: str) -> dict[str, Any]:
    if trigger.prometheus:  # the analysis placeholders but $window (spec/placeholders.py), filled per track
        values = {"agent": spec.name, "namespace": naming.namespace(spec.layer, settings), "track": track}
        return _prometheus(settings, placeholders.fill(trigger.prometheus.query, values), trigger.prometheus.threshold)
    if trigger.redis:
        redis = trigger.redis
        return {
            "type": "redis",
            "metadata": {"address": redis.address, "listName": redis.list, "listLength": str(redis.length)},
        }
    if trigger.rabbitmq:
        rabbit = trigger.rabbitmq  # the host URL holds the password: KEDA reads it from the Secret
        return {
            "type": "rabbitmq",
            "metadata": {"mode": "QueueLength", "value": str(rabbit.length), "queueName": rabbit.queue},
            "authenticationRef": {"name": auth_name(spec, index)},
        }
    kafka = trigger.kafka
    if kafka is None:  # the model requires exactly one source
        raise ValueError(f"trigger {index} of {spec.name} has no source")
    return {
        "type": "kafka",
        "metadata": {
            "bootstrapServers": ",".join(kafka.bootstrap_servers),
            "topic": kafka.topic,
            "consumerGroup": kafka.consumer_group,
            "lagThreshold": str(kafka.lag_threshold),
        },
    }


def trigger_authentications(spec: AgentSpec, settings: StackSettings) -> list[dict[str, Any]]:
    """A TriggerAuthentication per trigger that needs credentials, pointing KEDA at the Secret's key."""
    auto = spec.scaling.autoscale
    out = []
    for i, trigger in enumerate(auto.triggers if auto else []):
        if trigger.rabbitmq:
            ref = trigger.rabbitmq.host_from_secret
            out.append(
                {
                    "apiVersion": KEDA,
                    "kind": "TriggerAuthentication",
                    "metadata": naming.metadata(spec, settings, auth_name(spec, i)),
                    "spec": {"secretTargetRef": [{"parameter": "host", "name": ref.name, "key": ref.key}]},
                }
            )
    return out


def scale_target(spec: AgentSpec, target: str | None = None) -> dict[str, str]:
    """The Deployment an autoscaler (HPA or ScaledObject) scales: the agent's, or one track's `target`."""
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": target or spec.name}


def hpa_behavior(auto: Autoscale) -> dict[str, Any]:
    """The HPA `behavior` of the spec's stabilization windows; KEDA hands the same block to the HPA it runs."""
    return {
        direction: {"stabilizationWindowSeconds": b.stabilization_seconds}
        for direction, b in (("scaleUp", auto.scale_up), ("scaleDown", auto.scale_down))
        if b
    }


def scaled_object(
    spec: AgentSpec,
    settings: StackSettings,
    target: str | None = None,
    bounds: tuple[int, int] | None = None,
    track: str = "stable",
) -> dict[str, Any]:
    """The ScaledObject of the agent's (or one track's) Deployment; `bounds` replace the spec's min and max."""
    auto = _autoscale(spec)
    body: dict[str, Any] = {
        "apiVersion": KEDA,
        "kind": "ScaledObject",
        "metadata": naming.metadata(spec, settings, target),
        "spec": {
            "scaleTargetRef": scale_target(spec, target),
            "minReplicaCount": bounds[0] if bounds else auto.min,
            "maxReplicaCount": bounds[1] if bounds else auto.max,
            "triggers": triggers(spec, settings, track),
        },
    }
    if auto.cooldown_seconds is not None:
        body["spec"]["cooldownPeriod"] = auto.cooldown_seconds
    if behavior := hpa_behavior(auto):
        body["spec"]["advanced"] = {"horizontalPodAutoscalerConfig": {"behavior": behavior}}
    return body


def scaled_job(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    """A `kind: job` agent: a Job per task, on the pod template its Deployment would have had. Updates roll
    out gradually, so running Jobs finish on their version."""
    settings = fleet.settings
    auto = _autoscale(spec)
    job = spec.job or Job()
    return {
        "apiVersion": KEDA,
        "kind": "ScaledJob",
        "metadata": workload_metadata(spec, fleet, spec.name, naming.labels(spec, settings)),
        "spec": {
            "jobTargetRef": job_spec(spec, fleet),
            "pollingInterval": job.polling_interval,
            "successfulJobsHistoryLimit": job.successful_history,
            "failedJobsHistoryLimit": job.failed_history,
            "minReplicaCount": auto.min,
            "maxReplicaCount": auto.max,
            "rollout": {"strategy": "gradual"},
            "triggers": triggers(spec, settings),
        },
    }


def _autoscale(spec: AgentSpec) -> Autoscale:
    if spec.scaling.autoscale is None:  # validation gives every KEDA-scaled agent an autoscale block
        raise ValueError(f"{spec.name} is scaled by KEDA but has no scaling.autoscale")
    return spec.scaling.autoscale
