"""Fields a kind of agent has no use for: what runs it (a Deployment, HPA or KEDA autoscaler, StatefulSet, sandbox
pool, Argo Rollout, ScaledJob or CronJob) never reads them. The one list of them: a spec file or override that
sets one is refused, and a stack default for one is left out for that agent (`overlay.layered`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.agent import AgentSpec
from .storage_rules import IN_PLACE

# a field and the one that takes its place when both are given: an override's autoscale replaces the spec
# file's replicas (and a stack default's autoscale never replaces a count the spec or override gives)
SUPERSEDED = {"scaling.replicas": "scaling.autoscale"}
SCHEDULE_ONLY = ("timeZone", "concurrency", "startingDeadlineSeconds")
ROLLING = ("maxSurge", "maxUnavailable")


@dataclass(frozen=True)
class Unused:
    """A field the agent does not use, as a spec writes its path (`scaling.replicas`), with why and the fix."""

    path: str
    why: str
    shown: str = ""  # where a problem points, when more precise than `path` (`scaling.autoscale.triggers`)

    @property
    def at(self) -> str:
        return self.shown or self.path


def unused_fields(spec: AgentSpec) -> list[Unused]:
    """Every field this agent has no use for, whether or not it is set."""
    if spec.kind == "job":
        return _job(spec)
    out = [Unused("job", "is set but kind is service, expected kind: job (or no job block)")]
    auto = spec.scaling.autoscale
    if spec.storage is not None:
        out += [Unused(f"rollout.rolling.{f}", f"is not used with storage: {IN_PLACE}; expected none") for f in ROLLING]
        if auto is not None:
            why = (
                "0 would stop the only pods that hold the data, and calls fail until one starts"
                if auto.min == 0
                else "each pod keeps a volume of its own, so a pod added by load starts with none of the data and a "
                "pod removed takes its data out of service"
            )
            out.append(Unused("scaling.autoscale", f"with storage: {why}; expected fixed scaling.replicas"))
        return out
    if spec.sandbox is not None:
        return [*out, Unused("scaling.autoscale", "a sandbox pool has a fixed size (sandbox.size), expected none")]
    canary = spec.rollout.canary
    if canary is not None and canary.traffic == "argo":
        out += [
            Unused(
                f"rollout.rolling.{f}",
                "is not used with traffic: argo: the Argo Rollout replaces pods by the canary's steps (setWeight, "
                "pause, analysis), not by a Deployment's rolling update; expected none",
            )
            for f in ROLLING
        ]
    if auto is not None:
        out.append(
            Unused(
                "scaling.replicas",
                f"is not used with scaling.autoscale: the autoscaler sets the count between min ({auto.min}) and "
                f"max ({auto.max}); expected no replicas, or no autoscale for a fixed count (`autoscale: null` in a "
                "stack override)",
            )
        )
        if auto.min > 0:
            out.append(
                Unused(
                    "scaling.autoscale.cooldownSeconds",
                    f"is KEDA's wait before scaling to 0, and min is {auto.min}, so the agent never goes to 0; "
                    "expected no cooldownSeconds (scaleDown.stabilizationSeconds slows scaling in)",
                )
            )
    return out


def _job(spec: AgentSpec) -> list[Unused]:
    """A job agent: a Job per queued task (a KEDA ScaledJob) or per scheduled time (a CronJob), run to completion."""
    runs = (
        "a scheduled job runs a Job at each scheduled time (job.concurrency says whether runs overlap)"
        if spec.scheduled
        else "a job agent runs a Job per queued task, at most scaling.autoscale.max at once"
    )
    out = [
        Unused("scaling.replicas", f"{runs}, never a fixed count of pods; expected no replicas"),
        Unused("disruption", "a job agent's pods run to completion and get no PodDisruptionBudget; expected none"),
        *(
            Unused(
                f"rollout.rolling.{f}",
                "a job agent is never rolled: each Job runs to completion on the version current when it started; "
                "expected none",
            )
            for f in ROLLING
        ),
    ]
    auto, job = spec.scaling.autoscale, spec.job
    if spec.scheduled and job is not None:
        out.append(Unused("job.pollingInterval", "is KEDA's look at the triggers, and a scheduled job has none"))
        if auto is not None:
            out.append(
                Unused(
                    "scaling.autoscale",
                    f"a job agent runs either on job.schedule ('{job.schedule}', a CronJob) or a Job per queued task "
                    "(KEDA), not both; expected no scaling.autoscale with a schedule (or a second agent for the queue)",
                    "scaling.autoscale.triggers" if auto.triggers else "",
                )
            )
        return out
    out += [
        Unused(f"job.{f}", f"is set without job.schedule, expected a schedule such as '0 2 * * *' (or no {f})")
        for f in SCHEDULE_ONLY
    ]
    return out + (_queue_autoscale() if auto is not None else [])


def _queue_autoscale() -> list[Unused]:
    """What a ScaledJob does not read: it starts a Job per task, so no utilization targets and no scaling in."""
    utilization = "a job agent is scaled by its tasks, not by utilization, expected no cpu or memory target"
    stabilization = (
        "a job agent runs each Job to completion and is never scaled down, expected no stabilization "
        "(job.pollingInterval sets how often KEDA looks at the queue)"
    )
    return [
        Unused("scaling.autoscale.cpu", utilization),
        Unused("scaling.autoscale.memory", utilization),
        Unused("scaling.autoscale.scaleUp", stabilization),
        Unused("scaling.autoscale.scaleDown", stabilization),
        Unused("scaling.autoscale.cooldownSeconds", "a job agent has no cooldown: each Job ends with its task"),
    ]
