"""A scheduled job agent (`job.schedule`): a CronJob that runs the agent's Job at each scheduled time."""

from __future__ import annotations

from typing import Any

from ..fleet.model import Fleet
from ..spec.agent import AgentSpec
from . import naming
from .workload import job_spec, workload_metadata


def cron_job(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    """The CronJob: the Job a queued task would get (pod template, retries, deadline), started on `schedule`;
    a run due while the last still runs is skipped (Forbid) or replaces it (Replace)."""
    job = spec.job
    assert job is not None and job.schedule is not None  # only scheduled job agents get a CronJob
    labels = naming.labels(spec, fleet.settings)
    body: dict[str, Any] = {
        "schedule": job.schedule,
        "concurrencyPolicy": job.concurrency,
        "successfulJobsHistoryLimit": job.successful_history,
        "failedJobsHistoryLimit": job.failed_history,
        "jobTemplate": {"metadata": {"labels": {**labels, naming.TRACK: "stable"}}, "spec": job_spec(spec, fleet)},
    }
    if job.time_zone:
        body["timeZone"] = job.time_zone
    if job.starting_deadline_seconds is not None:
        body["startingDeadlineSeconds"] = job.starting_deadline_seconds
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": workload_metadata(spec, fleet, naming.cron_job(spec), labels),
        "spec": body,
    }
