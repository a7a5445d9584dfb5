"""Specs of one agent that between them give every object name agentkube derives, and the stack they need."""

from __future__ import annotations

from typing import Any

RUNTIME = {"runtimeClasses": ["gvisor"], "kubectlImage": "bitnami/kubectl:1.34", "keda": True}
RABBIT = {"rabbitmq": {"queue": "tasks", "hostFromSecret": {"name": "rabbitmq", "key": "url"}}}
HTTP = [{"name": "http", "port": 8080}]


def variants(name: str) -> list[dict[str, Any]]:
    """Specs of one agent, between them using every derived name: a recycled sandbox pool, blue-green with a
    preview, a gateway canary, a KEDA canary on a credentialed trigger, an Argo canary, a job agent per task,
    a scheduled one and a stateful one."""
    base = {"name": name, "image": f"ghcr.io/acme/{name}:1.0", "ports": HTTP, "config": {"data": {"a": "b"}}}
    secrets = [{"env": "KEY", "config": "searchApiKey"}]
    candidate = {"image": f"ghcr.io/acme/{name}:2.0", "config": {"data": {"a": "c"}}}
    keda = {"autoscale": {"min": 0, "max": 4, "triggers": [RABBIT]}}
    return [
        {
            **base,
            "isolation": {"runtimeClass": "gvisor"},
            "sandbox": {"size": 2, "maxLifetime": "1h"},
            "secrets": secrets,
            "metrics": {"port": "http"},
            "expose": {"host": "a.example.com"},
        },
        {
            **base,
            "rollout": {
                "strategy": "blue-green",
                "blueGreen": {"active": "blue", "blue": candidate, "green": candidate},
            },
        },
        {**base, "rollout": {"strategy": "canary", "canary": {**candidate, "weight": 20, "traffic": "gateway"}}},
        {**base, "scaling": keda, "rollout": {"strategy": "canary", "canary": {**candidate, "weight": 20}}},
        {
            **base,
            "scaling": {"autoscale": {"min": 2, "max": 4}},
            "rollout": {
                "strategy": "canary",
                "canary": {
                    **candidate,
                    "traffic": "argo",
                    "analysis": {"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}},
                },
            },
        },
        {"name": name, "image": f"ghcr.io/acme/{name}:1.0", "kind": "job", "scaling": keda},
        {"name": name, "image": f"ghcr.io/acme/{name}:1.0", "kind": "job", "job": {"schedule": "@daily"}},
        {**base, "scaling": {"replicas": 2}, "storage": {"size": "1Gi", "mountPath": "/data"}},
    ]
