"""Scheduled job agents (`job.schedule`): a CronJob running the job's own Job (pod template, retries, deadline)
at each scheduled time, with no KEDA and no autoscaler."""

from __future__ import annotations

from typing import Any

from agentkube.core import naming
from agentkube.core.build import build
from agentkube.core.capacity import agent_row, peak_pods
from agentkube.core.keda import uses_keda
from agentkube.core.workload import job_spec
from tests.helpers import GOOD, fleet_of, job, kinds_in, one_object

NIGHTLY = {
    **GOOD,
    "kind": "job",
    "job": {"schedule": "0 2 * * *", "timeZone": "Europe/Berlin", "activeDeadlineSeconds": 3600, "retries": 1},
    "config": {"data": {"task.yaml": "x: 1\n"}},
}


def cron(spec: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return one_object(build(fleet_of(spec, **settings)), "CronJob")


def test_a_scheduled_job_renders_a_cron_job_and_needs_no_keda() -> None:
    objs = build(fleet_of(NIGHTLY))  # a stack without agentkube:keda
    kinds = kinds_in(objs)
    assert "CronJob" in kinds
    assert not {"ScaledJob", "ScaledObject", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"} & set(
        kinds
    )
    body = one_object(objs, "CronJob", "worker")["spec"]
    assert body["schedule"] == "0 2 * * *" and body["timeZone"] == "Europe/Berlin"
    assert body["concurrencyPolicy"] == "Forbid"
    assert (body["successfulJobsHistoryLimit"], body["failedJobsHistoryLimit"]) == (10, 10)
    assert "startingDeadlineSeconds" not in body


def test_the_cron_job_runs_the_job_agents_own_job() -> None:
    fleet = fleet_of(NIGHTLY)
    body = one_object(build(fleet), "CronJob")["spec"]["jobTemplate"]["spec"]
    assert body == job_spec(fleet.agent("worker"), fleet)  # the ScaledJob's Job, not a copy of it
    assert (body["activeDeadlineSeconds"], body["backoffLimit"]) == (3600, 1)
    pod = body["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["priorityClassName"] == "agentkube-agent-pool"
    assert {"name": "config", "configMap": {"name": "worker-config"}} in pod["volumes"]


def test_a_queue_triggered_job_keeps_its_scaled_job_with_the_same_job() -> None:
    fleet = fleet_of(job(), keda=True)
    scaled = one_object(build(fleet), "ScaledJob")
    assert scaled["spec"]["jobTargetRef"] == job_spec(fleet.agent("worker"), fleet)
    assert uses_keda(fleet.agent("worker")) and not uses_keda(fleet_of(NIGHTLY).agent("worker"))


def test_concurrency_and_a_starting_deadline_reach_the_cron_job() -> None:
    spec = {**NIGHTLY, "job": {"schedule": "@hourly", "concurrency": "Replace", "startingDeadlineSeconds": 300}}
    body = cron(spec)["spec"]
    assert (body["concurrencyPolicy"], body["startingDeadlineSeconds"]) == ("Replace", 300)
    assert "timeZone" not in body


def test_the_quota_holds_room_for_the_runs_that_overlap() -> None:
    forbid = fleet_of(NIGHTLY).agent("worker")
    replace = fleet_of({**NIGHTLY, "job": {"schedule": "@daily", "concurrency": "Replace"}}).agent("worker")
    assert peak_pods(replace) > peak_pods(forbid) > 0
    row = agent_row(forbid)
    assert (row.replicas_min, row.replicas_max, row.strategy) == (0, 1, "cron (0 2 * * *)")


def test_the_cron_job_name_leaves_room_for_the_controllers_job_suffix() -> None:
    longest = {**NIGHTLY, "name": "a" * 50}  # the longest agent name the spec takes
    name = cron(longest)["metadata"]["name"]
    assert name == naming.cron_job(fleet_of(longest).agent("a" * 50))
    assert len(name) <= 52
