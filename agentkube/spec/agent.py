"""The agent spec: pydantic models that are the one source of truth for the YAML format.

Every default lives here, once, with its description; the JSON Schema, the README reference
and validation all come from these models.
"""

from __future__ import annotations

import posixpath
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from .image import check_image, check_versioned, parse_image, version_of
from .patterns import (
    CONFIG_KEY,
    CONFIGMAP_KEY,
    DNS_LABEL,
    DNS_SUBDOMAIN,
    DURATION,
    EGRESS_HOST,
    ENV_NAME,
    HOST,
    HOST_PORT,
    PERCENT,
    PORT_NAME,
    URL_PATH,
    VERSION,
)
from .problems import did_you_mean
from .quantity import MemoryQuantity, Quantity, parse_quantity

Layer = Literal["orchestration", "agent-pool", "infrastructure"]
LAYERS: tuple[Layer, ...] = ("orchestration", "agent-pool", "infrastructure")


def _absolute(path: str) -> str:
    if not path.startswith("/") or path.rstrip("/") == "":
        raise ValueError(f"'{path}' must be an absolute path below / such as /etc/agent")
    return path.rstrip("/")


AbsPath = Annotated[str, AfterValidator(_absolute)]
Image = Annotated[str, AfterValidator(check_image)]


def _no_control_characters(text: str) -> str:
    bad = next((c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise ValueError(
            f"contains the control character U+{ord(bad):04X}, which YAML tools such as `kubectl apply -f` refuse; "
            "expected printable text"
        )
    return text


Text = Annotated[str, AfterValidator(_no_control_characters)]
EnvName = Annotated[str, Field(pattern=ENV_NAME)]
ConfigMapKey = Annotated[str, Field(pattern=CONFIGMAP_KEY, max_length=253)]
PortRef = int | Annotated[str, Field(pattern=PORT_NAME)]


class Model(BaseModel):
    """Strict base: unknown fields are errors, YAML uses camelCase, values are immutable."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


# --- containers -------------------------------------------------------------------------------


class Port(Model):
    """A named container port; the agent's Service exposes every port."""

    name: str = Field(
        pattern=PORT_NAME,
        description="IANA-style port name (max 15 chars), used by probes and `metrics`.",
    )
    port: int = Field(ge=1, le=65535, description="Container port number.")
    protocol: Literal["TCP", "UDP"] = Field("TCP", description="Transport protocol.")


class Requests(Model):
    cpu: Quantity = Field("100m", description="CPU reserved per pod (Kubernetes quantity).")
    memory: MemoryQuantity = Field("256Mi", description="Memory reserved per pod.")


DEFAULT_CPU_LIMIT = Decimal(1)
MEMORY_LIMIT_FACTOR = 2


class Limits(Model):
    cpu: Quantity | None = Field(
        None, description=f"CPU ceiling per pod; defaults to {DEFAULT_CPU_LIMIT} or `requests.cpu` if higher."
    )
    memory: MemoryQuantity | None = Field(
        None, description=f"Memory ceiling per pod; defaults to {MEMORY_LIMIT_FACTOR} times `requests.memory`."
    )
    gpu: int = Field(0, ge=0, description="GPUs per pod, as `nvidia.com/gpu` (requests = limits).")


class Resources(Model):
    """Requests and limits; every container always gets both."""

    requests: Requests = Field(default_factory=Requests, description="Guaranteed resources.")
    limits: Limits = Field(
        default_factory=Limits, description="Ceilings; the pod is throttled or OOM-killed above them."
    )

    @model_validator(mode="after")
    def _limits_not_below_requests(self) -> Self:
        for field, unit in (("cpu", ""), ("memory", "")):
            limit = getattr(self.limits, field)
            request = getattr(self.requests, field)
            if limit is not None and parse_quantity(limit) < parse_quantity(request):
                raise ValueError(
                    f"limits.{field} ({limit}{unit}) is below requests.{field} ({request}), "
                    f"expected a limit of at least {request}"
                )
        return self

    @property
    def cpu_limit(self) -> Decimal:
        """The CPU limit in cores, with the default applied."""
        if self.limits.cpu:
            return parse_quantity(self.limits.cpu)
        return max(DEFAULT_CPU_LIMIT, parse_quantity(self.requests.cpu))

    @property
    def memory_limit(self) -> Decimal:
        """The memory limit in bytes, with the default applied."""
        if self.limits.memory:
            return parse_quantity(self.limits.memory)
        return MEMORY_LIMIT_FACTOR * parse_quantity(self.requests.memory)


# --- probes -----------------------------------------------------------------------------------


class HttpCheck(Model):
    path: str = Field("/", pattern=URL_PATH, description="HTTP path; a 2xx or 3xx answer passes.")
    port: PortRef = Field(description="Port number or the name of a declared port.")
    scheme: Literal["HTTP", "HTTPS"] = Field("HTTP", description="HTTP or HTTPS.")


class TcpCheck(Model):
    port: PortRef = Field(description="Port number or the name of a declared port.")


class GrpcCheck(Model):
    port: PortRef = Field(description="Port number or name; a name is resolved to its number.")
    service: str | None = Field(None, description="gRPC health service name.")


class ExecCheck(Model):
    command: list[str] = Field(min_length=1, description="Command run in the container; exit 0 passes.")


class Probe(Model):
    """One health check: exactly one of `http`, `tcp`, `grpc`, `exec`, with its timing."""

    http: HttpCheck | None = Field(None, description="HTTP GET check.")
    tcp: TcpCheck | None = Field(None, description="TCP connect check.")
    grpc: GrpcCheck | None = Field(None, description="gRPC health check.")
    exec: ExecCheck | None = Field(None, description="Command check.")
    initial_delay_seconds: int = Field(0, ge=0, description="Wait before the first check.")
    period_seconds: int = Field(10, ge=1, description="Time between checks.")
    timeout_seconds: int = Field(3, ge=1, description="Time a check may take.")
    failure_threshold: int = Field(3, ge=1, description="Consecutive failures that fail the probe.")

    @model_validator(mode="after")
    def _one_handler(self) -> Self:
        given = [k for k in ("http", "tcp", "grpc", "exec") if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) or "none"
            raise ValueError(f"a probe needs exactly one of http, tcp, grpc, exec; found {found}")
        return self

    @property
    def port(self) -> int | str | None:
        handler = self.http or self.tcp or self.grpc
        return handler.port if handler else None


ProbeKind = Literal["readiness", "liveness", "startup"]
PROBE_KINDS: tuple[ProbeKind, ...] = ("readiness", "liveness", "startup")
DEFAULT_PROBE_TIMING: dict[ProbeKind, dict[str, int]] = {
    "readiness": {"periodSeconds": 5},
    "liveness": {"periodSeconds": 10},
    "startup": {"periodSeconds": 5, "failureThreshold": 60},
}
"""Timing of the TCP probes an agent with ports gets when its spec gives none."""


def _default_probe_text(kind: ProbeKind) -> str:
    timing = ", ".join(f"`{k}: {v}`" for k, v in DEFAULT_PROBE_TIMING[kind].items())
    return f" Default with ports: TCP on the first port, {timing}."


class Health(Model):
    """Probes. With ports and no probes given, TCP checks on the first port are used."""

    readiness: Probe | None = Field(
        None,
        description="Gates traffic: a pod gets requests only while ready." + _default_probe_text("readiness"),
    )
    liveness: Probe | None = Field(
        None, description="Restarts a pod that stops answering." + _default_probe_text("liveness")
    )
    startup: Probe | None = Field(
        None,
        description="Holds liveness until the agent has started (slow model loads): "
        "allow `periodSeconds * failureThreshold` seconds." + _default_probe_text("startup"),
    )

    def probe(self, kind: ProbeKind, first_port: int | None) -> Probe | None:
        """The probe of `kind`: the spec's, else the default TCP check on `first_port` (if any)."""
        given: Probe | None = getattr(self, kind)
        if given is not None or first_port is None:
            return given
        return Probe.model_validate({"tcp": {"port": first_port}, **DEFAULT_PROBE_TIMING[kind]})


# --- scaling ----------------------------------------------------------------------------------


class ExternalMetric(Model):
    name: str = Field(description="Metric name served by the external metrics API, e.g. a queue depth.")
    selector: dict[str, str] = Field(default_factory=dict, description="Metric label selector.")
    average_value: Quantity | None = Field(None, description="Target value per pod.")
    value: Quantity | None = Field(None, description="Target total value (instead of per pod).")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.average_value is None) == (self.value is None):
            raise ValueError("give exactly one of averageValue or value")
        return self


class PodsMetric(Model):
    name: str = Field(description="Per-pod custom metric, e.g. in-flight requests.")
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

    query: str = Field(min_length=1, description="PromQL returning one number, e.g. `sum(agent_queue_depth)`.")
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
        None, ge=0, description="KEDA: seconds after the last active trigger before scaling to 0 (KEDA default 300)."
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
    """Run-to-completion settings of a `kind: job` agent: a KEDA ScaledJob starts a Job per task."""

    active_deadline_seconds: int | None = Field(
        None, ge=1, description="Longest a Job may run before it is stopped and counted as failed (none by default)."
    )
    retries: int = Field(3, ge=0, description="Retries of a failed task, each in a new pod (the Job's backoffLimit).")
    successful_history: int = Field(10, ge=0, description="Finished Jobs kept for their logs (KEDA default 100).")
    failed_history: int = Field(10, ge=0, description="Failed Jobs kept for their logs (KEDA default 100).")
    polling_interval: int = Field(30, ge=1, description="Seconds between KEDA's looks at the triggers.")


class Scaling(Model):
    replicas: int = Field(1, ge=0, description="Fixed replica count, used when there is no `autoscale`.")
    autoscale: Autoscale | None = Field(None, description="Autoscaling policy; overrides `replicas`.")

    @property
    def min(self) -> int:
        return self.autoscale.min if self.autoscale else self.replicas

    @property
    def max(self) -> int:
        return self.autoscale.max if self.autoscale else self.replicas


# --- secrets and config -----------------------------------------------------------------------


class SecretKeyRef(Model):
    name: str = Field(
        pattern=DNS_SUBDOMAIN,
        description="Name of an existing Kubernetes Secret.",
    )
    key: str = Field(min_length=1, description="Key inside that Secret.")


for _model in (RabbitMqTrigger, Trigger, Autoscale, Scaling):  # defined above, before the SecretKeyRef they hold
    _model.model_rebuild()


class SecretItem(Model):
    """A secret the agent gets at runtime: as an env var or a file, from a Secret or stack config."""

    env: str | None = Field(None, pattern=ENV_NAME, description="Environment variable to set.")
    path: AbsPath | None = Field(
        None, description="File to mount (its directory is mounted, so rotation needs no restart)."
    )
    secret_ref: SecretKeyRef | None = Field(None, description="Key of an existing Kubernetes Secret.")
    config: str | None = Field(
        None,
        pattern=CONFIG_KEY,
        description="Name of a Pulumi config secret of the stack (`agentkube:<name>`).",
    )

    @model_validator(mode="after")
    def _one_target_one_source(self) -> Self:
        if (self.env is None) == (self.path is None):
            raise ValueError("a secret needs exactly one of env or path")
        if (self.secret_ref is None) == (self.config is None):
            raise ValueError("a secret needs exactly one of secretRef or config")
        return self


class Config(Model):
    """Non-secret configuration, from a ConfigMap of the agent."""

    reload: Literal["hot", "restart"] = Field(
        "hot",
        description="hot: files under `mountPath` change in running pods (no restart); "
        "restart: keys are also env vars and a content hash rolls the pods.",
    )
    mount_path: AbsPath = Field("/etc/agent", description="Directory where every key is a file.")
    data: dict[ConfigMapKey, Text] = Field(default_factory=dict, description="File name or env name -> content.")

    def env_keys(self) -> list[str]:
        """The keys that also become env vars: with `reload: restart`, those that are valid env names."""
        if self.reload != "restart":
            return []
        return [k for k in sorted(self.data) if re.fullmatch(ENV_NAME, k)]


# --- networking, availability, security -------------------------------------------------------


class Expose(Model):
    """An external entrypoint: an Ingress to the agent's Service."""

    host: str = Field(
        pattern=HOST,
        description="Public host name.",
    )
    path: str = Field("/", pattern=URL_PATH, description="Path prefix routed to the agent.")
    port: PortRef | None = Field(None, description="Service port; the first port when unset.")
    tls_secret: str | None = Field(None, description="Secret with the TLS certificate for `host`.")


class Disruption(Model):
    """A PodDisruptionBudget, created when the agent runs at least 2 replicas."""

    max_unavailable: int = Field(1, ge=0, description="Pods that voluntary disruptions may take down at once.")


class Shutdown(Model):
    grace_period_seconds: int = Field(60, ge=1, description="Time from SIGTERM to SIGKILL.")
    drain_seconds: int = Field(5, ge=0, description="Pause before SIGTERM while endpoints drop the pod.")

    @model_validator(mode="after")
    def _drain_within_grace(self) -> Self:
        if self.drain_seconds >= self.grace_period_seconds:
            raise ValueError(
                f"drainSeconds ({self.drain_seconds}) must be less than "
                f"gracePeriodSeconds ({self.grace_period_seconds})"
            )
        return self


class Metrics(Model):
    """Prometheus scraping of the agent's pods."""

    port: PortRef = Field(description="Port number or name serving metrics.")
    path: str = Field("/metrics", pattern=URL_PATH, description="Metrics path.")


PodSecurityLevel = Literal["restricted", "baseline", "privileged"]
POD_SECURITY_LEVELS: tuple[PodSecurityLevel, ...] = ("restricted", "baseline", "privileged")
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)  # fmt: skip
"""Capabilities the Pod Security `baseline` level admits; any other needs `privileged`."""


