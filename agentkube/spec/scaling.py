"""Replicas and autoscaling: HPA targets, KEDA triggers, job settings and the disruption budget."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from .base import LabelMap, MetricName, Model
from .configuration import SecretKeyRef
from .patterns import HOST_PORT
from .placeholders import TRIGGER, refusing
from .quantity import Quantity, parse_quantity
from .schedule import Schedule, TimeZone


class ExternalMetric(Model):
    name: MetricName = Field(description="Metric name served by the external metrics API, e.g. a queue depth.")
    selector: LabelMap = Field(
        default_factory=dict,
        description="Labels the metric must have (label keys and values): the HPA's matchLabels, or with KEDA the "
        "matchers of its query.",
    )
    average_value: Quantity | None = Field(None, description="Target value per pod.")
    value: Quantity | None = Field(None, description="Target total value (instead of per pod).")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.average_value is None) == (self.value is None):
            raise ValueError("give exactly one of averageValue or value")
        return self


class PodsMetric(Model):
    name: MetricName = Field(description="Per-pod custom metric, e.g. in-flight requests.")
    average_value: Quantity = Field(description="Target average across pods.")


class Metric(Model):
    """A custom autoscaling signal: exactly one of `external` or `pods`."""

    external: ExternalMetric | None = Field(None, description="A metric from outside the pods (queue depth).")
    pods: PodsMetric | None = Field(None, description="A per-pod metric (in-flight requests).")

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.external is None) == (self.pods is None):
            raise ValueError("a metric needs exactly one of external or pods")
        return self


class ScaleBehavior(Model):
    stabilization_seconds: int = Field(ge=0, le=3600, description="Window of past recommendations considered.")


class PrometheusTrigger(Model):
    """Scale on a PromQL query against the stack's `prometheusAddress`."""

    query: Annotated[str, AfterValidator(refusing(TRIGGER))] = Field(
        min_length=1,
        description="PromQL returning one number, e.g. `sum(agent_queue_depth)`; $agent, $namespace and $track "
        "are filled in as in canary checks (no $window: write the range).",
    )
    threshold: Quantity = Field(description="Target value per pod: pods = ceil(value / threshold).")

    @model_validator(mode="after")
    def _positive_threshold(self) -> Self:
        if parse_quantity(self.threshold) <= 0:
            raise ValueError(f"threshold ({self.threshold}) must be above 0: pods = ceil(value / threshold)")
        return self


class RedisTrigger(Model):
    """Scale on the length of a Redis list."""

    address: str = Field(pattern=HOST_PORT, description="Redis `host:port`, e.g. `redis.infra.svc:6379`.")
    list: str = Field(min_length=1, description="Name of the list the tasks wait in.")
    length: int = Field(5, ge=1, description="Target list entries per pod.")


class RabbitMqTrigger(Model):
    """Scale on the length of a RabbitMQ queue; the connection URL comes from a Secret only."""

    queue: str = Field(min_length=1, description="Queue the tasks wait in.")
    length: int = Field(5, ge=1, description="Target messages per pod.")
    host_from_secret: SecretKeyRef = Field(
        description="Secret key holding the `amqp://user:password@host:5672/vhost` URL, read by KEDA through a "
        "TriggerAuthentication; never written in plain text."
    )


class KafkaTrigger(Model):
    """Scale on a Kafka consumer group's lag."""

    bootstrap_servers: list[Annotated[str, Field(pattern=HOST_PORT)]] = Field(
        min_length=1, description="Brokers, `host:port` each."
    )
    topic: str = Field(min_length=1, description="Topic the tasks arrive on.")
    consumer_group: str = Field(min_length=1, description="Consumer group of the agent.")
    lag_threshold: int = Field(10, ge=1, description="Target lag per pod.")


TRIGGER_KINDS = ("prometheus", "redis", "rabbitmq", "kafka")


class Trigger(Model):
    """A KEDA event source: exactly one of `prometheus`, `redis`, `rabbitmq`, `kafka`."""

    prometheus: PrometheusTrigger | None = Field(None, description="A Prometheus query.")
    redis: RedisTrigger | None = Field(None, description="A Redis list.")
    rabbitmq: RabbitMqTrigger | None = Field(None, description="A RabbitMQ queue.")
    kafka: KafkaTrigger | None = Field(None, description="A Kafka consumer group's lag.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [k for k in TRIGGER_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a trigger needs exactly one of {', '.join(TRIGGER_KINDS)}; found {', '.join(given) or 'none'}"
            )
        return self


DEFAULT_CPU_TARGET = 70


