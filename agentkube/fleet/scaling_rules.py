"""Checks of scale to zero, KEDA triggers and `kind: job` agents: what the spec combines and what the stack runs
(the fields a kind of agent does not read: `unused_rules`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..spec.agent import AgentSpec
from ..spec.patterns import PROMQL_LABEL, PROMQL_METRIC, WORDS
from ..spec.problems import Problem
from ..spec.scaling import Autoscale
from ..spec.stack import StackSettings
from .settings import the_stack

TRIGGER_EXAMPLE = "triggers: [{prometheus: {query: 'sum(agent_queue_depth)', threshold: '10'}}]"


def keda_problems(spec: AgentSpec, settings: StackSettings, file: str, stack_file: str) -> list[Problem]:
    """`FILE: FIELD.PATH: message` for every KEDA feature the spec uses wrongly or the stack does not run."""
    problems = [Problem(file, path, message) for path, message in _spec_problems(spec)]
    if settings.keda:
        return problems
    declare = (
        f"which {the_stack(stack_file)} does not declare; "
        f"set `agentkube:keda: true` in {stack_file} once KEDA runs in its cluster"
    )
    auto = spec.scaling.autoscale
    if spec.kind == "job" and not spec.scheduled:  # its triggers and min are the ScaledJob's: one problem says it all
        problems.append(Problem(file, "kind", f"'job' runs as a KEDA ScaledJob and needs KEDA, {declare}"))
    elif auto is not None and auto.min == 0:
        problems.append(
            Problem(file, "scaling.autoscale.min", f"0 needs KEDA (an HPA cannot scale to zero), {declare}, or min: 1")
        )
    elif auto is not None and auto.triggers:
        problems.append(Problem(file, "scaling.autoscale.triggers", f"are read by KEDA, {declare}"))
    return problems


def zero_warnings(agents: Mapping[str, AgentSpec], sources: Mapping[str, str]) -> list[Problem]:
    """Valid, but worth saying: an agent others call (or that is exposed) refuses those calls while it is at
    zero pods, since its triggers count queued work, not requests."""
    out = []
    for name, spec in sorted(agents.items()):
        auto = spec.scaling.autoscale
        if spec.kind != "service" or auto is None or auto.min != 0:
            continue
        callers = sorted(a.name for a in agents.values() if name in a.depends_on)
        if spec.expose:
            callers.append(f"the Ingress for {spec.expose.host}")
        if callers:
            out.append(
                Problem(
                    sources[name],
                    "scaling.autoscale.min",
                    f"warning: at 0 pods, calls from {', '.join(callers)} fail until a trigger starts a pod "
                    "(triggers count queued work, not requests); min: 1 keeps one pod to answer",
                )
            )
    return out


def _spec_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    auto = spec.scaling.autoscale
    problems = []
    if auto is not None and auto.min == 0 and not auto.wakes_from_zero and spec.kind == "service":
        problems.append(
            (
                "scaling.autoscale.min",
                "0 is never left on cpu, memory or per-pod metrics alone (with no pod there is nothing to "
                "measure, so KEDA refuses it); add a trigger from outside the pods, e.g. an external queue-depth "
                f"metric or {TRIGGER_EXAMPLE}, or set min: 1",
            )
        )
    if auto is not None and (auto.keda or spec.kind == "job"):
        problems += _promql_name_problems(auto)
    if spec.kind == "service":
        return problems
    return problems + _job_problems(spec)


def _promql_name_problems(auto: Autoscale) -> list[tuple[str, str]]:
    """With KEDA, each metric becomes a PromQL query `sum(name{key="value"})`: names must be PromQL's."""
    problems = []
    for i, metric in enumerate(auto.metrics):
        kind, name, keys = (
            ("external", metric.external.name, list(metric.external.selector))
            if metric.external
            else ("pods", metric.pods.name if metric.pods else "", [])
        )
        where = f"scaling.autoscale.metrics[{i}].{kind}"
        if not re.fullmatch(PROMQL_METRIC, name):
            problems.append(
                (f"{where}.name", f"'{name}' is not a Prometheus metric name (KEDA queries it), {WORDS[PROMQL_METRIC]}")
            )
        for key in keys:
            if not re.fullmatch(PROMQL_LABEL, key):
                problems.append((f"{where}.selector", f"'{key}' is not a Prometheus label name, {WORDS[PROMQL_LABEL]}"))
    return problems


def _job_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """A job agent takes one task per Job from a queue (triggers) or runs on a schedule; no ports, no
    traffic-shifting rollout."""
    problems = [] if spec.scheduled else _queue_problems(spec)
    if spec.ports:
        problems.append(
            (
                "ports",
                "a job agent takes its tasks from a queue or a schedule and serves no traffic, expected no ports "
                "(kind: service for an agent that others call)",
            )
        )
    if spec.rollout.strategy != "rolling":
        problems.append(
            (
                "rollout.strategy",
                f"'{spec.rollout.strategy}' does not apply to a job agent: each task runs to completion on the "
                "version current when it started, and an update starts new Jobs on the new version while running "
                "Jobs finish (KEDA's gradual rollout); expected rolling",
            )
        )
    return problems


def _queue_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """A job agent that takes one task per Job from a queue: triggers and a min, no per-pod metrics (the fields a
    ScaledJob does not read at all: `unused_rules`)."""
    auto = spec.scaling.autoscale
    problems = []
    if auto is None:
        problems.append(
            (
                "scaling",
                "a job agent starts a Job per task and needs scaling.autoscale with triggers, e.g. "
                f"autoscale: {{min: 0, max: 10, {TRIGGER_EXAMPLE}}}",
            )
        )
    else:
        if "min" not in auto.model_fields_set:  # the default 1 would keep a Job waiting for a task at all times
            problems.append(
                (
                    "scaling.autoscale.min",
                    "is not set, and a job agent needs it: min: 0 starts Jobs only for waiting tasks, "
                    "min: N keeps N Jobs waiting for one",
                )
            )
        if not auto.wakes_from_zero:
            problems.append(
                (
                    "scaling.autoscale.triggers",
                    "a job agent starts a Job per task and needs a queue or query to count them, "
                    f"e.g. {TRIGGER_EXAMPLE}",
                )
            )
        for i, metric in enumerate(auto.metrics):
            if metric.pods is not None:
                problems.append(
                    (
                        f"scaling.autoscale.metrics[{i}].pods",
                        "a job agent is scaled by its tasks, not by per-pod metrics, expected an external metric "
                        "or a trigger",
                    )
                )
    return problems