class Security(Model):
    """The secure defaults; each field is an explicit opt-out."""

    run_as_user: int = Field(65532, ge=0, description="UID of the container process.")
    run_as_group: int = Field(65532, ge=0, description="GID of the container process.")
    run_as_non_root: bool = Field(True, description="Refuse to start as UID 0.")
    read_only_root_filesystem: bool = Field(True, description="Root filesystem read-only; /tmp is an emptyDir.")
    allow_privilege_escalation: bool = Field(False, description="Allow setuid binaries to gain privileges.")
    add_capabilities: list[str] = Field(default_factory=list, description="Capabilities added back after dropping ALL.")
    seccomp_profile: Literal["RuntimeDefault", "Unconfined"] = Field("RuntimeDefault", description="Seccomp profile.")
    service_account_token: bool = Field(False, description="Mount a Kubernetes API token in the pods.")

    def pod_security_level(self) -> PodSecurityLevel:
        """The strictest Pod Security Standard that admits pods with these settings."""
        caps = set(self.add_capabilities)
        if self.seccomp_profile == "Unconfined" or not caps <= BASELINE_CAPABILITIES:
            return "privileged"
        if (
            not self.run_as_non_root
            or self.run_as_user == 0
            or self.allow_privilege_escalation
            or not caps <= {"NET_BIND_SERVICE"}
        ):
            return "baseline"
        return "restricted"

    @model_validator(mode="after")
    def _root_needs_opt_out(self) -> Self:
        if self.run_as_user == 0 and self.run_as_non_root:
            raise ValueError("runAsUser 0 is root while runAsNonRoot is true; set runAsNonRoot: false to opt out")
        return self


