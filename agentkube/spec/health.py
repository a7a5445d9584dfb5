"""Health checks: the readiness, liveness and startup probes and their defaults."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from .base import Model, PortRef
from .patterns import URL_PATH


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
