"""Derived names within their kinds' limits, and one owner per name: an agent name that fits alone may not fit
once a suffix is added, and may be what another agent's name becomes with one (`x-headless`, `x-canary`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..spec.agent import AgentSpec
from ..spec.patterns import name_limit
from ..spec.problems import Problem
from ..spec.stack import StackSettings
from .object_names import DerivedName, derived_names, namespace, namespace_names


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
    why = f" ({limit.why})" if limit.why else ""
    return [
        (
            "name",
            f"'{spec.name}' makes {_what(derived)} '{derived.shown()}' {derived.length} characters, over the "
            f"{limit.max} Kubernetes allows{why}; shorten the name to {allowed} or less",
        )
    ]


def _what(derived: DerivedName) -> str:
    if derived.kind == "label":
        return "the pod label app.kubernetes.io/name"
    return "the container name" if derived.kind == "container" else f"the {derived.kind} name"


Owner = str | None  # an agent's name; None: the namespace itself (`namespace_names`)


def clash_problems(
    agents: Mapping[str, AgentSpec], sources: Mapping[str, str], settings: StackSettings
) -> list[Problem]:
    """Two owners of one name: an object of one kind and name in one namespace (or one pod name label, which
    the other's selectors would pick), derived for two agents, or for an agent and its namespace. Reported
    once per pair, at the agent with the longer name (usually the one another's name plus a suffix makes)."""
    owned: dict[tuple[str, str], list[tuple[Owner, DerivedName]]] = {}  # (namespace, kind) -> names
    for name, spec in sorted(agents.items()):
        ns = namespace(spec.layer, settings)
        own: list[tuple[Owner, DerivedName]] = [(name, d) for d in derived_names(spec) if d.kind != "container"]
        if not any(key[0] == ns for key in owned):
            own += [(None, d) for d in namespace_names()]
        for owner, derived in own:
            owned.setdefault((ns, derived.kind), []).append((owner, derived))
    clashes: dict[tuple[str, str, Owner], list[DerivedName]] = {}  # (namespace, agent, other owner) -> names
    for (ns, _), names in sorted(owned.items()):
        for i, (first, a) in enumerate(names):
            for second, b in names[i + 1 :]:
                if first != second and a.overlaps(b):
                    mine, theirs = _blamed(first, second)
                    clashes.setdefault((ns, mine, theirs), []).append(b if a.hashed else a)
    return [
        Problem(
            sources[mine],
            "name",
            f"'{mine}' makes {_listed(list(dict.fromkeys(names)))} in namespace {ns}, and so does "
            f"{_other(theirs, sources)}: a namespace holds one object of each kind and name, so one would "
            f"overwrite the other; rename {'one of the two agents' if theirs else 'the agent'}",
        )
        for (ns, mine, theirs), names in sorted(clashes.items(), key=lambda c: (c[0][0], c[0][1], c[0][2] or ""))
    ]


def _blamed(first: Owner, second: Owner) -> tuple[str, Owner]:
    """(the agent a clash is reported at, the other owner): an agent over the namespace, else the longer name."""
    if first is None or second is None:
        agent = first or second
        assert agent is not None  # the namespace owns each of its names once
        return agent, None
    return (first, second) if (len(first), first) > (len(second), second) else (second, first)


def _listed(names: list[DerivedName]) -> str:
    shown = [f"{_what(n).removesuffix(' name')} '{n.shown()}'" for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _other(owner: Owner, sources: Mapping[str, str]) -> str:
    return f"the agent {owner} ({sources[owner]})" if owner else "agentkube in every namespace it makes"
