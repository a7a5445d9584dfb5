"""One Kubernetes object of the core as one typed pulumi_kubernetes resource."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..core.secrets import ConfigSecret

SecretSource = Callable[[str], pulumi.Output[str]]

# Pulumi's annotations, on a cluster only (rendered files carry neither):
# - PATCH_FORCE: on a field conflict with another manager (a `kubectl set image`, `kubectl scale` or edit
#   behind Pulumi's back) the declared value wins, so `pulumi up --refresh` repairs drift instead of
#   failing. Only fields agentkube declares are taken: an autoscaled Deployment's replicas stay the HPA's.
# - SKIP_AWAIT on Services: the provider's Service await sleeps 10 s after each change of its endpoints
#   (to let them "settle"), on the path of every `dependsOn` chain; the Deployment's own await already
#   proves that the pods behind the Service are ready.
# - SKIP_AWAIT on Ingresses unless the stack sets awaitIngress: no controller would ever publish an
#   address, and the provider would wait for one until the timeout.
PATCH_FORCE = "pulumi.com/patchForce"
SKIP_AWAIT = "pulumi.com/skipAwait"


def cluster_annotations(kind: str, await_ingress: bool = False) -> dict[str, str]:
    """What an object of `kind` carries when it goes to a cluster (`await_ingress`: the stack's awaitIngress)."""
    skip = kind == "Service" or (kind == "Ingress" and not await_ingress)
    return {PATCH_FORCE: "true", **({SKIP_AWAIT: "true"} if skip else {})}


def resource_class(api_version: str, kind: str) -> type[pulumi.CustomResource] | None:
    """The typed pulumi_kubernetes class of an object, or None for kinds the SDK lacks (CRDs)."""
    group, _, version = api_version.rpartition("/")
    module_name = "core" if not group else group.split(".")[0]
    try:
        module = importlib.import_module(f"pulumi_kubernetes.{module_name}.{version}")
    except ModuleNotFoundError:
        return None
    return getattr(module, kind, None)


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def _with_secrets(value: Any, secret: SecretSource) -> Any:
    if isinstance(value, ConfigSecret):
        return secret(value.key)
    if isinstance(value, dict):
        return {k: _with_secrets(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_secrets(v, secret) for v in value]
    return value


def register(
    obj: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    secret: SecretSource,
    live: bool = False,
    await_ingress: bool = False,
) -> pulumi.CustomResource:
    """One Kubernetes object as one Pulumi resource, named `namespace/name` (type is in the URN);
    `live` (deployed to a cluster) adds its `cluster_annotations`."""
    meta = obj["metadata"]
    name = f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
    added = cluster_annotations(obj["kind"], await_ingress) if live else {}
    annotations = {**meta.get("annotations", {}), **added}
    body = _with_secrets(
        {
            **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")},
            # no empty annotations: a custom resource would carry `annotations: {}` the core never wrote
            "metadata": {**meta, **({"annotations": annotations} if annotations else {})},
        },
        secret,
    )
    cls = resource_class(obj["apiVersion"], obj["kind"])
    if obj["kind"] == "Secret":
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        )
    if cls is None:
        return k8s.apiextensions.CustomResource(
            name, api_version=obj["apiVersion"], kind=obj["kind"], opts=opts, **body
        )
    return cls(name, opts=opts, **{_snake(k): v for k, v in body.items()})
