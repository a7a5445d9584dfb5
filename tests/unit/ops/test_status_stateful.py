"""`agentkube status` and `agentkube drift` of a stateful agent (a StatefulSet) and a scheduled job (a CronJob),
from the objects a cluster returns."""

from __future__ import annotations

import copy
from typing import Any

from agentkube.core.build import build
from agentkube.ops.drift import compare
from agentkube.ops.status import _agent_status, _namespace_objects
from tests.helpers import GOOD, SERVING, fleet_of, one_object

NS = "agentkube-agent-pool"
STORE = {**SERVING, "name": "store", "storage": {"size": "5Gi", "mountPath": "/data"}, "scaling": {"replicas": 2}}
NIGHTLY = {**GOOD, "name": "nightly", "kind": "job", "job": {"schedule": "0 2 * * *"}}


def declared() -> tuple[Any, list[dict[str, Any]]]:
    fleet = fleet_of(STORE, NIGHTLY)
    return fleet, copy.deepcopy(build(fleet))


def rolled_out(sts: dict[str, Any], ready: int) -> None:
    """What the StatefulSet controller reports: no conditions, replica counts and revisions."""
    sts["metadata"]["generation"] = 3
    sts["status"] = {
        "observedGeneration": 3,
        "replicas": 2,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "updatedReplicas": 2,
        "currentRevision": "store-5d4f",
        "updateRevision": "store-5d4f",
    }


def test_a_rolled_out_stateful_set_is_available_without_an_available_condition() -> None:
    fleet, objects = declared()
    rolled_out(one_object(objects, "StatefulSet"), ready=2)
    report = _agent_status(fleet.agent("store"), NS, objects)
    assert [(t.track, t.deployment, t.ready, t.desired, t.available) for t in report.tracks] == [
        ("stable", "store", 2, 2, True)
    ]


def test_a_stateful_set_with_a_pod_not_ready_or_missing_is_not_available() -> None:
    fleet, objects = declared()
    rolled_out(one_object(objects, "StatefulSet"), ready=1)
    assert not _agent_status(fleet.agent("store"), NS, objects).available
    assert not _agent_status(fleet.agent("store"), NS, [o for o in objects if o["kind"] != "StatefulSet"]).available


def test_a_scheduled_job_reports_its_schedule_and_running_jobs() -> None:
    fleet, objects = declared()
    owner = [{"kind": "CronJob", "name": "nightly"}]
    jobs = [
        {"kind": "Job", "metadata": {"name": f"nightly-2910{i}", "ownerReferences": owner}, "status": status}
        for i, status in enumerate([{"active": 1}, {"succeeded": 1}])
    ]
    report = _agent_status(fleet.agent("nightly"), NS, objects + jobs)
    assert [(t.track, t.ready, t.image, t.autoscaler, t.available) for t in report.tracks] == [
        ("cron", 1, GOOD["image"], "0 2 * * *", True)
    ]
    one_object(objects, "CronJob")["spec"]["suspend"] = True
    assert not _agent_status(fleet.agent("nightly"), NS, objects).available
    assert not _agent_status(fleet.agent("nightly"), NS, [o for o in objects if o["kind"] != "CronJob"]).available


class Kinds:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def items(self, kinds: str, *args: str) -> list[dict[str, Any]]:
        self.asked.append(kinds)
        return []


def test_status_reads_stateful_sets_always_and_cron_jobs_when_scheduled() -> None:
    cluster = Kinds()
    _namespace_objects(cluster, NS, argo=False, keda=False, cron=True)  # type: ignore[arg-type]
    _namespace_objects(cluster, NS, argo=False, keda=False)  # type: ignore[arg-type]
    with_cron, plain = (set(k.split(",")) for k in cluster.asked)
    assert {"statefulsets", "cronjobs", "jobs"} <= with_cron
    assert "statefulsets" in plain and not {"cronjobs", "jobs"} & plain


def test_drift_of_a_stateful_set_ignores_what_the_server_adds_to_its_claims() -> None:
    _, objects = declared()
    sts = one_object(objects, "StatefulSet")
    live = copy.deepcopy(sts)
    claim = live["spec"]["volumeClaimTemplates"][0]
    claim.update({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}})
    claim["spec"]["volumeMode"] = "Filesystem"
    live["spec"]["podManagementPolicy"] = "OrderedReady"
    assert compare(sts, live) == []
    claim["spec"]["resources"]["requests"]["storage"] = "1Gi"
    (found,) = compare(sts, live)
    assert found.field == "spec.volumeClaimTemplates[0].spec.resources.requests.storage"
