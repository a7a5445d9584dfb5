"""The Pulumi program: the stack file (read as `agentkube validate` reads it) and agents/ in, a deployed fleet
and its outputs out."""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from ..fleet import Fleet, read_documents, resolve
from ..fleet.loader import agents_dir_of, read_stack_file
from ..fleet.target import TargetError, target_of
from ..project import stack_file
from ..spec.problems import SpecError
from ..spec.stack import StackSettings
from ..state.record import AGENTS_DIR_ENV, ROLLBACK_ENV, STACK_CONFIG_ENV, capture
from . import fleet as component


def sources() -> tuple[Path | None, Path]:
    """Agent specs and stack config file of this run: a rollback's (set by `agentkube rollback` in its
    environment), or the project's stack file, with agents None: the stack's `agentkube:agentsDir`."""
    stack = pulumi.get_stack()
    rollback_agents = os.environ.get(AGENTS_DIR_ENV) if os.environ.get(ROLLBACK_ENV) else None
    return (
        Path(rollback_agents) if rollback_agents else None,
        Path(os.environ.get(STACK_CONFIG_ENV, stack_file(Path("."), stack))),
    )


def load(agents_dir: Path | None = None, stack_config_file: Path | None = None) -> Fleet:
    """The validated fleet for the running stack; a clear RunError (no resource registered) if invalid.

    Settings come from the stack file pulumi runs with (`sources()`), read by the CLI's own reader
    (`read_stack_file`), so `agentkube validate` and `pulumi preview` read the same settings or refuse alike;
    the specs from `agents_dir`, by default the stack's `agentkube:agentsDir` (`agents_dir_of`, as the CLI's
    `--agents` default); only config secrets' values come from the runtime.
    """
    source = stack_file(Path("."), pulumi.get_stack()).name
    try:
        settings, secrets = read_stack_file(stack_config_file or sources()[1], source, project_dir=Path("."))
        return resolve(read_documents(agents_dir or agents_dir_of(Path("."), settings)), settings, source, secrets)
    except SpecError as err:
        raise pulumi.RunError(f"invalid agent specs, nothing was deployed:\n{err}") from None


def provider(settings: StackSettings) -> k8s.Provider:
    """Render-to-directory when the stack sets renderDir, the project's local cluster when it sets
    localCluster, else the cluster of its kubeconfig/context."""
    try:
        target = target_of(Path("."), settings, pulumi.get_stack())
    except TargetError as err:
        raise pulumi.RunError(str(err)) from None
    if target.render_dir:
        return k8s.Provider("render", render_yaml_to_directory=target.render_dir)
    kubeconfig = target.kubeconfig.read_text() if target.kubeconfig else None
    return k8s.Provider("cluster", kubeconfig=kubeconfig, context=target.context)


def main() -> component.Fleet:
    agents_dir, stack_config_file = sources()
    fleet = load(agents_dir, stack_config_file)
    agents_dir = agents_dir or agents_dir_of(Path("."), fleet.settings)
    record = capture(agents_dir, stack_config_file, os.environ.get(ROLLBACK_ENV))
    k8s_provider = provider(fleet.settings)
    deployed = component.Fleet(
        fleet.settings.namespace, fleet, record=record, opts=pulumi.ResourceOptions(providers=[k8s_provider])
    )
    pulumi.export(
        "agents",
        {
            name: {
                "version": agent.version,
                "image": agent.image,
                "namespace": agent.namespace,
                "specHash": agent.spec_hash,
                "url": agent.url,
                "tracks": agent.tracks,
            }
            for name, agent in deployed.agents.items()
        },
    )
    if fleet.settings.render_dir:
        pulumi.export("renderDir", fleet.settings.render_dir)
    return deployed