class Toleration(Model):
    key: str | None = Field(None, description="Taint key.")
    operator: Literal["Exists", "Equal"] = Field("Equal", description="Exists or Equal.")
    value: str | None = Field(None, description="Taint value (with Equal).")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(None, description="Taint effect.")


class Scheduling(Model):
    node_selector: dict[str, str] = Field(default_factory=dict, description="Node labels the pods require.")
    tolerations: list[Toleration] = Field(
        default_factory=list, description="Taints the pods tolerate (GPU taints are added for you)."
    )
    spread_across_zones: bool = Field(False, description="Spread pods across zones and nodes (on in prod).")


class ServiceAccount(Model):
    annotations: dict[str, str] = Field(default_factory=dict, description="E.g. a cloud IAM role binding.")


# --- rollout ----------------------------------------------------------------------------------


class RollingUpdate(Model):
    max_surge: int | Annotated[str, Field(pattern=PERCENT)] = Field("25%", description="Extra pods during a rollout.")
    max_unavailable: int | Annotated[str, Field(pattern=PERCENT)] = Field(
        0, description="Pods that may be missing during a rollout."
    )


class ErrorRate(Model):
    max: float = Field(ge=0, le=1, description="Highest acceptable error ratio, e.g. 0.05.")
    query: str = Field(min_length=1, description="Prometheus query returning the error ratio.")


