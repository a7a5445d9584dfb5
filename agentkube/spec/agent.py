"""The agent spec: pydantic models that are the one source of truth for the YAML format.

Every default lives here or in the models it holds (one module per concern), once, with its description;
the JSON Schema, the reference in docs/reference/ and validation all come from these models. Rules across
fields are the fleet's (`agentkube.fleet.*_rules`).
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from .base import EnvName, Image, Model, Text
from .configuration import Config, SecretItem
from .container import Metrics, Port, Resources, Scheduling, Security, ServiceAccount, Shutdown
from .delivery import Rollout
from .health import Health
from .image import check_versioned, parse_image, version_of
from .patterns import DNS_LABEL, VERSION
from .runtime import EgressEntry, Expose, Isolation, Mcp, Sandbox, Tracing
from .scaling import Disruption, Job, Scaling
from .storage import Storage

Layer = Literal["orchestration", "agent-pool", "infrastructure"]
LAYERS: tuple[Layer, ...] = ("orchestration", "agent-pool", "infrastructure")


class AgentSpec(Model):
    """One agent of the system: `name` and `image` alone are a valid spec."""

    name: str = Field(
        pattern=DNS_LABEL,
        max_length=50,
        description="DNS-1123 label, unique in the fleet; names every object of the agent, so each name derived from "
        "it must fit its kind (`<name>-recycler`, the CronJob of a recycled sandbox pool, at most 52 characters).",
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
        description="service: a Deployment of long-running pods (a StatefulSet with `storage`); job: run to "
        "completion, a task per message by a KEDA ScaledJob (needs `agentkube:keda`, `scaling.autoscale.triggers`, "
        "no ports), or by a CronJob on `job.schedule`.",
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
    storage: Storage | None = Field(
        None,
        description="A persistent volume per pod that survives rollouts: the agent runs as a StatefulSet "
        "(fixed replicas, rolling updates in place).",
    )
    disruption: Disruption = Field(
        default_factory=Disruption, description="PodDisruptionBudget (at >= 2 replicas; not for `kind: job`)."
    )
    shutdown: Shutdown = Field(default_factory=Shutdown, description="Graceful shutdown of long agent sessions.")
    metrics: Metrics | None = Field(None, description="Prometheus scrape target.")
    security: Security = Field(default_factory=Security, description="Opt-outs of the secure defaults.")
    scheduling: Scheduling = Field(default_factory=Scheduling, description="Node placement.")
    service_account: ServiceAccount = Field(default_factory=ServiceAccount, description="The agent's ServiceAccount.")
    rollout: Rollout = Field(default_factory=Rollout, description="How new versions are released.")
    egress: list[EgressEntry] | None = Field(
        None,
        description="What the agent may reach outside the cluster, `host[:port]` (port 443 when unset): a public "
        "host name (`*.` for any subdomain), an IP address or CIDR range (`203.0.113.7`, `10.20.0.0/16:5432`, "
        "`[2001:db8::1]:443`; a private range only as written, never link-local or metadata); `[]`: none. "
        "In-cluster service names are refused: agents call agents with `dependsOn`. Unset: any address outside "
        "the private, carrier-grade NAT and link-local ranges (none with `isolation`).",
    )
    isolation: Isolation | None = Field(None, description="Run the pods under a sandboxing RuntimeClass.")
    sandbox: Sandbox | None = Field(None, description="A warm pool of isolated pods (needs `isolation`).")
    tracing: Tracing | None = Field(None, description="OpenTelemetry auto-instrumentation.")
    mcp: Mcp | None = Field(None, description="An MCP tool server: dependents get `<NAME>_MCP_URL`.")

    @model_validator(mode="after")
    def _version_is_a_label(self) -> Self:
        check_versioned(self.image, self.version)
        return self

    @property
    def internet(self) -> list[str] | None:
        """The egress entries; None: any address outside the non-internet ranges. Isolated pods default to none."""
        if self.egress is None and self.isolation is not None:
            return []
        return self.egress

    @property
    def scheduled(self) -> bool:
        """A job agent run by a CronJob on `job.schedule` (rather than a KEDA ScaledJob per queued task)."""
        return self.kind == "job" and self.job is not None and self.job.schedule is not None

    @property
    def tag(self) -> str | None:
        """The image tag, if any (a digest-only reference has none)."""
        return parse_image(self.image).tag

    @property
    def resolved_version(self) -> str:
        return version_of(self.image, self.version)
