"""Isolation and sandbox pools: what an isolated pod may not loosen, and a pool's size as its replica count."""

from __future__ import annotations

from ..spec.agent import AgentSpec


def isolation_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for sandbox and isolation settings that do not go together."""
    problems = []
    if spec.sandbox is not None and spec.isolation is None:
        problems.append(("sandbox", "needs isolation, e.g. isolation: {runtimeClass: gvisor}"))
    if spec.isolation is not None:
        if spec.security.service_account_token:
            problems.append(("security.serviceAccountToken", "true with isolation, expected no API token"))
        if not spec.security.read_only_root_filesystem:
            problems.append(("security.readOnlyRootFilesystem", "false with isolation, expected a read-only root"))
    return problems


def pool_size_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """A `scaling.replicas` the spec sets against its sandbox's size: the pool runs `sandbox.size` pods.

    Only a value the validated document sets counts (pydantic's fields set); a stack default yields to the pool.
    """
    sandbox, scaling = spec.sandbox, spec.scaling
    if sandbox is None or scaling.autoscale is not None or "replicas" not in scaling.model_fields_set:
        return []
    if scaling.replicas == sandbox.size:
        return []
    return [
        (
            "scaling.replicas",
            f"{scaling.replicas} with sandbox.size {sandbox.size}, expected no scaling.replicas "
            "(a sandbox pool runs sandbox.size pods)",
        )
    ]


def pool_sized(spec: AgentSpec) -> AgentSpec:
    """The spec with a sandbox pool's replica count set to its size, whatever replicas a stack default gave."""
    if spec.sandbox is None or spec.scaling.autoscale is not None or spec.scaling.replicas == spec.sandbox.size:
        return spec
    scaling = spec.scaling.model_copy(update={"replicas": spec.sandbox.size})
    return spec.model_copy(update={"scaling": scaling})
