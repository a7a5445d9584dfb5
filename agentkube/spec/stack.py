"""Stack settings: the `agentkube:` namespace of a Pulumi stack's config."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .agent import DNS_LABEL, Model


class Gateway(Model):
    """A Gateway API Gateway that HTTPRoutes attach to."""

    name: str = Field(description="Gateway name.")
    namespace: str = Field("default", description="Gateway namespace.")


class StackSettings(Model):
    """Per-environment settings; each field is `agentkube:<field>` in `Pulumi.<stack>.yaml`."""

    environment: str = Field("dev", pattern=DNS_LABEL, description="Environment name; `prod` refuses unpinned images.")
    namespace: str = Field(
        "agentkube", pattern=DNS_LABEL, max_length=40, description="Namespace prefix: `<namespace>-<layer>` per layer."
    )
    fold_layers: bool = Field(False, description="Put all layers in the one namespace `<namespace>`.")
    registry: str | None = Field(None, description="Registry prefixed to images that name none.")
    defaults: dict[str, Any] = Field(default_factory=dict, description="Spec fields merged under every agent.")
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per agent name, spec fields merged over its spec."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Labels added to every object.")
    min_replicas: int = Field(0, ge=0, description="Fewest replicas any agent may run (2 in prod for HA).")
    ingress_class: str = Field("nginx", description="IngressClass of `expose` Ingresses.")
    ingress_namespace: str = Field(
        "ingress-nginx", description="Namespace of the ingress controller, allowed in by network policy."
    )
    monitoring_namespace: str = Field(
        "monitoring", description="Namespace of Prometheus, allowed to scrape `metrics` ports."
    )
    gateway: Gateway | None = Field(None, description="Parent Gateway for `traffic: gateway` canaries.")
    prometheus_address: str = Field(
        "http://prometheus.monitoring.svc:9090", description="Prometheus that Argo Rollouts analysis queries."
    )
    render_dir: str | None = Field(
        None, description="Render manifests to this directory instead of a cluster (Pulumi's render mode)."
    )
    kubeconfig: str | None = Field(
        None, description="Kubeconfig file of the target cluster (default: the usual lookup)."
    )
    context: str | None = Field(None, description="Kubeconfig context of the target cluster.")

    @property
    def prod(self) -> bool:
        return self.environment == "prod"
