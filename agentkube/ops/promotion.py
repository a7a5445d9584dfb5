"""Promote and abort: a change to a stack's `agentkube:overrides` (pure), written and then deployed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..fleet.loader import display, read_documents, write_override
from ..fleet.model import Fleet
from ..fleet.overlay import deep_merge
from ..fleet.resolve import resolve
from ..project import config_key, stack_file
from ..spec.delivery import Canary
from ..spec.problems import Problem, SpecError
from .analyze import last_verdict
from .backend.locks import ensure_unlocked
from .engine import pulumi_binary, up
from .environment import pulumi_env
from .errors import EngineError, StepFailed
from .stack_target import StackTarget

Say = Callable[[str], None]


@dataclass(frozen=True)
class OverrideChange:
    """A change to one agent's stack override, and what it means in one line."""

    agent: str
    change: dict[str, Any]
    summary: str

    def overrides(self, fleet: Fleet) -> dict[str, Any]:
        """The stack's overrides with this change merged in."""
        overrides = {name: dict(value) for name, value in fleet.settings.overrides.items()}
        overrides[self.agent] = deep_merge(overrides.get(self.agent, {}), self.change)
        return overrides


def promotion(fleet: Fleet, agent: str) -> OverrideChange:
    """The change that promotes `agent`.

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
        return OverrideChange(agent, change, f"promote {agent}: {version} is stable, canary removed")
    if rollout.blue_green is not None:
        bg = rollout.blue_green
        other = "green" if bg.active == "blue" else "blue"
        if getattr(bg, other) is None:
            raise _nothing(fleet, agent, f"colour {other} has no image")
        return OverrideChange(
            agent,
            {"rollout": {"blueGreen": {"active": other}}},
            f"promote {agent}: traffic switched from {bg.active} to {other}",
        )
    raise _nothing(fleet, agent, "it rolls out with strategy rolling")


def abortion(fleet: Fleet, agent: str) -> OverrideChange:
    """The change that aborts `agent`'s canary: weight 0, the candidate and its config removed."""
    spec = fleet.agent(agent)
    if spec.rollout.canary is None:
        hint = "; `agentkube promote` switches colours back" if spec.rollout.blue_green else ""
        raise _nothing(fleet, agent, f"it has no canary to abort{hint}")
    if spec.rollout.canary.weight == 0:
        raise _nothing(fleet, agent, "its canary weight is already 0")
    return OverrideChange(
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


def reweighting(fleet: Fleet, agent: str, weight: int, label: str) -> OverrideChange:
    """The change that sets `agent`'s canary weight (a step of `agentkube release`, called `label`)."""
    canary_of(fleet, agent)
    return OverrideChange(
        agent, {"rollout": {"canary": {"weight": weight}}}, f"release {agent}: {label}, canary weight {weight}%"
    )


def promote(target: StackTarget, agent: str, deploy: bool, say: Say, force: bool = False) -> OverrideChange:
    """Check the promoted stack, write its overrides, then `pulumi up` unless `deploy` is off. A candidate whose
    last analysis failed is refused, unless `force`."""
    if deploy:
        target.ensure_deployable()
    fleet = target.fleet()
    change = promotion(fleet, agent)
    canary = fleet.agent(agent).rollout.canary
    last = last_verdict(target.project, target.stack, agent) if canary and not force else None
    if canary and last and last["verdict"] == "fail" and last.get("candidate") == canary.image:
        why = (
            f"the last analysis of {canary.image} failed ({last['failures']}); run `agentkube analyze {agent}` again "
            "once it is fixed, or promote with --force"
        )
        raise SpecError([Problem(fleet.sources.get(agent, agent), "rollout.canary", why)])
    apply_change(target, fleet, change, deploy, say)
    if canary is not None:
        say(truth_after(target, fleet, change))
    return change


def truth_after(target: StackTarget, fleet: Fleet, change: OverrideChange) -> str:
    """Where a promoted canary's truth lives now: the stack file's override, over a spec file that still
    names the old image and the canary."""
    spec = fleet.sources.get(change.agent, change.agent)
    where = f"{display(stack_file(target.project, target.stack))} {config_key('overrides')}.{change.agent}"
    doc = read_documents(target.agents).get(spec)
    old = doc.get("image") if isinstance(doc, dict) else fleet.agent(change.agent).image
    return (
        f"{change.agent} now runs image {change.change['image']} by {where}; {spec} still names image {old} and "
        f"its canary: to keep the truth in the spec, set image {change.change['image']} there, remove its canary "
        "and the override's image, version and rollout"
    )


def abort(target: StackTarget, agent: str, deploy: bool, say: Say) -> OverrideChange:
    """Check the stack without the canary, write its overrides, then `pulumi up` unless `deploy` is off."""
    if deploy:
        target.ensure_deployable()
    fleet = target.fleet()
    change = abortion(fleet, agent)
    apply_change(target, fleet, change, deploy, say)
    return change


def apply_change(target: StackTarget, fleet: Fleet, change: OverrideChange, deploy: bool, say: Say) -> None:
    """Write `change` into the stack's overrides and `pulumi up` with its summary as the message (unless
    `deploy` is off). Nothing is written when the change would leave the stack invalid, pulumi is missing or
    another update holds the stack; when the `up` fails (StepFailed) or is interrupted, the stack file is
    restored byte for byte."""
    if deploy:
        target.ensure_deployable()
    changed = fleet.settings.model_copy(update={"overrides": change.overrides(fleet)})
    resolve(read_documents(target.agents), changed, display(stack_file(target.project, target.stack)))
    if deploy:
        pulumi_binary(pulumi_env(target.project))
        ensure_unlocked(target.project, target.stack)
    path = stack_file(target.project, target.stack)
    before = path.read_bytes()
    write_override(target.project, target.stack, change.agent, change.change)
    say(f"{change.summary}; {display(path)} updated")
    if not deploy:
        say(f"deploy with: pulumi up --stack {target.stack}")
        return
    try:
        up(target.project, target.stack, f"agentkube {change.summary}")
    except EngineError as err:
        path.write_bytes(before)
        raise StepFailed(
            f"{err}\n{display(path)} is restored to what it was before `{change.summary}`; "
            f"`agentkube status --stack {target.stack}` shows what runs"
        ) from None
    except KeyboardInterrupt:
        path.write_bytes(before)  # the stack file stays at the last finished step
        raise
