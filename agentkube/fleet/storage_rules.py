"""Checks of persistent storage: what a StatefulSet of pods, each with its own volume, can and cannot do."""

from __future__ import annotations

from ..spec.agent import AgentSpec

IN_PLACE = "a StatefulSet replaces each pod in place, one at a time, and the new pod mounts the old one's volume"


def storage_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for settings that a stateful agent (one with `storage`) cannot run with."""
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
    auto = spec.scaling.autoscale
    if auto is not None:
        why = (
            "0 would stop the only pods that hold the data, and calls fail until one starts"
            if auto.min == 0
            else "each pod keeps a volume of its own, so a pod added by load starts with none of the data and a pod "
            "removed takes its data out of service"
        )
        problems.append(("scaling.autoscale", f"with storage: {why}; expected fixed scaling.replicas"))
    if spec.rollout.strategy != "rolling":
        problems.append(
            (
                "rollout.strategy",
                f"'{spec.rollout.strategy}' with storage: a second track would start on empty volumes of its own "
                f"while the data stays with the first; expected rolling ({IN_PLACE})",
            )
        )
    for field in sorted(spec.rollout.rolling.model_fields_set):
        alias = "maxSurge" if field == "max_surge" else "maxUnavailable"
        problems.append((f"rollout.rolling.{alias}", f"is not used with storage: {IN_PLACE}; expected none"))
    return problems
