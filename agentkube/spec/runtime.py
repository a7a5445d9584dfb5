"""How the agent meets the world at runtime: the hosts it may reach, its Ingress and MCP endpoint, and the
boundary around its pods (isolation, sandbox pools, tracing)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo

from .addresses import egress_destination
from .base import DnsSubdomain, HostName, Model, PortRef
from .patterns import URL_PATH
from .quantity import MemoryQuantity

AGENTS_CONTEXT = "agents"  # validation context key: the fleet's agent names, for messages that name one


def _egress_entry(entry: str, info: ValidationInfo) -> str:
    """Every entry has one meaning (`addresses.egress_destination`) or is refused with why."""
    agents = (info.context or {}).get(AGENTS_CONTEXT, frozenset())
    egress_destination(entry, frozenset(agents))
    return entry


EgressEntry = Annotated[str, Field(min_length=1), AfterValidator(_egress_entry)]


class Isolation(Model):
    """A stronger boundary than a container, for agents that run generated code or browse."""

    runtime_class: DnsSubdomain = Field(
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
    port: PortRef | None = Field(
        None, description="Port serving MCP, a declared TCP port by name or number; the first port when unset."
    )
    transport: Literal["streamable-http", "sse"] = Field("streamable-http", description="MCP transport.")


class Expose(Model):
    """An external entrypoint: an Ingress to the agent's Service."""

    host: HostName = Field(
        description="Public host name: a DNS name (`*.` for any subdomain), never an IP address, as the Ingress "
        "routes by name; also its TLS entry's host with `tlsSecret`.",
    )
    path: str = Field("/", pattern=URL_PATH, description="Path prefix routed to the agent.")
    port: PortRef | None = Field(None, description="Service port; the first port when unset.")
    tls_secret: DnsSubdomain | None = Field(
        None, description="Secret with the TLS certificate for `host`, in the agent's namespace (a DNS subdomain)."
    )
