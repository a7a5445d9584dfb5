"""Derived names within their kinds' limits: an agent name that fits alone may not fit once a suffix is added."""

from __future__ import annotations

from ..spec.agent import AgentSpec
from ..spec.patterns import name_limit
from .object_names import derived_names


def name_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for the derived name that most overruns its kind's limit, if any does."""
    worst = None
    for derived in derived_names(spec):
        limit = name_limit(derived.kind)
        if derived.length > limit.max:
            allowed = limit.max - (derived.length - len(spec.name))
            if worst is None or allowed < worst[0]:
                worst = (allowed, derived, limit)
    if worst is None:
        return []
    allowed, derived, limit = worst
    what = "the pod label app.kubernetes.io/name" if derived.kind == "label" else f"the {derived.kind} name"
    if derived.kind == "container":
        what = "the container name"
    why = f" ({limit.why})" if limit.why else ""
    return [
        (
            "name",
            f"'{spec.name}' makes {what} '{derived.shown()}' {derived.length} characters, over the {limit.max} "
            f"Kubernetes allows{why}; shorten the name to {allowed} or less",
        )
    ]
