"""Monitoring of an agent: the Prometheus Operator PodMonitor that scrapes its metrics port with the labels
canary analysis selects on."""

from __future__ import annotations

import re
from typing import Any

from ..spec.agent import AgentSpec
from ..spec.stack import StackSettings
from . import naming
from .analysis import SCRAPED


def pod_monitor(spec: AgentSpec, settings: StackSettings) -> dict[str, Any] | None:
    """A Prometheus Operator PodMonitor for the agent's metrics port, keeping the labels of SCRAPED (the
    operator adds `namespace` itself); None without `metrics` or without the operator."""
    if spec.metrics is None or not settings.prometheus_operator:
        return None
    port = spec.metrics.port
    endpoint: dict[str, Any] = {"port": port} if isinstance(port, str) else {"portNumber": port}
    endpoint["path"] = spec.metrics.path
    endpoint["relabelings"] = [
        {"sourceLabels": [f"__meta_kubernetes_pod_label_{re.sub('[^a-zA-Z0-9]', '_', label)}"], "targetLabel": target}
        for target, label in SCRAPED.items()
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": naming.metadata(spec, settings),
        "spec": {"selector": {"matchLabels": naming.selector(spec, settings)}, "podMetricsEndpoints": [endpoint]},
    }
