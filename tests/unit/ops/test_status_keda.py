"""`agentkube status` of KEDA-scaled agents, from the objects a cluster returns."""

from __future__ import annotations

from typing import Any

from agentkube.core.build import build
from agentkube.ops.status import _agent_status
from tests.helpers import fleet_of, keda_agents

NS = "agentkube-agent-pool"


def declared() -> tuple[Any, list[dict[str, Any]]]:
    fleet = fleet_of(*keda_agents(), keda=True)
    return fleet, [o for o in build(fleet) if o.get("metadata", {}).get("namespace") == NS]


def test_a_worker_scaled_to_zero_is_available_and_shows_its_bounds() -> None:
    fleet, objects = declared()
    worker = next(o for o in objects if o["kind"] == "Deployment")
    worker["status"] = {"replicas": 0, "observedGeneration": 1, "conditions": [{"type": "Available", "status": "True"}]}
    worker["metadata"]["generation"] = 1
    worker["spec"]["replicas"] = 0  # KEDA's, through the scale subresource
    report = _agent_status(fleet.agent("queue-worker"), NS, objects)
    assert [(t.track, t.ready, t.desired, t.autoscaler, t.available) for t in report.tracks] == [
        ("stable", 0, 0, "0/0..6", True)
    ]


def test_a_job_agent_reports_its_running_jobs() -> None:
    fleet, objects = declared()
    labels = {"scaledjob.keda.sh/name": "batch"}
    jobs = [
        {"kind": "Job", "metadata": {"name": f"batch-{i}", "labels": labels}, "status": status}
        for i, status in enumerate([{"active": 1}, {"active": 1}, {"succeeded": 1}])
    ]
    report = _agent_status(fleet.agent("batch"), NS, objects + jobs)
    assert [(t.track, t.ready, t.desired, t.image, t.autoscaler, t.available) for t in report.tracks] == [
        ("job", 2, 2, "ghcr.io/acme/batch:2.0.0", "2/0..10", True)
    ]


def test_a_missing_or_broken_scaled_job_is_not_available() -> None:
    fleet, objects = declared()
    spec = fleet.agent("batch")
    assert not _agent_status(spec, NS, [o for o in objects if o["kind"] != "ScaledJob"]).available
    scaled = next(o for o in objects if o["kind"] == "ScaledJob")
    scaled["status"] = {"conditions": [{"type": "Ready", "status": "False"}]}
    assert not _agent_status(spec, NS, objects).available
