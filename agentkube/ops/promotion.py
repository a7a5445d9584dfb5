"""Promote and abort: a change to a stack's `agentkube:overrides` (pure), written and then deployed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..fleet.loader import display, load_fleet, read_documents, write_override
from ..fleet.model import Fleet
from ..fleet.resolve import deep_merge, resolve
from ..project import pulumi_env, stack_file
from ..spec.delivery import Canary
from ..spec.problems import Problem, SpecError
from .analyze import last_verdict
from .engine import pulumi_binary, up

ReleaseKind = Literal["promote", "abort"]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Release:
    """A change to one agent's stack override, and what it means in one line."""

    agent: str
    change: dict[str, Any]
    summary: str

    def overrides(self, fleet: Fleet) -> dict[str, Any]:
        """The stack's overrides with this change merged in."""
        overrides = {name: dict(value) for name, value in fleet.settings.overrides.items()}
        overrides[self.agent] = deep_merge(overrides.get(self.agent, {}), self.change)
        return overrides


def promote(fleet: Fleet, agent: str) -> Release:
    """Promote `agent`.

    canary: the candidate becomes the stable version and the canary is removed;
    blue-green: the main Service switches to the other colour.
    """
    spec = fleet.agent(agent)
    rollout = spec.rollout
    if rollout.canary is not None:
        canary = rollout.canary
        if canary.weight == 0 and canary.image == spec.image:
            raise _nothing(fleet, agent, "its candidate is already stable")
        change: dict[str, Any] = {
            "image": canary.image,
            "version": canary.version,
            "rollout": {"canary": {"weight": 0}},
        }
        if canary.config is not None:
            change["config"] = canary.config.model_dump(by_alias=True, exclude_unset=True)
        version = canary.version or canary.image.rsplit(":", 1)[-1]
        return Release(agent, change, f"promote {agent}: {version} is stable, canary removed")
    if rollout.blue_green is not None:
        bg = rollout.blue_green
        other = "green" if bg.active == "blue" else "blue"
        if getattr(bg, other) is None:
            raise _nothing(fleet, agent, f"colour {other} has no image")
        return Release(
            agent,
            {"rollout": {"blueGreen": {"active": other}}},
            f"promote {agent}: traffic switched from {bg.active} to {other}",
        )
    raise _nothing(fleet, agent, "it rolls out with strategy rolling")


def abort(fleet: Fleet, agent: str) -> Release:
    """Abort `agent`'s canary: weight 0, the candidate and its config removed."""
    spec = fleet.agent(agent)
    if spec.rollout.canary is None:
        hint = "; `agentkube promote` switches colours back" if spec.rollout.blue_green else ""
        raise _nothing(fleet, agent, f"it has no canary to abort{hint}")
    if spec.rollout.canary.weight == 0:
        raise _nothing(fleet, agent, "its canary weight is already 0")
    return Release(
        agent,
        {"rollout": {"canary": {"weight": 0}}},
        f"abort {agent}: canary {spec.rollout.canary.image} removed, weight 0",
    )


def _nothing(fleet: Fleet, agent: str, why: str) -> SpecError:
    return SpecError([Problem(fleet.sources.get(agent, agent), "rollout", f"nothing to do for {agent}: {why}")])


def canary_of(fleet: Fleet, agent: str) -> Canary:
    """The agent's canary; a SpecError when it has none."""
    canary = fleet.agent(agent).rollout.canary
    if canary is None:
        raise _nothing(fleet, agent, "it has no canary to release")
    return canary


def weighted(fleet: Fleet, agent: str, weight: int, label: str) -> Release:
    """Set `agent`'s canary weight (a step of `agentkube release`, called `label`)."""
    canary_of(fleet, agent)
    return Release(
        agent, {"rollout": {"canary": {"weight": weight}}}, f"release {agent}: {label}, canary weight {weight}%"
    )


def release(
    project_dir: Path,
    agents_dir: Path,
    stack: str,
    agent: str,
    kind: ReleaseKind,
    deploy: bool,
    say: Say,
    force: bool = False,
) -> Release:
    """promote / abort: check the changed stack, write its overrides, then `pulumi up` unless `deploy` is off.
    A promote refuses a candidate whose last analysis failed, unless `force`."""
    fleet = load_fleet(agents_dir, stack, project_dir, check_secrets=False)
    change = (promote if kind == "promote" else abort)(fleet, agent)
    canary = fleet.agent(agent).rollout.canary
    last = last_verdict(project_dir, stack, agent) if kind == "promote" and canary and not force else None
    if canary and last and last["verdict"] == "fail" and last.get("candidate") == canary.image:
        why = (
            f"the last analysis of {canary.image} failed ({last['failures']}); run `agentkube analyze {agent}` again "
            "once it is fixed, or promote with --force"
        )
        raise SpecError([Problem(fleet.sources.get(agent, agent), "rollout.canary", why)])
    apply(project_dir, agents_dir, stack, fleet, change, deploy, say)
    return change


def apply(
    project_dir: Path, agents_dir: Path, stack: str, fleet: Fleet, change: Release, deploy: bool, say: Say
) -> None:
    """Write `change` into the stack's overrides and `pulumi up` with its summary as the message (unless
    `deploy` is off). Nothing is written when the change would leave the stack invalid or pulumi is missing."""
    changed = fleet.settings.model_copy(update={"overrides": change.overrides(fleet)})
    resolve(read_documents(agents_dir), changed, display(stack_file(project_dir, stack)))
    if deploy:
        pulumi_binary(pulumi_env(project_dir))
    path = write_override(project_dir, stack, change.agent, change.change)
    say(f"{change.summary}; {display(path)} updated")
    if deploy:
        up(project_dir, stack, f"agentkube {change.summary}")
    else:
        say(f"deploy with: pulumi up --stack {stack}")
