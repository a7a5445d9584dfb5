"""Where an agent's truth lives when the stack overrides it: a stack override (as `promote` and `abort`
write) that replaces the spec file's image or turns its canary off, said in one line per agent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..project import config_key
from .model import Fleet


def override_notes(fleet: Fleet, documents: Mapping[str, Any], stack_source: str) -> list[str]:
    """`FILE: NAME runs image X from STACK agentkube:overrides.NAME, not the spec file's Y`, and the same for a
    canary the override removed (weight 0), for each agent whose spec file says otherwise."""
    notes = []
    for name, override in sorted(fleet.settings.overrides.items()):
        source = fleet.sources.get(name)
        doc = documents.get(source) if source else None
        if not isinstance(doc, Mapping) or not isinstance(override, Mapping):
            continue
        where = f"{stack_source} {config_key('overrides')}.{name}"
        said = []
        if "image" in override and doc.get("image") != override["image"]:
            said.append(f"image {override['image']} (the spec file's is {doc.get('image')})")
        canary = _canary(doc)
        if canary and _canary(override).get("weight") == 0 and canary.get("weight", 0) != 0:
            said.append(f"no canary (the spec file's canary {canary.get('image', '?')} has weight 0 there)")
        if said:
            notes.append(
                f"{source}: note: {name} runs {' and '.join(said)} by {where}; that override is its truth until "
                "the spec file says the same"
            )
    return notes


def _canary(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    rollout = doc.get("rollout")
    canary = rollout.get("canary") if isinstance(rollout, Mapping) else None
    return canary if isinstance(canary, Mapping) else {}
