"""The `Fleet`: validated agents with the stack settings they were resolved for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..spec.agent import AgentSpec
from ..spec.problems import Problem, SpecError, did_you_mean
from ..spec.stack import StackSettings


@dataclass(frozen=True)
class Fleet:
    """Validated agents (sorted by name) with the stack settings they were resolved for."""

    agents: tuple[AgentSpec, ...]
    settings: StackSettings
    sources: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()  # valid, but worth saying: opt-outs of the secure defaults

    @cached_property
    def _by_name(self) -> dict[str, AgentSpec]:
        return {a.name: a for a in self.agents}

    @cached_property
    def _dependents(self) -> dict[str, list[AgentSpec]]:
        found: dict[str, list[AgentSpec]] = {a.name: [] for a in self.agents}
        for agent in self.agents:
            for dep in agent.depends_on:
                found[dep].append(agent)
        return found

    def agent(self, name: str) -> AgentSpec:
        """The agent `name`; a SpecError with a did-you-mean when there is none."""
        if name not in self._by_name:
            names = list(self._by_name)
            raise SpecError([Problem("agents/", "", f"no agent named '{name}'{did_you_mean(name, names)}")])
        return self._by_name[name]

    def dependents(self, name: str) -> list[AgentSpec]:
        """The agents that list `name` in dependsOn, by name."""
        return self._dependents[name]

    def dependency_order(self) -> list[AgentSpec]:
        """Agents sorted by name, each after the agents it depends on (validation rules out cycles)."""
        done: dict[str, AgentSpec] = {}

        def visit(spec: AgentSpec) -> None:
            if spec.name not in done:
                for dep in spec.depends_on:
                    visit(self.agent(dep))
                done[spec.name] = spec

        for spec in self.agents:
            visit(spec)
        return list(done.values())


def find_cycle(graph: Mapping[str, list[str]]) -> list[str]:
    """The first dependency cycle in sorted order, as a list of nodes; [] if there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, [])):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []
