"""Promote and abort: a change to a stack's `agentkube:overrides` (pure), written and then deployed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.rollout import tracks
from ..fleet.loader import display, read_documents, read_stack, stack_agents_dir
from ..fleet.model import Fleet
from ..fleet.overlay import deep_merge
from ..fleet.resolve import resolve
from ..fleet.source_edits import drop_override, merged_spec, without_change, write_override, write_spec
from ..fleet.yaml_files import Documents
from ..project import config_key, spec_files, stack_file, stack_names
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
        if rollout.canary.weight == 0 and rollout.canary.image == spec.image:
            raise _nothing(fleet, agent, "its candidate is already stable")
        return _canary_promotion(fleet, agent)
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


def _canary_promotion(fleet: Fleet, agent: str) -> OverrideChange:
    canary = canary_of(fleet, agent)
    change: dict[str, Any] = {
        "image": canary.image,
        "version": canary.version,
        "rollout": {"canary": {"weight": 0}},
    }
    if canary.config is not None:
        change["config"] = canary.config.model_dump(by_alias=True, exclude_unset=True)
    version = canary.version or canary.image.rsplit(":", 1)[-1]
    return OverrideChange(agent, change, f"promote {agent}: {version} is stable, canary removed")


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


def promote(
    target: StackTarget, agent: str, deploy: bool, say: Say, force: bool = False, write_sources: bool = False
) -> OverrideChange:
    """Check the promoted stack, write it, then `pulumi up` unless `deploy` is off. A candidate whose last
    analysis failed is refused, unless `force`.

    A canary's promotion goes into the stack's override; with `write_sources`, into the spec file instead (its
    image becomes the candidate's, its canary weight 0) with the override's image, version and canary weight
    taken out, so that the truth lives in one place. That also moves an earlier promotion from the override into
    the spec file; the other stacks that read the spec file and whose next `up` changes by it are named."""
    if deploy:
        target.ensure_deployable()
    fleet = target.fleet()
    canary = fleet.agent(agent).rollout.canary
    moving = write_sources and canary is not None and _promoted_by_override(target, fleet, agent)
    change = _canary_promotion(fleet, agent) if moving else promotion(fleet, agent)
    last = last_verdict(target.project, target.stack, agent) if canary and not force and not moving else None
    if canary and last and last["verdict"] == "fail" and last.get("candidate") == canary.image:
        why = (
            f"the last analysis of {canary.image} failed ({last['failures']}); run `agentkube analyze {agent}` again "
            "once it is fixed, or promote with --force"
        )
        raise SpecError([Problem(fleet.sources.get(agent, agent), "rollout.canary", why)])
    if canary is None or not write_sources:
        apply_change(target, fleet, change, deploy, say)
        if canary is not None:
            say(truth_after(target, fleet, change))
        return change
    before = read_documents(target.agents)
    source = fleet.sources[agent]
    after = _with(before, source, merged_spec(before[source], change.change))
    apply_change(
        target, fleet, change, deploy, say, in_spec=True, also=other_stacks_changed(target, agent, before, after)
    )
    return change


def _promoted_by_override(target: StackTarget, fleet: Fleet, agent: str) -> bool:
    """The agent runs its candidate as stable because of the stack's override, not its spec file."""
    spec = fleet.agent(agent)
    canary = spec.rollout.canary
    if canary is None or canary.weight != 0 or canary.image != spec.image:
        return False
    doc = read_documents(target.agents).get(fleet.sources.get(agent, ""))
    return isinstance(doc, dict) and doc.get("image") != spec.image


def truth_after(target: StackTarget, fleet: Fleet, change: OverrideChange) -> str:
    """Where a promoted canary's truth lives now: the stack file's override, over a spec file that still
    names the old image and the canary; and how to move it into the spec file."""
    spec = fleet.sources.get(change.agent, change.agent)
    where = f"{display(stack_file(target.project, target.stack))} {config_key('overrides')}.{change.agent}"
    doc = read_documents(target.agents).get(spec)
    old = doc.get("image") if isinstance(doc, dict) else fleet.agent(change.agent).image
    return (
        f"{change.agent} now runs image {change.change['image']} by {where}; {spec} still names image {old} and "
        f"its canary: to keep the truth in one place, move it into the spec file with `agentkube promote "
        f"{change.agent} --stack {target.stack} --write-sources` (it writes image {change.change['image']} there, "
        "weight 0, and takes the override's image, version and canary weight out)"
    )


def other_stacks_changed(target: StackTarget, agent: str, before: Documents, after: Documents) -> list[str]:
    """For each other stack of the project that reads the same specs: what its next `pulumi up` changes in
    `agent` because the spec files went from `before` to `after`."""
    lines = []
    for stack in stack_names(target.project):
        if stack == target.stack or stack_agents_dir(target.project, stack).resolve() != target.agents.resolve():
            continue
        try:
            settings, _ = read_stack(target.project, stack)
            source = display(stack_file(target.project, stack))
            was, now = (_tracks(resolve(docs, settings, source), agent) for docs in (before, after))
        except SpecError as err:
            lines.append(f"stack {stack}: not checked, its sources do not validate ({err.problems[0]})")
            continue
        if was != now:
            lines.append(
                f"stack {stack} reads {fleet_source(after, agent)} too: its next `pulumi up --stack {stack}` "
                f"changes {agent} from {was} to {now}; review with `agentkube plan --stack {stack}`"
            )
    return lines


def _tracks(fleet: Fleet, agent: str) -> str:
    return " + ".join(
        f"{t['track']} {t['version']} {t['weight']}%" for t in (t.summary() for t in tracks(fleet.agent(agent)))
    )


def fleet_source(documents: Documents, agent: str) -> str:
    return next((name for name, doc in documents.items() if isinstance(doc, dict) and doc.get("name") == agent), agent)


def abort(target: StackTarget, agent: str, deploy: bool, say: Say) -> OverrideChange:
    """Check the stack without the canary, write its overrides, then `pulumi up` unless `deploy` is off."""
    if deploy:
        target.ensure_deployable()
    fleet = target.fleet()
    change = abortion(fleet, agent)
    apply_change(target, fleet, change, deploy, say)
    return change


def apply_change(
    target: StackTarget,
    fleet: Fleet,
    change: OverrideChange,
    deploy: bool,
    say: Say,
    in_spec: bool = False,
    also: Sequence[str] = (),
) -> None:
    """Write `change` into the stack's overrides (`in_spec`: into the agent's spec file, taking it out of the
    override) and `pulumi up` with its summary as the message (unless `deploy` is off); `also` is said after
    what was written. Nothing is written when
    the change would leave the stack invalid, pulumi is missing or another update holds the stack; when the `up`
    fails (StepFailed) or is interrupted, the files are restored byte for byte."""
    if deploy:
        target.ensure_deployable()
    documents = read_documents(target.agents)
    overrides = change.overrides(fleet)
    spec_path = None
    if in_spec:
        source = fleet.sources[change.agent]
        spec_path = next(p for p in spec_files(target.agents) if display(p) == source)
        documents = _with(documents, source, merged_spec(documents[source], change.change))
        overrides = {name: dict(value) for name, value in fleet.settings.overrides.items()}
        rest = without_change(overrides.pop(change.agent, {}), change.change)
        overrides.update({change.agent: rest} if rest else {})
    path = stack_file(target.project, target.stack)
    resolve(documents, fleet.settings.model_copy(update={"overrides": overrides}), display(path))
    if deploy:
        pulumi_binary(pulumi_env(target.project))
        ensure_unlocked(target.project, target.stack)
    files = [path] if spec_path is None else [spec_path, path]
    before = {f: f.read_bytes() for f in files}
    if spec_path is None:
        write_override(target.project, target.stack, change.agent, change.change)
    else:
        write_spec(spec_path, change.change)
        drop_override(target.project, target.stack, change.agent, change.change)
    written = " and ".join(display(f) for f in files)
    say(f"{change.summary}; {written} updated")
    for line in also:
        say(line)
    if not deploy:
        say(f"deploy with: pulumi up --stack {target.stack}")
        return
    try:
        up(target.project, target.stack, f"agentkube {change.summary}")
    except EngineError as err:
        _restore(before)
        raise StepFailed(
            f"{err}\n{written} {'is restored to what it was' if len(files) == 1 else 'are restored to what they were'} "
            f"before `{change.summary}`; "
            f"`agentkube status --stack {target.stack}` shows what runs"
        ) from None
    except KeyboardInterrupt:
        _restore(before)  # the files stay at the last finished step
        raise


def _with(documents: Documents, source: str, doc: Any) -> Documents:
    edited = Documents()
    edited.update(documents)
    edited.texts = documents.texts
    edited[source] = doc
    return edited


def _restore(before: dict[Path, bytes]) -> None:
    for path, data in before.items():
        path.write_bytes(data)
