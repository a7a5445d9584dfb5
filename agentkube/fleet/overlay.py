"""A stack's overlay on a spec: its defaults merged under every agent (each agent gets those it has a use for), its
override merged over one agent, and the problems an overlay causes, said where they are made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..project import config_key
from ..spec.agent import AgentSpec
from ..spec.problems import Problem, problems_from
from .unused_rules import SUPERSEDED, unused_fields


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `over` onto `base` into a new mapping: mappings merge key by key, anything else is replaced.

    The one overlay rule, for what is validated (a stack's defaults and overrides on a spec) and for what
    is written (`source_edits.write_override`). Inputs are never mutated, so unchanged values are shared rather
    than copied; a dict keeps its type and attributes, so a round-trip YAML mapping keeps its comments.
    """
    merged = base.copy() if isinstance(base, dict) else dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def layered(
    document: Mapping[str, Any], defaults: Mapping[str, Any], override: Mapping[str, Any], context: dict[str, Any]
) -> AgentSpec:
    """The agent of a spec document under the stack's defaults and with its override over it; ValidationError when
    the overlay breaks the spec. A default the agent has no use for (`unused_fields`: `scaling.replicas` for an
    autoscaled or job agent) is left out rather than misapplied or refused: defaults are for the whole fleet.
    So is a default that would take the place of what the spec or override gives (an autoscaler over replicas)."""
    over = deep_merge(document, override)
    try:
        spec = AgentSpec.model_validate(over, context=context)
    except ValidationError:  # the override broke the spec: validated under every default, to say so
        return AgentSpec.model_validate(deep_merge(defaults, over), context=context)
    applied, merged = defaults, None
    while True:  # a default may make the agent another kind (an autoscaler): ends, as each pass leaves one out
        left_out = [u.path for u in unused_fields(spec)] + [by for f, by in SUPERSEDED.items() if given(over, f)]
        drop = [path for path in left_out if given(applied, path)]
        applied = _without(applied, drop)
        if merged is not None and not drop:
            return merged
        merged = spec = AgentSpec.model_validate(deep_merge(applied, over), context=context)


def unused_problems(
    spec: AgentSpec, document: Mapping[str, Any], override: Mapping[str, Any], file: str, stack_file: str
) -> list[Problem]:
    """A field the agent has no use for, where it is given: at the override in the stack file, else in the spec
    file; but a spec file's field that the override replaces (its `scaling.replicas` by an autoscale) is not one."""
    out = []
    for unused in unused_fields(spec):
        if given(override, unused.path):
            where = f"config.{config_key('overrides')}.{spec.name}.{unused.at}"
            out.append(Problem(stack_file, where, unused.why))
        elif given(document, unused.path) and not _replaced(unused.path, document, override):
            out.append(Problem(file, unused.at, unused.why))
    return out


def _replaced(path: str, document: Mapping[str, Any], override: Mapping[str, Any]) -> bool:
    by = SUPERSEDED.get(path)
    return by is not None and given(override, by) and not given(document, by)


def overlay_problems(
    err: ValidationError, stack_file: str, name: Any, defaults: Mapping[str, Any], document: Any
) -> list[Problem]:
    """Problems an overlay caused, against the stack file: at `defaults` when the spec under the defaults alone
    has it too, else at the agent's override (`overrides.NAME.field`), whatever fields either sets."""
    by_defaults: set[tuple[str, str]] = set()
    if defaults:
        try:
            AgentSpec.model_validate(deep_merge(defaults, document))
        except ValidationError as alone:
            by_defaults = {(p.path, p.message) for p in problems_from(alone, stack_file, AgentSpec)}
    out = []
    for problem in problems_from(err, stack_file, AgentSpec):
        where = "defaults" if (problem.path, problem.message) in by_defaults else f"overrides.{name}"
        out.append(Problem(stack_file, f"config.agentkube:{where}.{problem.path}".rstrip("."), problem.message))
    return out


def given(overlay: Mapping[str, Any], path: str) -> bool:
    """Whether `overlay` gives the field at `path` (`a.b.c`) a value (null is none: the field's default)."""
    node: Any = overlay
    for key in path.split("."):
        if not isinstance(node, Mapping) or node.get(key) is None:
            return False
        node = node[key]
    return True


def _without(overlay: Mapping[str, Any], paths: list[str]) -> Mapping[str, Any]:
    """`overlay` without the fields at `paths`, and without a block they leave empty (a default `job: {timeZone: ..}`
    gives a queue job no `job` block at all); a new mapping along each path, the input is kept."""
    out = overlay
    for path in paths:
        head, _, rest = path.partition(".")
        inner = out.get(head)
        if rest and isinstance(inner, Mapping) and (left := _without(inner, [rest])):
            out = {**out, head: left}
        else:
            out = {k: v for k, v in out.items() if k != head}
    return out
