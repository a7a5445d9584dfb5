"""A job agent runs on a schedule (a CronJob) or a Job per queued task (KEDA), never both; the settings of one
are refused on the other, each in one line naming the file, the field and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import GOOD, fleet_of, job, spec_problems

FILE = "agents/worker.yaml"
NIGHTLY = {**GOOD, "kind": "job", "job": {"schedule": "0 2 * * *"}}


def test_a_scheduled_job_validates_without_keda_or_autoscale() -> None:
    assert fleet_of(NIGHTLY).agent("worker").scheduled


def test_a_schedule_with_queue_triggers_is_refused() -> None:
    spec = {**job(), "job": {"schedule": "0 2 * * *"}}
    assert spec_problems(spec, keda=True) == [
        f"{FILE}: scaling.autoscale.triggers: a job agent runs either on job.schedule ('0 2 * * *', a CronJob) or a "
        "Job per queued task (KEDA), not both; expected no scaling.autoscale with a schedule (or a second agent for "
        "the queue)"
    ]


def test_a_schedule_with_an_autoscaler_is_refused() -> None:
    (problem,) = spec_problems({**NIGHTLY, "scaling": {"autoscale": {"min": 1, "max": 3}}})
    assert problem.startswith(f"{FILE}: scaling.autoscale: a job agent runs either on job.schedule")


def test_kedas_polling_is_refused_on_a_scheduled_job() -> None:
    spec = {**NIGHTLY, "job": {"schedule": "@daily", "pollingInterval": 10}}
    assert spec_problems(spec) == [
        f"{FILE}: job.pollingInterval: is KEDA's look at the triggers, and a scheduled job has none"
    ]


@pytest.mark.parametrize(
    ("field", "value"), [("timeZone", "UTC"), ("concurrency", "Replace"), ("startingDeadlineSeconds", 60)]
)
def test_schedule_settings_without_a_schedule_are_refused(field: str, value: Any) -> None:
    spec = job()
    spec["job"] = {field: value}
    assert spec_problems(spec, keda=True) == [
        f"{FILE}: job.{field}: is set without job.schedule, expected a schedule such as '0 2 * * *' (or no {field})"
    ]


def test_a_schedule_on_a_service_or_with_ports_is_refused() -> None:
    service = {**GOOD, "job": {"schedule": "@daily"}}
    assert spec_problems(service) == [f"{FILE}: job: is set but kind is service, expected kind: job (or no job block)"]
    (problem,) = spec_problems({**NIGHTLY, "ports": [{"name": "http", "port": 8080}]})
    assert problem.startswith(f"{FILE}: ports: a job agent takes its tasks from a queue or a schedule")


@pytest.mark.parametrize(
    ("job_block", "path", "words"),
    [
        ({"schedule": "0 2 * *"}, "job.schedule", "has 4 fields, expected 5"),
        ({"schedule": "0 2 * * 7"}, "job.schedule", "(0 is Sunday)"),
        ({"schedule": "@daily", "timeZone": "Europe/Berln"}, "job.timeZone", "did you mean 'Europe/Berlin'?"),
        ({"schedule": "@daily", "concurrency": "Allow"}, "job.concurrency", "Forbid"),
        ({"schedule": "@daily", "startingDeadlineSeconds": 1}, "job.startingDeadlineSeconds", "10"),
    ],
)
def test_a_bad_schedule_block_is_named_by_its_field(job_block: dict[str, Any], path: str, words: str) -> None:
    (problem,) = spec_problems({**NIGHTLY, "job": job_block})
    assert problem.startswith(f"{FILE}: {path}: ") and words in problem, problem


def test_a_queue_job_without_triggers_still_needs_them() -> None:
    spec = {**GOOD, "kind": "job", "scaling": {"autoscale": {"min": 0, "max": 2}}}
    problems = spec_problems(spec, keda=True)
    assert any(p.startswith(f"{FILE}: scaling.autoscale.triggers: a job agent starts a Job per task") for p in problems)
