"""The agent's pods: Deployment, the pod template (a StatefulSet's and a job's too), probes, config and secret
wiring."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..fleet.mount_rules import container_mounts, secret_dirs
from ..spec.agent import AgentSpec
from ..spec.configuration import SecretItem
from ..spec.container import Resources
from ..spec.health import PROBE_KINDS, Probe
from ..spec.injected import dependency_env, mcp_env
from ..spec.quantity import format_cpu, format_memory, parse_quantity
from ..spec.scaling import Job
from . import naming
from .ports import default_port, port_number
from .secrets import secret_name


@dataclass(frozen=True)
class PodResources:
    """Per-pod resources after defaults: cores, bytes and GPUs."""

    cpu_request: Decimal
    cpu_limit: Decimal
    memory_request: Decimal
    memory_limit: Decimal
    gpu: int


def pod_resources(resources: Resources) -> PodResources:
    """Requests and limits with the spec's defaults applied."""
    return PodResources(
        parse_quantity(resources.requests.cpu),
        resources.cpu_limit,
        parse_quantity(resources.requests.memory),
        resources.memory_limit,
        resources.limits.gpu,
    )


def config_map_name(spec: AgentSpec) -> str:
    return object_names.config_map(spec.name)


def config_map(
    spec: AgentSpec, fleet: Fleet, name: str | None = None, immutable: bool = False
) -> dict[str, Any] | None:
    """The agent's config as a ConfigMap: mutable under its plain name (hot reload), or immutable
    under a versioned name (one per release track)."""
    if not spec.config.data:
        return None
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap"}
    if immutable:
        body["immutable"] = True
    return {
        **body,
        "metadata": naming.metadata(spec, fleet.settings, name or config_map_name(spec)),
        "data": dict(sorted(spec.config.data.items())),
    }


def deployment(
    spec: AgentSpec,
    fleet: Fleet,
    name: str | None = None,
    replicas: int | None = None,
    extra_labels: dict[str, str] | None = None,
    config_map: str | None = None,
) -> dict[str, Any]:
    """The agent's Deployment. `replicas` None leaves the count to the HorizontalPodAutoscaler."""
    settings = fleet.settings
    labels = {**naming.labels(spec, settings), **(extra_labels or {})}
    match = {**naming.selector(spec, settings), **(extra_labels or {})}
    rolling = spec.rollout.rolling
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": workload_metadata(spec, fleet, name or spec.name, labels),
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": match},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": rolling.max_surge, "maxUnavailable": rolling.max_unavailable},
            },
            "template": pod_template(spec, fleet, labels, config_map or config_map_name(spec)),
        },
    }
    if replicas is None:
        del body["spec"]["replicas"]
    return body


def workload_metadata(spec: AgentSpec, fleet: Fleet, name: str, labels: dict[str, str]) -> dict[str, Any]:
    """Metadata of an object that runs the agent's pods: its labels, the spec hash and the scanner skips."""
    return {
        "name": name,
        "namespace": naming.namespace(spec.layer, fleet.settings),
        "labels": labels,
        "annotations": {naming.SPEC_HASH: naming.spec_hash(spec), **scanner_skips(spec)},
    }


