"""Names, namespaces and labels shared by every object of the core."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..fleet import object_names
from ..fleet.mount_rules import STORAGE_VOLUME
from ..spec.agent import AgentSpec, Layer
from ..spec.stack import StackSettings
from .ports import port_number

MANAGED_BY = "agentkube"
SPEC_HASH = "agentkube.io/spec-hash"
CONFIG_HASH = "agentkube.io/config-hash"
TRACK = "agentkube.io/track"
VOLUME = STORAGE_VOLUME  # the volume (and claim template) of a stateful agent


def namespace(layer: Layer, settings: StackSettings) -> str:
    """`<prefix>-<layer>`, or `<prefix>` alone when the stack folds layers (`fleet.object_names.namespace`)."""
    return object_names.namespace(layer, settings)


def priority_class(layer: Layer, settings: StackSettings) -> str:
    return f"{settings.namespace}-{layer}"


def selector(spec: AgentSpec, settings: StackSettings) -> dict[str, str]:
    """Immutable pod selector of an agent: never includes the version."""
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/part-of": settings.namespace}


def labels(spec: AgentSpec, settings: StackSettings) -> dict[str, str]:
    return {
        **settings.labels,
        **selector(spec, settings),
        "app.kubernetes.io/version": spec.resolved_version,
        "app.kubernetes.io/component": spec.layer,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def metadata(spec: AgentSpec, settings: StackSettings, name: str | None = None) -> dict[str, Any]:
    """Name (the agent's by default), namespace of its layer, and its standard labels."""
    return {"name": name or spec.name, "namespace": namespace(spec.layer, settings), "labels": labels(spec, settings)}


def headless_service(spec: AgentSpec) -> str:
    """The StatefulSet's governing Service: a DNS name per pod; callers keep the agent's own Service."""
    return object_names.headless_service(spec.name)


def cron_job(spec: AgentSpec) -> str:
    """The CronJob of a scheduled job agent (held to its 52 characters by fleet/name_rules)."""
    return object_names.cron_job(spec.name)


def fleet_labels(settings: StackSettings) -> dict[str, str]:
    return {
        **settings.labels,
        "app.kubernetes.io/part-of": settings.namespace,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def content_hash(value: Any) -> str:
    """A short, deterministic digest of JSON-able content."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def spec_hash(spec: AgentSpec) -> str:
    return content_hash(spec.model_dump(mode="json", by_alias=True))


def service_url(spec: AgentSpec, settings: StackSettings) -> str | None:
    """In-cluster URL of the agent's first port, or None without ports."""
    if not spec.ports:
        return None
    return f"http://{spec.name}.{namespace(spec.layer, settings)}.svc:{spec.ports[0].port}"


def mcp_url(spec: AgentSpec, settings: StackSettings) -> str | None:
    """In-cluster URL of the agent's MCP endpoint, or None when it serves none."""
    if spec.mcp is None or not spec.ports:
        return None
    port = port_number(spec, spec.mcp.port) if spec.mcp.port is not None else spec.ports[0].port
    return f"http://{spec.name}.{namespace(spec.layer, settings)}.svc:{port}{spec.mcp.path}"
