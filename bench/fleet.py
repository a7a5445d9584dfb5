"""Generated fleets of realistic agent specs for the benchmarks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

LAYERS = ["orchestration", "agent-pool", "agent-pool", "agent-pool", "infrastructure"]


def agent_spec(i: int) -> dict[str, Any]:
    """Agent i: probes, autoscaling on a queue, secrets, config; every tenth depends on its predecessor."""
    name = f"agent-{i:04d}"
    spec: dict[str, Any] = {
        "name": name,
        "layer": LAYERS[i % len(LAYERS)],
        "image": f"ghcr.io/acme/{name}:1.{i % 7}.{i % 3}",
        "ports": [{"name": "http", "port": 8080}],
        "env": {"LOG_LEVEL": "info", "AGENT_INDEX": str(i)},
        "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
        "health": {
            "readiness": {"http": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
            "liveness": {"http": {"path": "/healthz", "port": "http"}},
            "startup": {"http": {"path": "/healthz", "port": "http"}, "failureThreshold": 60},
        },
        "scaling": {
            "autoscale": {
                "min": 2,
                "max": 10,
                "cpu": 70,
                "metrics": [
                    {"external": {"name": "agent_queue_depth", "selector": {"queue": name}, "averageValue": "30"}}
                ],
            }
        },
        "secrets": [
            {"env": "OPENAI_API_KEY", "secretRef": {"name": "llm-keys", "key": "openai"}},
            {"path": "/var/run/secrets/agent/creds.json", "secretRef": {"name": "agent-creds", "key": "creds.json"}},
        ],
        "config": {"reload": "hot", "data": {"agent.yaml": f"model: gpt-4o-mini\nmaxSteps: {10 + i % 5}\n"}},
        "metrics": {"port": "http"},
    }
    if i % 10 and i > 0:
        spec["dependsOn"] = [f"agent-{i - 1:04d}"]
    return spec


def write_project(root: Path, n: int) -> Path:
    """A project directory with N specs under agents/ and a render-mode stack `bench`."""
    if root.exists():
        shutil.rmtree(root)
    (root / "agents").mkdir(parents=True)
    for i in range(n):
        (root / "agents" / f"agent-{i:04d}.yaml").write_text(yaml.safe_dump(agent_spec(i), sort_keys=False))
    (root / "Pulumi.bench.yaml").write_text(
        "config:\n  agentkube:environment: bench\n  agentkube:renderDir: rendered\n"
    )
    return root