def job_spec(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    """The Job a job agent runs (a ScaledJob's per task, a CronJob's per scheduled time): its pod template
    (the stable track's labels), retries and deadline."""
    job = spec.job or Job()
    labels = {**naming.labels(spec, fleet.settings), naming.TRACK: "stable"}
    template = pod_template(spec, fleet, labels, config_map_name(spec))
    # a failed attempt gets a new pod (fresh /tmp, its own logs) until `retries` are used up
    template["spec"]["restartPolicy"] = "Never"
    target: dict[str, Any] = {"backoffLimit": job.retries, "template": template}
    if job.active_deadline_seconds is not None:
        target = {"activeDeadlineSeconds": job.active_deadline_seconds, **target}
    return target


def scanner_skips(spec: AgentSpec) -> dict[str, str]:
    """checkov skips, per object and with the reason, only where the spec asked for what a check flags."""
    reasons = []
    if "@sha256:" not in spec.image:
        reasons.append("CKV_K8S_43=pinned by version tag; prod refuses unpinned tags; use @sha256 to pin by digest")
    if any(item.env for item in spec.secrets):
        reasons.append("CKV_K8S_35=the spec asks for secrets[].env; secrets[].path mounts them as files instead")
    if spec.security.run_as_user < 10000:
        reasons.append(f"CKV_K8S_40=security.runAsUser {spec.security.run_as_user} is set explicitly in the spec")
    return {f"checkov.io/skip{i}": reason for i, reason in enumerate(reasons, start=1)}


def pod_template(spec: AgentSpec, fleet: Fleet, labels: dict[str, str], config_map: str) -> dict[str, Any]:
    settings = fleet.settings
    annotations: dict[str, str] = {}
    if spec.config.data and spec.config.reload == "restart":
        annotations[naming.CONFIG_HASH] = naming.content_hash(spec.config.data)
    if spec.tracing:  # the OpenTelemetry operator injects the language's SDK
        annotations[f"instrumentation.opentelemetry.io/inject-{spec.tracing.inject}"] = "true"
    if spec.metrics:
        annotations.update(
            {
                "prometheus.io/scrape": "true",
                "prometheus.io/path": spec.metrics.path,
                "prometheus.io/port": str(port_number(spec, spec.metrics.port)),
            }
        )
    sec = spec.security
    pod: dict[str, Any] = {
        "serviceAccountName": spec.name,
        "automountServiceAccountToken": sec.service_account_token,
        "enableServiceLinks": False,
        "priorityClassName": naming.priority_class(spec.layer, settings),
        "terminationGracePeriodSeconds": spec.shutdown.grace_period_seconds,
        "securityContext": {
            "runAsNonRoot": sec.run_as_non_root,
            "runAsUser": sec.run_as_user,
            "runAsGroup": sec.run_as_group,
            "fsGroup": sec.run_as_group,
            "seccompProfile": {"type": sec.seccomp_profile},
        },
        "containers": [container(spec, fleet, config_map)],
        "volumes": volumes(spec, config_map),
    }
    if spec.storage:  # a large volume keeps its ownership: no recursive chown at every start
        pod["securityContext"]["fsGroupChangePolicy"] = "OnRootMismatch"
    if spec.isolation:
        pod["runtimeClassName"] = spec.isolation.runtime_class
    if spec.scheduling.node_selector:
        pod["nodeSelector"] = dict(sorted(spec.scheduling.node_selector.items()))
    tolerations = [t.model_dump(exclude_none=True) for t in spec.scheduling.tolerations]
    if spec.resources.limits.gpu:
        tolerations.append({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"})
    if tolerations:
        pod["tolerations"] = tolerations
    if spec.scheduling.spread_across_zones:
        pod["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": key,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": naming.selector(spec, settings)},
            }
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
        ]
    metadata: dict[str, Any] = {"labels": dict(labels)}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": pod}


def container(spec: AgentSpec, fleet: Fleet, config_map: str) -> dict[str, Any]:
    res = pod_resources(spec.resources)
    limits: dict[str, str] = {"cpu": format_cpu(res.cpu_limit), "memory": format_memory(res.memory_limit)}
    requests: dict[str, str] = {"cpu": format_cpu(res.cpu_request), "memory": format_memory(res.memory_request)}
    if res.gpu:
        limits["nvidia.com/gpu"] = requests["nvidia.com/gpu"] = str(res.gpu)
    if spec.isolation:  # a scratch disk of known size: a runaway task fills its own, not the node's
        limits["ephemeral-storage"] = requests["ephemeral-storage"] = spec.isolation.ephemeral_storage
    sec = spec.security
    body: dict[str, Any] = {
        "name": spec.name,
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent" if "@sha256:" in spec.image else "Always",
        "command": spec.command,
        "args": spec.args,
        "ports": [{"name": p.name, "containerPort": p.port, "protocol": p.protocol} for p in spec.ports] or None,
        "env": env(spec, fleet, config_map) or None,
        "resources": {"requests": requests, "limits": limits},
        "securityContext": {
            "runAsNonRoot": sec.run_as_non_root,
            "runAsUser": sec.run_as_user,
            "readOnlyRootFilesystem": sec.read_only_root_filesystem,
            "allowPrivilegeEscalation": sec.allow_privilege_escalation,
            "capabilities": {
                "drop": ["ALL"],
                **({"add": sorted(sec.add_capabilities)} if sec.add_capabilities else {}),
            },
            "seccompProfile": {"type": sec.seccomp_profile},
        },
        "volumeMounts": volume_mounts(spec),
        "lifecycle": {"preStop": {"sleep": {"seconds": spec.shutdown.drain_seconds}}}
        if spec.shutdown.drain_seconds
        else None,
        **probes(spec),
    }
    return {k: v for k, v in body.items() if v is not None}


def env(spec: AgentSpec, fleet: Fleet, config_map: str) -> list[dict[str, Any]]:
    """Tracing, plain env, dependency URLs, secret references and (for restart config) config keys."""
    out = [e for e in tracing_env(spec, fleet) if e["name"] not in spec.env]
    out += [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    for dep in map(fleet.agent, spec.depends_on):
        out.append({"name": dependency_env(dep.name), "value": naming.service_url(dep, fleet.settings)})
        if (mcp := naming.mcp_url(dep, fleet.settings)) is not None:
            out.append({"name": mcp_env(dep.name), "value": mcp})
    for item in spec.secrets:
        if item.env:
            name, key = _secret_source(spec, item)
            out.append({"name": item.env, "valueFrom": {"secretKeyRef": {"name": name, "key": key}}})
    out += [
        {"name": k, "valueFrom": {"configMapKeyRef": {"name": config_map, "key": k}}} for k in spec.config.env_keys()
    ]
    return out


def tracing_env(spec: AgentSpec, fleet: Fleet) -> list[dict[str, Any]]:
    """OpenTelemetry's resource: the agent, its version, the environment and the release track (read from
    the pod's own label, so every track's pods say which they are); the collector when the stack has one.
    Variables the spec's `env` sets win."""
    settings = fleet.settings
    attributes = {
        "service.version": spec.resolved_version,
        "deployment.environment": settings.environment,
        "agentkube.track": "$(AGENTKUBE_TRACK)",
    }
    out: list[dict[str, Any]] = [
        {"name": "AGENTKUBE_TRACK", "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{naming.TRACK}']"}}},
        {"name": "OTEL_SERVICE_NAME", "value": spec.name},
        {"name": "OTEL_RESOURCE_ATTRIBUTES", "value": ",".join(f"{k}={v}" for k, v in attributes.items())},
    ]
    if settings.otel_endpoint:
        out.append({"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": settings.otel_endpoint})
    return out


def _secret_source(spec: AgentSpec, item: SecretItem) -> tuple[str, str]:
    if item.secret_ref:
        return item.secret_ref.name, item.secret_ref.key
    return secret_name(spec), item.config or ""  # the model requires exactly one of the two


def volumes(spec: AgentSpec, config_map: str) -> list[dict[str, Any]]:
    scratch = spec.isolation.ephemeral_storage if spec.isolation else "1Gi"
    out: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {"sizeLimit": scratch}}]
    if spec.config.data:
        out.append({"name": "config", "configMap": {"name": config_map}})
    for i, items in enumerate(secret_dirs(spec).values()):
        sources = []
        for _, item in items:
            name, key = _secret_source(spec, item)
            sources.append(
                {"secret": {"name": name, "items": [{"key": key, "path": posixpath.basename(item.path or "")}]}}
            )
        out.append({"name": f"secrets-{i}", "projected": {"sources": sources, "defaultMode": 0o440}})
    return out


