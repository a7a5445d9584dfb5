"""Checks of scheduled job agents (`job.schedule`, a CronJob) against queue-triggered ones (a KEDA ScaledJob)."""

from __future__ import annotations

from ..spec.agent import AgentSpec

SCHEDULE_ONLY = {
    "time_zone": "timeZone",
    "concurrency": "concurrency",
    "starting_deadline_seconds": "startingDeadlineSeconds",
}


def schedule_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message): a job runs on a schedule or per queued task, never both, and the settings of one
    do not apply to the other."""
    job = spec.job
    if job is None:
        return []
    set_fields = job.model_fields_set
    if job.schedule is None:
        return [
            (f"job.{alias}", f"is set without job.schedule, expected a schedule such as '0 2 * * *' (or no {alias})")
            for field, alias in SCHEDULE_ONLY.items()
            if field in set_fields
        ]
    problems = []
    auto = spec.scaling.autoscale
    if auto is not None:
        where = "scaling.autoscale.triggers" if auto.triggers else "scaling.autoscale"
        problems.append(
            (
                where,
                f"a job agent runs either on job.schedule ('{job.schedule}', a CronJob) or a Job per queued task "
                "(KEDA), not both; expected no scaling.autoscale with a schedule (or a second agent for the queue)",
            )
        )
    if "polling_interval" in set_fields:
        problems.append(("job.pollingInterval", "is KEDA's look at the triggers, and a scheduled job has none"))
    return problems
