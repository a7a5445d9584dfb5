"""Port references resolved to numbers: the spec names ports, and some Kubernetes fields take only numbers."""

from __future__ import annotations

from ..spec.agent import AgentSpec


def port_number(spec: AgentSpec, ref: int | str) -> int:
    """Resolve a port name to its number (numbers pass through); validation made sure the name is declared."""
    if isinstance(ref, int):
        return ref
    return next(p.port for p in spec.ports if p.name == ref)


def default_port(spec: AgentSpec) -> int | None:
    """The port default probes check: the MCP endpoint's, else the first."""
    if spec.mcp is not None and spec.mcp.port is not None:
        return port_number(spec, spec.mcp.port)
    return spec.ports[0].port if spec.ports else None