def volume_mounts(spec: AgentSpec) -> list[dict[str, Any]]:
    # whole directories, never subPath: kubelet only refreshes files of directory mounts
    return [
        {"name": m.volume, "mountPath": m.path, **({"readOnly": True} if m.read_only else {})}
        for m in container_mounts(spec)
    ]


def probes(spec: AgentSpec) -> dict[str, Any]:
    """Readiness, liveness and startup probes; TCP on the first port where the spec gives none."""
    out: dict[str, Any] = {}
    first = default_port(spec)
    for kind in PROBE_KINDS:
        if (probe := spec.health.probe(kind, first)) is not None:
            out[f"{kind}Probe"] = probe_body(spec, probe)
    return out


def probe_body(spec: AgentSpec, probe: Probe) -> dict[str, Any]:
    if probe.http:
        handler: dict[str, Any] = {
            "httpGet": {"path": probe.http.path, "port": probe.http.port, "scheme": probe.http.scheme}
        }
    elif probe.tcp:
        handler = {"tcpSocket": {"port": probe.tcp.port}}
    elif probe.grpc:
        # the gRPC probe takes only a number
        grpc: dict[str, Any] = {"port": port_number(spec, probe.grpc.port)}
        if probe.grpc.service:
            grpc["service"] = probe.grpc.service
        handler = {"grpc": grpc}
    else:
        handler = {"exec": {"command": probe.exec.command if probe.exec else []}}  # the model requires one
    # 0 is Kubernetes' default and its API (and so Pulumi's render) drops it: leave it out too
    delay = {"initialDelaySeconds": probe.initial_delay_seconds} if probe.initial_delay_seconds else {}
    return {
        **handler,
        **delay,
        "periodSeconds": probe.period_seconds,
        "timeoutSeconds": probe.timeout_seconds,
        "failureThreshold": probe.failure_threshold,
    }
