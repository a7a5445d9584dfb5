"""MCP tool servers of a fleet, and which agents use them (for `plan` and `status`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..fleet.model import Fleet
from . import naming


@dataclass(frozen=True)
class ToolServer:
    name: str
    url: str  # what dependents get as <NAME>_MCP_URL
    transport: str
    used_by: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "used_by": list(self.used_by)}

    def line(self) -> str:
        users = ", ".join(self.used_by) or "no agent yet"
        return f"  {self.name}: {self.url} ({self.transport}), used by {users}"


def tool_servers(fleet: Fleet) -> list[ToolServer]:
    """Every agent with `mcp`, by name, with the agents that depend on it."""
    return [
        ToolServer(
            spec.name,
            naming.mcp_url(spec, fleet.settings) or "",
            spec.mcp.transport,
            tuple(sorted(a.name for a in fleet.dependents(spec.name))),
        )
        for spec in fleet.agents
        if spec.mcp is not None
    ]


def tools_text(servers: list[ToolServer]) -> str:
    """The MCP section under a table; empty without tool servers."""
    return "\n".join(["MCP tool servers:", *(s.line() for s in servers)]) if servers else ""
