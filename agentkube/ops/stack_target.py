"""The stack a command acts on: one project's stack and the agent specs it deploys, built once by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..fleet.loader import display, load_fleet, stack_agents_dir
from ..fleet.model import Fleet
from ..project import config_key, stack_file
from ..spec.problems import Problem, SpecError


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

    def program_agents(self) -> Path:
        """The directory `pulumi up` reads the specs from: the stack's `agentkube:agentsDir`."""
        return stack_agents_dir(self.project, self.stack)

    def ensure_deployable(self) -> None:
        """Refuse, before anything changes, to deploy from an `--agents` that `pulumi up` would not read."""
        program = self.program_agents()
        if self.agents.resolve() == program.resolve():
            return
        wanted = Path(os.path.relpath(self.agents.resolve(), self.project.resolve()))
        setting = wanted.as_posix() if not wanted.as_posix().startswith("..") else str(self.agents.resolve())
        raise SpecError(
            [
                Problem(
                    display(stack_file(self.project, self.stack)),
                    f"config.{config_key('agentsDir')}",
                    f"`pulumi up` reads the specs of {display(program)}, not --agents {display(self.agents)}: "
                    f"nothing was changed; to deploy these specs set `{config_key('agentsDir')}: {setting}` in "
                    f"this file (relative to the project), or drop --agents",
                )
            ]
        )
