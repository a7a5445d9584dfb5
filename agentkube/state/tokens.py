"""The names the Pulumi components register under and ops find again in a stack's state.

Changing a type token replaces every resource of existing stacks: the tokens are fixed, the classes follow them.
"""

from __future__ import annotations

from typing import Any, TypedDict

FLEET_TYPE = "agentkube:index:Fleet"
LAYER_TYPE = "agentkube:index:Layer"
AGENT_TYPE = "agentkube:index:Agent"
RECORD_OUTPUT = "record"  # the Fleet's output holding the update's sources (see state.record)


class AgentOutputs(TypedDict):
    """What an Agent component registers; `agentkube history` reads it back from state."""

    name: str
    namespace: str
    version: str
    image: str
    spec_hash: str
    url: str | None
    tracks: list[dict[str, Any]]
