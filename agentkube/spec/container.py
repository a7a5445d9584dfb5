"""The container and its pod: ports, resources, security, placement, shutdown and metrics."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from .base import LabelKey, LabelMap, LabelValue, Model, PortRef
from .patterns import PORT_NAME, URL_PATH
from .quantity import MemoryQuantity, Quantity, parse_quantity


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
    key: LabelKey | None = Field(None, description="Taint key (a label key).")
    operator: Literal["Exists", "Equal"] = Field("Equal", description="Exists or Equal.")
    value: LabelValue | None = Field(None, description="Taint value (with Equal; a label value).")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(None, description="Taint effect.")


class Scheduling(Model):
    node_selector: LabelMap = Field(
        default_factory=dict, description="Node labels the pods require (label keys and values)."
    )
    tolerations: list[Toleration] = Field(
        default_factory=list, description="Taints the pods tolerate (GPU taints are added for you)."
    )
    spread_across_zones: bool = Field(False, description="Spread pods across zones and nodes (on in prod).")


class ServiceAccount(Model):
    annotations: dict[LabelKey, str] = Field(
        default_factory=dict, description="E.g. a cloud IAM role binding (keys: `[prefix/]name`, as label keys)."
    )