class Autoscale(Model):
    """A HorizontalPodAutoscaler (autoscaling/v2), or with `min: 0` or `triggers` a KEDA ScaledObject; the
    Deployment then leaves replicas to it."""

    min: int = Field(
        1,
        ge=0,
        description="Fewest replicas; 0 scales to zero with KEDA (needs `agentkube:keda` and a trigger). "
        "For `kind: job`, the Jobs kept waiting for a task; a job agent sets it, usually to 0.",
    )
    max: int = Field(ge=1, description="Most replicas.")
    cpu: int | None = Field(
        None,
        ge=1,
        le=1000,
        description=f"Target average CPU utilization, percent of requests ({DEFAULT_CPU_TARGET} when no "
        "other target is given).",
    )
    memory: int | None = Field(None, ge=1, le=1000, description="Target average memory utilization, percent.")
    metrics: list[Metric] = Field(default_factory=list, description="Agent signals: queue depth, in-flight requests.")
    scale_up: ScaleBehavior | None = Field(None, description="Scale-up stabilization.")
    scale_down: ScaleBehavior | None = Field(None, description="Scale-down stabilization (Kubernetes default 300 s).")
    triggers: list[Trigger] = Field(
        default_factory=list,
        description="KEDA event sources (queues, lag, PromQL); a KEDA ScaledObject scales the agent on them.",
    )
    cooldown_seconds: int | None = Field(
        None,
        ge=0,
        description="KEDA: seconds after the last active trigger before scaling to 0 (KEDA default 300); with min: 0 "
        "only.",
    )

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max}), expected min <= max")
        return self

    @property
    def cpu_target(self) -> int | None:
        """The CPU utilization target, with the default applied when no target is given at all."""
        return self.cpu if (self.cpu or self.memory or self.metrics or self.triggers) else DEFAULT_CPU_TARGET

    @property
    def keda(self) -> bool:
        """Scaled by a KEDA ScaledObject rather than a HorizontalPodAutoscaler: to zero, or on triggers."""
        return self.min == 0 or bool(self.triggers)

    @property
    def wakes_from_zero(self) -> bool:
        """Some signal comes from outside the pods (a queue, a query), so it can start the first pod."""
        return bool(self.triggers) or any(m.external for m in self.metrics)


class Job(Model):
    """Run-to-completion settings of a `kind: job` agent: a KEDA ScaledJob starts a Job per task, or with
    `schedule` a CronJob starts one at each scheduled time."""

    schedule: Schedule | None = Field(
        None,
        description="Cron schedule (5 fields: minute hour day-of-month month day-of-week, e.g. `0 2 * * *`, or "
        "@hourly, @daily, @weekly, @monthly, @yearly): a CronJob runs the job then, instead of a Job per "
        "queued task (no triggers, no KEDA).",
    )
    time_zone: TimeZone | None = Field(
        None, description="IANA time zone of `schedule` (e.g. Europe/Berlin); the controller's, usually UTC, if unset."
    )
    concurrency: Literal["Forbid", "Replace"] = Field(
        "Forbid",
        description="With `schedule`, when a run is due while the last one still runs: Forbid skips the new run, "
        "Replace stops the old one.",
    )
    starting_deadline_seconds: int | None = Field(
        None,
        ge=10,
        description="With `schedule`, how late a missed run may still start (e.g. after the controller was down); "
        "later ones are skipped.",
    )
    active_deadline_seconds: int | None = Field(
        None, ge=1, description="Longest a Job may run before it is stopped and counted as failed (none by default)."
    )
    retries: int = Field(3, ge=0, description="Retries of a failed task, each in a new pod (the Job's backoffLimit).")
    successful_history: int = Field(10, ge=0, description="Finished Jobs kept for their logs (KEDA default 100).")
    failed_history: int = Field(10, ge=0, description="Failed Jobs kept for their logs (KEDA default 100).")
    polling_interval: int = Field(
        30, ge=1, description="Seconds between KEDA's looks at the triggers (not with `schedule`)."
    )

    @property
    def runs_at_once(self) -> int:
        """Jobs of a schedule that may run at once: a replaced run is still stopping when the next starts."""
        return 2 if self.concurrency == "Replace" else 1


class Scaling(Model):
    replicas: int = Field(
        1, ge=0, description="Fixed replica count of a service without `autoscale` (not with it, nor for `kind: job`)."
    )
    autoscale: Autoscale | None = Field(None, description="Autoscaling policy, instead of `replicas`.")

    @property
    def min(self) -> int:
        return self.autoscale.min if self.autoscale else self.replicas

    @property
    def max(self) -> int:
        return self.autoscale.max if self.autoscale else self.replicas


class Disruption(Model):
    """A PodDisruptionBudget, created when the agent runs at least 2 replicas."""

    max_unavailable: int = Field(1, ge=0, description="Pods that voluntary disruptions may take down at once.")
