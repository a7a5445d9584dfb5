"""Stack settings: the `agentkube:` namespace of a Pulumi stack's config."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from .addresses import collector_destination
from .base import DnsLabel, DnsSubdomain, LabelMap, Model
from .patterns import DNS_LABEL, SERVICE_URL


class Gateway(Model):
    """A Gateway API Gateway that HTTPRoutes attach to."""

    name: DnsSubdomain = Field(description="Gateway name (a DNS subdomain).")
    namespace: DnsLabel = Field("default", description="Gateway namespace (a DNS label).")


class StackSettings(Model):
    """Per-environment settings; each field is `agentkube:<field>` in `Pulumi.<stack>.yaml`."""

    agents_dir: str = Field(
        "agents",
        min_length=1,
        description="Directory of the agent specs, relative to the project (the directory of `Pulumi.yaml`): what "
        "`pulumi up` reads and the default of every command's `--agents`. A command that deploys refuses an "
        "`--agents` that is not this directory.",
    )
    environment: str = Field("dev", pattern=DNS_LABEL, description="Environment name, free to choose.")
    production: bool = Field(
        False, description="A production stack: every image of every track must be pinned (tag or digest)."
    )
    namespace: str = Field(
        "agentkube", pattern=DNS_LABEL, max_length=40, description="Namespace prefix: `<namespace>-<layer>` per layer."
    )
    fold_layers: bool = Field(False, description="Put all layers in the one namespace `<namespace>`.")
    registry: str | None = Field(None, description="Registry prefixed to images that name none.")
    defaults: dict[str, Any] = Field(
        default_factory=dict,
        description="Spec fields merged under every agent, each where the agent has a use for it: e.g. "
        "`scaling.replicas` not for autoscaled or job agents, `job` for job agents only.",
    )
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per agent name, spec fields merged over its spec."
    )
    labels: LabelMap = Field(default_factory=dict, description="Labels added to every object (label keys and values).")
    min_replicas: int = Field(
        0,
        ge=0,
        description="Fewest replicas any serving agent may run (2 in prod for HA); agents that scale to zero "
        "(`scaling.autoscale.min: 0`) and job agents are exempt, as their work waits in a queue.",
    )
    ingress_class: DnsSubdomain = Field(
        "nginx", description="IngressClass of `expose` Ingresses (the name of an IngressClass: a DNS subdomain)."
    )
    ingress_namespace: DnsLabel = Field(
        "ingress-nginx", description="Namespace of the ingress controller, allowed in by network policy."
    )
    monitoring_namespace: DnsLabel = Field(
        "monitoring", description="Namespace of Prometheus, allowed to scrape `metrics` ports."
    )
    gateway: Gateway | None = Field(None, description="Parent Gateway for `traffic: gateway` canaries.")
    prometheus_address: str = Field(
        "http://prometheus.monitoring.svc:9090",
        pattern=SERVICE_URL,
        description="Prometheus that canary analysis and KEDA triggers query (`agentkube analyze`, `release`, Argo "
        "Rollouts, KEDA): its root URL, `http://HOST:PORT` or `https://HOST:PORT`, no path or query.",
    )
    prometheus_operator: bool = Field(
        False,
        description="The cluster runs the Prometheus Operator: each agent with `metrics` gets a PodMonitor that "
        "keeps its agent and track labels for canary analysis.",
    )
    network_policy: Literal["kubernetes", "cilium"] = Field(
        "kubernetes",
        description="Policy engine of the cluster. cilium: each agent's `egress` hosts become a "
        "CiliumNetworkPolicy `toFQDNs` allow-list; kubernetes: NetworkPolicies can only narrow egress to the "
        "hosts' ports.",
    )
    runtime_classes: list[DnsSubdomain] = Field(
        default_factory=list,
        description="RuntimeClasses installed in the cluster (e.g. gvisor, kata) that `isolation.runtimeClass` "
        "may name.",
    )
    kubectl_image: str | None = Field(
        None,
        description="An image with kubectl, for the CronJob that recycles `sandbox.maxLifetime` pools.",
    )
    otel_endpoint: str | None = Field(
        None,
        description="OpenTelemetry collector (`http://host:port`) every pod exports to (OTEL_EXPORTER_OTLP_ENDPOINT), "
        "with the egress to reach it: an in-cluster name (`otel-collector.observability`, `...svc`, "
        "`...svc.cluster.local`) opens its namespace and port, a public host its port, an IP address its ipBlock.",
    )
    gateway_channel: Literal["standard", "experimental"] = Field(
        "standard",
        description="Gateway API channel of the cluster's CRDs; `rollout.canary.sticky` needs experimental "
        "(HTTPRoute session persistence).",
    )
    keda: bool = Field(
        False,
        description="The cluster runs KEDA: agents may scale to zero (`scaling.autoscale.min: 0`), on "
        "`triggers`, and run as `kind: job`.",
    )
    render_dir: str | None = Field(
        None, description="Render manifests to this directory instead of a cluster (Pulumi's render mode)."
    )
    kubeconfig: str | None = Field(
        None, description="Kubeconfig file of the target cluster (default: the usual lookup)."
    )
    context: str | None = Field(None, description="Kubeconfig context of the target cluster.")
    local_cluster: bool = Field(
        False,
        description="Deploy to the project's own local control plane (`agentkube cluster up`; `scripts/up` "
        "starts it), instead of `kubeconfig`/`context`.",
    )
    await_seconds: int = Field(
        600,
        ge=10,
        description="How long `pulumi up` waits for each object to be ready (a Deployment: every pod Available) "
        "before it fails; the failed object names why. Pulumi's default is 10 minutes.",
    )
    await_ingress: bool = Field(
        False,
        description="Wait for an ingress controller to publish an address on `expose` Ingresses; leave off "
        "where none runs, or `pulumi up` waits 10 minutes for it.",
    )

    @field_validator("local_cluster")
    @classmethod
    def _one_target(cls, local: bool, info: ValidationInfo) -> bool:
        others = [
            name
            for name, key in (("renderDir", "render_dir"), ("kubeconfig", "kubeconfig"), ("context", "context"))
            if info.data.get(key)
        ]
        if local and others:
            raise ValueError(f"true while {' and '.join(others)} is set too, expected one target for the stack")
        return local

    @field_validator("otel_endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        collector_destination(url)  # what it names, or why it names nothing (the more precise message)
        if not re.fullmatch(SERVICE_URL, url):
            raise ValueError(
                f"'{url}' is not a collector URL, expected http(s)://host[:port], e.g. "
                "http://otel-collector.observability.svc:4318"
            )
        return url
