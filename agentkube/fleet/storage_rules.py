"""Checks of persistent storage: what a StatefulSet of pods, each with its own volume, can and cannot do."""

from __future__ import annotations

from ..spec.agent import AgentSpec

IN_PLACE = "a StatefulSet replaces each pod in place, one at a time, and the new pod mounts the old one's volume"


def storage_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for settings that a stateful agent (one with `storage`) cannot run with (and the fields
    it does not read: `unused_rules`)."""
    if spec.storage is None:
        return []
    problems = []
    if spec.kind == "job":
        problems.append(
            (
                "storage",
                "a job agent's pods run to completion and keep nothing, expected kind: service for an agent whose "
                "data must survive (or no storage)",
            )
        )
    if spec.sandbox is not None:
        problems.append(
            ("storage", "a sandbox pool's pods are interchangeable and thrown away, expected no storage or no sandbox")
        )
    if spec.rollout.strategy != "rolling":
        problems.append(
            (
                "rollout.strategy",
                f"'{spec.rollout.strategy}' with storage: a second track would start on empty volumes of its own "
                f"while the data stays with the first; expected rolling ({IN_PLACE})",
            )
        )
    return problems
