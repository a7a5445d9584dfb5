"""Names of what agentkube injects into a container: the builder sets them, validation refuses specs that
set them twice, so both read them here."""

from __future__ import annotations


def dependency_env(agent: str) -> str:
    """The env var carrying a dependency's URL: tool-server -> TOOL_SERVER_URL."""
    return agent.upper().replace("-", "_") + "_URL"


def mcp_env(agent: str) -> str:
    """The env var carrying an MCP dependency's endpoint: tool-server -> TOOL_SERVER_MCP_URL."""
    return agent.upper().replace("-", "_") + "_MCP_URL"