Builtin = Literal["errorRate", "latencyP95", "toolErrorRate", "tokensPerRequest", "costPerRequest", "evalScore"]
PLACEHOLDERS = ("agent", "namespace", "track", "window")


def _placeholders(query: str) -> str:
    unknown = sorted(set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", query)) - set(PLACEHOLDERS))
    if unknown:
        raise ValueError(
            f"unknown placeholder ${unknown[0]}; a query may use " + ", ".join(f"${p}" for p in PLACEHOLDERS)
        )
    return query


class Check(Model):
    """One canary check: a PromQL query, run once per track, and a bound on the candidate's value."""

    name: str | None = Field(
        None,
        pattern=DNS_LABEL,
        max_length=63,
        description="Name in reports; defaults to the builtin's (e.g. errorRate).",
    )
    builtin: Builtin | None = Field(
        None,
        description="A built-in query (see the README): errorRate and latencyP95 from the usual HTTP metrics, "
        "toolErrorRate, tokensPerRequest, costPerRequest and evalScore from the agent's own.",
    )
    query: Annotated[str, AfterValidator(_placeholders)] | None = Field(
        None,
        min_length=1,
        description="PromQL returning one number; $agent, $namespace, $track and $window are filled in per track.",
    )
    max: float | None = Field(None, description="Fail when the candidate's value is above this.")
    min: float | None = Field(None, description="Fail when the candidate's value is below this.")
    max_ratio_to_stable: float | None = Field(
        None, gt=0, description="Fail when the candidate's value is above this many times stable's."
    )
    min_ratio_to_stable: float | None = Field(
        None, gt=0, description="Fail when the candidate's value is below this many times stable's."
    )

    @model_validator(mode="after")
    def _one_source_and_a_bound(self) -> Self:
        if (self.builtin is None) == (self.query is None):
            raise ValueError("give either builtin (e.g. builtin: errorRate) or query, not both and not neither")
        if self.query is not None and self.name is None:
            raise ValueError("a check with its own query needs a name")
        if all(b is None for b in (self.max, self.min, self.max_ratio_to_stable, self.min_ratio_to_stable)):
            raise ValueError("a check needs a bound: max, min, maxRatioToStable or minRatioToStable")
        return self

    @property
    def title(self) -> str:
        return self.name or str(self.builtin)


class Analysis(Model):
    """Canary analysis: the checks `agentkube analyze` and `agentkube release` run against Prometheus
    (and Argo Rollouts with `traffic: argo`)."""

    metrics: list[Check] = Field(default_factory=list, description="Checks of the candidate against its bounds.")
    window: str = Field("5m", pattern=DURATION, description="Range of the queries' rates ($window).")
    error_rate: ErrorRate | None = Field(None, description="Abort when the error ratio exceeds `max`.")
    interval: str = Field("1m", pattern=DURATION, description="Time between measurements.")
    failure_limit: int = Field(3, ge=0, description="Failed measurements that abort the rollout.")
    count: int = Field(
        5, ge=1, description="Measurements before the analysis passes and Argo promotes (without one it never ends)."
    )

    @model_validator(mode="after")
    def _limit_below_count(self) -> Self:
        if self.failure_limit >= self.count:
            raise ValueError(
                f"failureLimit ({self.failure_limit}) must be below count ({self.count}), or no analysis could fail"
            )
        names = [c.title for c in self.metrics]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise ValueError(f"two checks are named {twice}; give one a `name`")
        return self


class Candidate(Model):
    """A version of the agent: its image, and config when it differs from the spec's."""

    image: Image = Field(description="Image of this version.")
    version: str | None = Field(None, pattern=VERSION, max_length=63, description="Version label; defaults to the tag.")
    config: Config | None = Field(None, description="Config of this version; defaults to the spec's `config`.")

    @model_validator(mode="after")
    def _version_is_a_label(self) -> Self:
        check_versioned(self.image, self.version)
        return self


HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"


class Sticky(Model):
    """Gateway API session persistence on the canary's HTTPRoute: exactly one of `header` or `cookie`."""

    header: str | None = Field(
        None, pattern=HEADER_NAME, max_length=128, description="Request header naming the session, e.g. X-Session-Id."
    )
    cookie: str | None = Field(
        None, pattern=HEADER_NAME, max_length=128, description="Cookie the gateway sets to pin the session."
    )
    absolute_timeout: str | None = Field(
        None, pattern=DURATION, description="Longest a session stays pinned, e.g. 1h (the gateway's default otherwise)."
    )
    idle_timeout: str | None = Field(None, pattern=DURATION, description="Unpin a session idle for this long.")

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if (self.header is None) == (self.cookie is None):
            raise ValueError("give exactly one of header or cookie, e.g. {header: X-Session-Id}")
        return self


class Canary(Candidate):
    """A candidate version that takes a share of the traffic."""

    weight: int = Field(10, ge=0, le=100, description="Percent of traffic (and replicas) for the candidate.")
    traffic: Literal["replicas", "gateway", "argo"] = Field(
        "replicas",
        description="replicas: split by pod count (any cluster); gateway: Gateway API HTTPRoute weights; "
        "argo: an Argo Rollouts Rollout with automated analysis.",
    )
    analysis: Analysis | None = Field(None, description="Automated analysis (with `traffic: argo`).")
    sticky: Sticky | None = Field(
        None, description="Keep each conversation on one version (with `traffic: gateway`): session persistence."
    )

    @model_validator(mode="after")
    def _sticky_needs_a_route(self) -> Self:
        if self.sticky is not None and self.traffic != "gateway":
            raise ValueError(
                f"sticky needs traffic: gateway (an HTTPRoute's session persistence), found traffic: {self.traffic}"
            )
        return self

    @model_validator(mode="after")
    def _argo_needs_a_query(self) -> Self:
        if self.traffic == "argo" and (
            self.analysis is None or (self.analysis.error_rate is None and not self.analysis.metrics)
        ):
            raise ValueError(
                "traffic: argo needs analysis.metrics or analysis.errorRate, "
                "e.g. {metrics: [{builtin: errorRate, maxRatioToStable: 1.5}]}"
            )
        return self


class BlueGreen(Model):
    """Two full colours; the main Service selects `active`, switching back needs no new pods."""

    active: Literal["blue", "green"] = Field("blue", description="Colour the main Service selects.")
    blue: Candidate | None = Field(None, description="The blue version.")
    green: Candidate | None = Field(None, description="The green version.")
    preview: bool = Field(True, description="A `<name>-preview` Service selecting the inactive colour.")

    @model_validator(mode="after")
    def _active_has_an_image(self) -> Self:
        if getattr(self, self.active) is None:
            raise ValueError(f"active colour '{self.active}' has no image, expected {self.active}: {{image: ...}}")
        return self


class Rollout(Model):
    """How a new version is released."""

    strategy: Literal["rolling", "canary", "blue-green"] = Field(
        "rolling", description="rolling (default), canary or blue-green."
    )
    rolling: RollingUpdate = Field(default_factory=RollingUpdate, description="Rolling update pace.")
    canary: Canary | None = Field(None, description="The candidate, with `strategy: canary`.")
    blue_green: BlueGreen | None = Field(None, description="The colours, with `strategy: blue-green`.")

    @model_validator(mode="after")
    def _blocks_match_strategy(self) -> Self:
        if self.canary is not None and self.blue_green is not None:
            raise ValueError("canary and blueGreen are set at once, expected one strategy")
        if self.strategy == "canary" and self.canary is None:
            raise ValueError("strategy canary needs a candidate: canary: {image: ...}")
        if self.strategy == "blue-green" and self.blue_green is None:
            raise ValueError("strategy blue-green needs blueGreen: {active: blue, blue: {image: ...}}")
        if self.strategy == "rolling" and (self.canary or self.blue_green):
            raise ValueError(
                f"strategy is rolling but {'canary' if self.canary else 'blueGreen'} is set; "
                f"set strategy: {'canary' if self.canary else 'blue-green'}"
            )
        return self


# --- the agent --------------------------------------------------------------------------------


# --- agent runtime: egress, isolation, tracing, MCP ---------------------------------------------


def _egress_host(entry: str) -> str:
    port = entry.partition(":")[2]
    if port and not 1 <= int(port) <= 65535:
        raise ValueError(f"port {port} of '{entry}' is out of range, expected 1-65535")
    return entry


EgressHost = Annotated[str, Field(pattern=EGRESS_HOST), AfterValidator(_egress_host)]
DEFAULT_EGRESS_PORT = 443


def egress_target(entry: str) -> tuple[str, int]:
    """`host[:port]` -> (host, port); the port defaults to 443."""
    host, _, port = entry.partition(":")
    return host, int(port) if port else DEFAULT_EGRESS_PORT


class Isolation(Model):
    """A stronger boundary than a container, for agents that run generated code or browse."""

    runtime_class: str = Field(
        pattern=DNS_SUBDOMAIN,
        description="RuntimeClass the pods run under (e.g. gvisor, kata); the stack lists the available ones "
        "in `runtimeClasses`.",
    )
    ephemeral_storage: MemoryQuantity = Field(
        "1Gi", description="Scratch disk per pod (ephemeral-storage limit, and the /tmp size limit)."
    )


# lifetimes a cron schedule repeats evenly: minutes that divide an hour, hours that divide a day
MaxLifetime = Literal["5m", "10m", "15m", "20m", "30m", "1h", "2h", "3h", "4h", "6h", "8h", "12h", "24h"]


class Sandbox(Model):
    """A warm pool of isolated pods behind the agent's Service: no cold start per task."""

    size: int = Field(2, ge=1, le=100, description="Warm pods kept running; the pool's replica count.")
    max_lifetime: MaxLifetime | None = Field(
        None,
        description="Replace every pod this often (a rolling restart, so the pool stays warm), e.g. 1h; "
        "needs `agentkube:kubectlImage` in the stack.",
    )


class Tracing(Model):
    """OpenTelemetry auto-instrumentation by the OpenTelemetry operator."""

    inject: Literal["python", "java", "nodejs", "dotnet", "go"] = Field(
        description="Language of the agent: the operator injects its SDK (`instrumentation.opentelemetry.io/"
        "inject-<language>`)."
    )


class Mcp(Model):
    """The agent is a Model Context Protocol tool server."""

    path: str = Field("/mcp", pattern=URL_PATH, description="Path of the MCP endpoint.")
    port: PortRef | None = Field(None, description="Port serving MCP; the first port when unset.")
    transport: Literal["streamable-http", "sse"] = Field("streamable-http", description="MCP transport.")


class AgentSpec(Model):
    """One agent of the system: `name` and `image` alone are a valid spec."""

    name: str = Field(
        pattern=DNS_LABEL,
        max_length=50,
        description="DNS-1123 label, unique in the fleet; names every object of the agent.",
    )
    layer: Layer = Field("agent-pool", description="orchestration | agent-pool | infrastructure.")
    image: Image = Field(
        description="Image reference (`[registry[:port]/]path[:tag][@sha256:digest]`) with a tag or digest; "
        "unpinned images are refused in prod.",
    )
    version: str | None = Field(
        None,
        max_length=63,
        pattern=VERSION,
        description="Version label; defaults to the image tag.",
    )
    command: list[str] | None = Field(None, description="Overrides the image entrypoint.")
    args: list[str] | None = Field(None, description="Overrides the image arguments.")
    ports: list[Port] = Field(
        default_factory=list, description="Container ports; a Service is created when there are any."
    )
    env: dict[EnvName, Text] = Field(default_factory=dict, description="Plain environment variables (never secrets).")
    resources: Resources = Field(default_factory=Resources, description="Requests and limits.")
    health: Health = Field(default_factory=Health, description="Readiness, liveness and startup probes.")
    scaling: Scaling = Field(default_factory=Scaling, description="Fixed replicas or an autoscaling policy.")
    kind: Literal["service", "job"] = Field(
        "service",
        description="service: a Deployment of long-running pods; job: a task per message, each run to completion "
        "by a KEDA ScaledJob (needs `agentkube:keda`, `scaling.autoscale.triggers`, no ports).",
    )
    job: Job | None = Field(None, description="Run-to-completion settings, with `kind: job` (defaults when unset).")
    secrets: list[SecretItem] = Field(default_factory=list, description="Secrets injected at runtime, by reference.")
    config: Config = Field(default_factory=Config, description="Configuration data and how changes reach pods.")
    depends_on: list[str] = Field(
        default_factory=list,
        description="Agents this one calls: deployed first, reachable through the "
        "network policy, URL injected as `<NAME>_URL`.",
    )
    expose: Expose | None = Field(None, description="External entrypoint (Ingress).")
    disruption: Disruption = Field(default_factory=Disruption, description="PodDisruptionBudget (at >= 2 replicas).")
    shutdown: Shutdown = Field(default_factory=Shutdown, description="Graceful shutdown of long agent sessions.")
    metrics: Metrics | None = Field(None, description="Prometheus scrape target.")
    security: Security = Field(default_factory=Security, description="Opt-outs of the secure defaults.")
    scheduling: Scheduling = Field(default_factory=Scheduling, description="Node placement.")
    service_account: ServiceAccount = Field(default_factory=ServiceAccount, description="The agent's ServiceAccount.")
    rollout: Rollout = Field(default_factory=Rollout, description="How new versions are released.")
    egress: list[EgressHost] | None = Field(
        None,
        description="Internet hosts the agent may reach, `host[:port]` (port 443 when unset; `*.` for any "
        "subdomain); `[]`: none. Unset: any address outside the private ranges (none with `isolation`).",
    )
    isolation: Isolation | None = Field(None, description="Run the pods under a sandboxing RuntimeClass.")
    sandbox: Sandbox | None = Field(None, description="A warm pool of isolated pods (needs `isolation`).")
    tracing: Tracing | None = Field(None, description="OpenTelemetry auto-instrumentation.")
    mcp: Mcp | None = Field(None, description="An MCP tool server: dependents get `<NAME>_MCP_URL`.")

    @model_validator(mode="after")
    def _version_is_a_label(self) -> Self:
        check_versioned(self.image, self.version)
        return self

    @model_validator(mode="before")
    @classmethod
    def _the_pool_size_is_the_replica_count(cls, data: Any) -> Any:
        """A sandbox pool runs `sandbox.size` pods, whatever `scaling.replicas` (or a stack default) says."""
        if isinstance(data, dict) and isinstance(sandbox := data.get("sandbox"), dict):
            size = sandbox.get("size", Sandbox.model_fields["size"].default)
            scaling = data.get("scaling")
            if isinstance(size, int) and not (isinstance(scaling, dict) and "autoscale" in scaling):
                data = {**data, "scaling": {"replicas": size}}
        return data

    @property
    def internet(self) -> list[str] | None:
        """The egress hosts; None: any address outside the private ranges. Isolated pods default to none."""
        if self.egress is None and self.isolation is not None:
            return []
        return self.egress

    @property
    def tag(self) -> str | None:
        """The image tag, if any (a digest-only reference has none)."""
        return parse_image(self.image).tag

    @property
    def resolved_version(self) -> str:
        return version_of(self.image, self.version)

    @property
    def default_port(self) -> int | None:
        """The port default probes check: the MCP endpoint's, else the first."""
        if self.mcp is not None and self.mcp.port is not None:
            return self.port_number(self.mcp.port)
        return self.ports[0].port if self.ports else None

    def port_number(self, ref: int | str) -> int:
        """Resolve a port name to its number (numbers pass through)."""
        if isinstance(ref, int):
            return ref
        return next(p.port for p in self.ports if p.name == ref)

    def reference_problems(self) -> list[tuple[str, str]]:
        """(field path, message) for names used inside the spec that it does not declare."""
        names = {p.name for p in self.ports}
        problems: list[tuple[str, str]] = []
        refs: list[tuple[str, int | str | None]] = [
            (f"health.{kind}.{handler}.port", probe.port)
            for kind in ("readiness", "liveness", "startup")
            if (probe := getattr(self.health, kind)) is not None
            for handler in ("http", "tcp", "grpc")
            if getattr(probe, handler) is not None
        ]
        refs += [
            ("metrics.port", self.metrics.port if self.metrics else None),
            ("expose.port", self.expose.port if self.expose else None),
            ("mcp.port", self.mcp.port if self.mcp else None),
        ]
        for where, ref in refs:
            if isinstance(ref, str) and ref not in names:
                declared = ", ".join(sorted(names)) or "none"
                problems.append(
                    (where, f"'{ref}' is not a declared port, expected one of: {declared}{did_you_mean(ref, names)}")
                )
        numbers = {p.port for p in self.ports}
        if self.expose and isinstance(self.expose.port, int) and self.expose.port not in numbers:
            declared = ", ".join(str(n) for n in sorted(numbers)) or "none"
            problems.append(("expose.port", f"{self.expose.port} is not a declared port, expected one of: {declared}"))
        if self.expose and not self.ports:
            problems.append(("expose", "needs at least one port in ports to route to"))
        if self.mcp and not self.ports:
            problems.append(("mcp", "needs at least one port in ports to serve MCP on"))
        if self.sandbox and not self.ports:
            problems.append(("sandbox", "needs at least one port in ports: the pool serves behind the Service"))
        if len(names) != len(self.ports):
            problems.append(("ports", "port names must be unique"))
        seen: dict[tuple[int, str], str] = {}
        for i, port in enumerate(self.ports):
            if (port.port, port.protocol) in seen:
                problems.append(
                    (
                        f"ports[{i}].port",
                        f"{port.port}/{port.protocol} is already port '{seen[port.port, port.protocol]}'"
                        ", expected each port number once per protocol",
                    )
                )
            seen.setdefault((port.port, port.protocol), port.name)
        return problems + self._mount_problems() + self._isolation_problems()

    def _isolation_problems(self) -> list[tuple[str, str]]:
        problems = []
        if self.sandbox is not None and self.isolation is None:
            problems.append(("sandbox", "needs isolation, e.g. isolation: {runtimeClass: gvisor}"))
        if self.sandbox is not None and self.scaling.autoscale is not None:
            problems.append(("scaling.autoscale", "a sandbox pool has a fixed size (sandbox.size), expected none"))
        if self.isolation is not None:
            if self.security.service_account_token:
                problems.append(("security.serviceAccountToken", "true with isolation, expected no API token"))
            if not self.security.read_only_root_filesystem:
                problems.append(("security.readOnlyRootFilesystem", "false with isolation, expected a read-only root"))
        return problems

    def mounts(self) -> list[tuple[str, str]]:
        """(field path, directory) of every volume mount of the container, in the order they are made."""
        out = [("(the writable /tmp)", "/tmp")]
        if self.config.data:
            out.append(("config.mountPath", self.config.mount_path))
        for i, item in enumerate(self.secrets):
            if item.path:
                out.append((f"secrets[{i}].path", posixpath.dirname(item.path) or "/"))
        return out

    def _mount_problems(self) -> list[tuple[str, str]]:
        problems = []
        first: dict[str, str] = {}
        for where, directory in self.mounts():
            other = first.setdefault(directory, where)
            # secrets in one directory share one mount; anything else needs a directory of its own
            if directory == "/":
                problems.append((where, "mounts / itself, expected a file in a directory below /, e.g. /etc/agent/key"))
            elif other != where and not (where.startswith("secrets") and other.startswith("secrets")):
                problems.append(
                    (where, f"mounts {directory}, which {other} mounts too, expected a directory of its own")
                )
        return problems
