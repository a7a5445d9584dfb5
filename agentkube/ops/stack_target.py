"""The stack a command acts on: one project's stack and the agent specs it deploys, built once by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..fleet.loader import load_fleet
from ..fleet.model import Fleet


@dataclass(frozen=True)
class StackTarget:
    """`--project`, `--agents` and `--stack` together, so that an operation takes one argument, not three."""

    project: Path  # the directory of Pulumi.yaml and Pulumi.<stack>.yaml
    agents: Path  # the directory of the agent specs
    stack: str

    def fleet(self) -> Fleet:
        """The specs under the stack's settings, read afresh (an operation may have just changed the stack file);
        config secrets are not checked, as only `validate` requires them to be set."""
        return load_fleet(self.agents, self.stack, self.project, check_secrets=False)
