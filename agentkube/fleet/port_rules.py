"""Ports across the spec: every port a field names is declared, each port once, and the fields that route to
a port have one."""

from __future__ import annotations

from ..spec.agent import AgentSpec
from ..spec.problems import did_you_mean


def port_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for ports used inside the spec that it does not declare, or declares twice."""
    names = {p.name for p in spec.ports}
    mcp_port = spec.mcp.port if spec.mcp else None
    problems: list[tuple[str, str]] = []
    refs: list[tuple[str, int | str | None]] = [
        (f"health.{kind}.{handler}.port", probe.port)
        for kind in ("readiness", "liveness", "startup")
        if (probe := getattr(spec.health, kind)) is not None
        for handler in ("http", "tcp", "grpc")
        if getattr(probe, handler) is not None
    ]
    refs += [
        ("metrics.port", spec.metrics.port if spec.metrics else None),
        ("expose.port", spec.expose.port if spec.expose else None),
        ("mcp.port", mcp_port),
    ]
    for where, ref in refs:
        if isinstance(ref, str) and ref not in names:
            declared = ", ".join(sorted(names)) or "none"
            problems.append(
                (where, f"'{ref}' is not a declared port, expected one of: {declared}{did_you_mean(ref, names)}")
            )
    numbers = {p.port for p in spec.ports}
    declared = ", ".join(str(n) for n in sorted(numbers)) or "none"
    for where, ref in (("expose.port", spec.expose.port if spec.expose else None), ("mcp.port", mcp_port)):
        if isinstance(ref, int) and ref not in numbers:
            problems.append((where, f"{ref} is not a declared port, expected one of: {declared}"))
    for where, served, ref in (
        ("expose.port", spec.expose, spec.expose.port if spec.expose else None),
        ("mcp.port", spec.mcp, mcp_port),
    ):
        matching = [p for p in spec.ports if ref in (p.name, p.port)] if ref is not None else spec.ports[:1]
        if served and matching and all(p.protocol != "TCP" for p in matching):
            problems.append(
                (where, f"port '{matching[0].name}' is {matching[0].protocol}, expected a TCP port (HTTP runs on TCP)")
            )
    if spec.expose and not spec.ports:
        problems.append(("expose", "needs at least one port in ports to route to"))
    if spec.mcp and not spec.ports:
        problems.append(("mcp", "needs at least one port in ports to serve MCP on"))
    if spec.sandbox and not spec.ports:
        problems.append(("sandbox", "needs at least one port in ports: the pool serves behind the Service"))
    if len(names) != len(spec.ports):
        problems.append(("ports", "port names must be unique"))
    seen: dict[tuple[int, str], str] = {}
    for i, port in enumerate(spec.ports):
        if (port.port, port.protocol) in seen:
            problems.append(
                (
                    f"ports[{i}].port",
                    f"{port.port}/{port.protocol} is already port '{seen[port.port, port.protocol]}'"
                    ", expected each port number once per protocol",
                )
            )
        seen.setdefault((port.port, port.protocol), port.name)
    return problems
