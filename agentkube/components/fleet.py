"""The Pulumi ComponentResources: a fleet of layers of agents, each holding exactly the core's objects."""

from __future__ import annotations

from typing import Any

import pulumi

from ..core import naming
from ..core.build import fleet_objects, object_key
from ..core.rollout import tracks
from ..core.secrets import without_secret_values
from ..fleet import Fleet as ValidFleet
from ..project import CONFIG_NAMESPACE
from ..spec.agent import AgentSpec
from ..spec.agent import Layer as LayerName
from ..state.tokens import AGENT_TYPE, FLEET_TYPE, LAYER_TYPE, RECORD_OUTPUT, AgentOutputs
from .resources import SecretSource, register


class Agent(pulumi.ComponentResource):
    """`agentkube:index:Agent`: one agent's ServiceAccount, config, Service, Deployment, autoscaler, budget and
    policies."""

    name: pulumi.Output[str]
    namespace: pulumi.Output[str]
    version: pulumi.Output[str]
    image: pulumi.Output[str]
    spec_hash: pulumi.Output[str]
    url: pulumi.Output[str | None]
    tracks: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self,
        spec: AgentSpec,
        fleet: ValidFleet,
        objects: list[dict[str, Any]],
        secret: SecretSource,
        live: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(AGENT_TYPE, spec.name, None, opts)
        settings = fleet.settings
        wait = f"{settings.await_seconds}s"
        child = pulumi.ResourceOptions(parent=self, custom_timeouts=pulumi.CustomTimeouts(create=wait, update=wait))
        self.by_key = {object_key(obj): register(obj, child, secret, live, settings.await_ingress) for obj in objects}
        outputs: AgentOutputs = {
            "name": spec.name,
            "namespace": naming.namespace(spec.layer, settings),
            "version": spec.resolved_version,
            "image": spec.image,
            "spec_hash": naming.spec_hash(spec),
            "url": naming.service_url(spec, settings),
            "tracks": [t.summary() for t in tracks(spec)],
        }
        for key, value in outputs.items():
            setattr(self, key, pulumi.Output.from_input(value))
        self.register_outputs(outputs)


class Layer(pulumi.ComponentResource):
    """`agentkube:index:Layer`: one layer's (orchestration, agent pool or infrastructure) namespace, quota,
    limits, priority and policy."""

    def __init__(
        self, layer: LayerName, objects: list[dict[str, Any]], live: bool, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(LAYER_TYPE, layer, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.by_key = {object_key(obj): register(obj, child, _no_secrets, live) for obj in objects}
        self.register_outputs({"kinds": [obj["kind"] for obj in objects]})


def _no_secrets(key: str) -> pulumi.Output[str]:
    raise ValueError(f"layer objects carry no secrets, yet one asked for {key}")


class Fleet(pulumi.ComponentResource):
    """`agentkube:index:Fleet`, the whole multi-agent system: the core's groups of objects (`fleet_objects`),
    layers first, then each agent after the agents it depends on."""

    agents: dict[str, Agent]

    def __init__(
        self,
        name: str,
        fleet: ValidFleet,
        secret: SecretSource | None = None,
        record: dict[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(FLEET_TYPE, name, None, opts)
        render = fleet.settings.render_dir is not None
        source = secret or _config_secret

        def prepare(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
            # files never hold secret values: the same rule as `agentkube render`
            return without_secret_values(objects) if render else objects

        groups = fleet_objects(fleet)
        self.layers = {
            layer: Layer(layer, prepare(objects), not render, pulumi.ResourceOptions(parent=self))
            for layer, objects in groups.layers.items()
        }
        by_key = {key: r for layer in self.layers.values() for key, r in layer.by_key.items()}
        self.agents = {}
        for spec in fleet.dependency_order():
            # what admission needs first: the namespace and the priority class (not the layer component,
            # which is the agent's parent); then the agents it calls
            needs = [
                f"v1/Namespace//{naming.namespace(spec.layer, fleet.settings)}",
                f"scheduling.k8s.io/v1/PriorityClass//{naming.priority_class(spec.layer, fleet.settings)}",
            ]
            after: list[pulumi.Resource] = [by_key[k] for k in needs] + [self.agents[d] for d in spec.depends_on]
            self.agents[spec.name] = Agent(
                spec,
                fleet,
                prepare(groups.agents[spec.name]),
                source,
                not render,
                pulumi.ResourceOptions(parent=self.layers[spec.layer], depends_on=after),
            )
        # the record (sources of this update) lives in state for `agentkube rollback`, not in stack outputs
        self.register_outputs({"agents": {n: a.version for n, a in self.agents.items()}, RECORD_OUTPUT: record or {}})


def _config_secret(key: str) -> pulumi.Output[str]:
    return pulumi.Config(CONFIG_NAMESPACE).require_secret(key)
