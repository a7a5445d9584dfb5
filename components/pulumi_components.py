"""The thin Pulumi shell: register exactly the core's objects as pulumi_kubernetes resources."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from . import naming
from .layers import layer_objects
from .manifests import agent_objects, object_key, without_secret_values
from .rollout import tracks
from .spec import AgentSpec, Layer
from .validation import Fleet
from .workload import ConfigSecret

SecretSource = Callable[[str], pulumi.Output[str]]


def resource_class(api_version: str, kind: str) -> type[pulumi.CustomResource] | None:
    """The typed pulumi_kubernetes class of an object, or None for kinds the SDK lacks (CRDs)."""
    group, _, version = api_version.rpartition("/")
    module_name = "core" if not group else group.split(".")[0]
    try:
        module = importlib.import_module(f"pulumi_kubernetes.{module_name}.{version}")
    except ModuleNotFoundError:
        return None
    return getattr(module, kind, None)


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def _with_secrets(value: Any, secret: SecretSource) -> Any:
    if isinstance(value, ConfigSecret):
        return secret(value.key)
    if isinstance(value, dict):
        return {k: _with_secrets(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_secrets(v, secret) for v in value]
    return value


def register(obj: Mapping[str, Any], opts: pulumi.ResourceOptions, secret: SecretSource) -> pulumi.CustomResource:
    """One Kubernetes object as one Pulumi resource, named `namespace/name` (type is in the URN)."""
    meta = obj["metadata"]
    name = f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
    body = _with_secrets({k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}, secret)
    cls = resource_class(obj["apiVersion"], obj["kind"])
    if obj["kind"] == "Secret":
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        )
    if cls is None:
        return k8s.apiextensions.CustomResource(
            name, api_version=obj["apiVersion"], kind=obj["kind"], opts=opts, **body
        )
    return cls(name, opts=opts, **{_snake(k): v for k, v in body.items()})


class AgentDeployment(pulumi.ComponentResource):
    """One agent: its ServiceAccount, config, Service, Deployment, autoscaler, budget and policies."""

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
        fleet: Fleet,
        objects: list[dict[str, Any]],
        secret: SecretSource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentkube:index:Agent", spec.name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.resources = [register(obj, child, secret) for obj in objects]
        settings = fleet.settings
        outputs: dict[str, Any] = {
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


class AgentLayer(pulumi.ComponentResource):
    """One layer (orchestration, agent pool or infrastructure): its namespace, quota, limits, priority and policy."""

    def __init__(self, layer: Layer, objects: list[dict[str, Any]], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentkube:index:Layer", layer, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.by_key = {object_key(obj): register(obj, child, _no_secrets) for obj in objects}
        self.register_outputs({"kinds": [obj["kind"] for obj in objects]})


def _no_secrets(key: str) -> pulumi.Output[str]:
    raise AssertionError(f"layer objects carry no secrets ({key})")


class AgentFleet(pulumi.ComponentResource):
    """The whole multi-agent system: layers first, then each agent after the agents it depends on."""

    agents: dict[str, AgentDeployment]

    def __init__(
        self,
        name: str,
        fleet: Fleet,
        secret: SecretSource | None = None,
        record: dict[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentkube:index:Fleet", name, None, opts)
        render = fleet.settings.render_dir is not None
        source = secret or _config_secret

        def prepare(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
            # files never hold secret values: the same rule as `agentkube render`
            return without_secret_values(objects) if render else objects

        self.layers = {
            layer: AgentLayer(layer, prepare(objects), pulumi.ResourceOptions(parent=self))
            for layer, objects in layer_objects(fleet).items()
        }
        by_key = {key: r for layer in self.layers.values() for key, r in layer.by_key.items()}
        self.agents = {}
        for spec in _dependency_order(fleet):
            # what admission needs first: the namespace and the priority class (not the layer component,
            # which is the agent's parent); then the agents it calls
            needs = [
                f"v1/Namespace//{naming.namespace(spec.layer, fleet.settings)}",
                f"scheduling.k8s.io/v1/PriorityClass//{naming.priority_class(spec.layer, fleet.settings)}",
            ]
            after: list[pulumi.Resource] = [by_key[k] for k in needs] + [self.agents[d] for d in spec.depends_on]
            self.agents[spec.name] = AgentDeployment(
                spec,
                fleet,
                prepare(agent_objects(spec, fleet)),
                source,
                pulumi.ResourceOptions(parent=self.layers[spec.layer], depends_on=after),
            )
        # the record (sources of this update) lives in state for `agentkube rollback`, not in stack outputs
        self.register_outputs({"agents": {n: a.version for n, a in self.agents.items()}, "record": record or {}})


def _config_secret(key: str) -> pulumi.Output[str]:
    return pulumi.Config("agentkube").require_secret(key)


def _dependency_order(fleet: Fleet) -> list[AgentSpec]:
    """Agents sorted by name, each after its dependencies (validation ruled out cycles)."""
    done: dict[str, AgentSpec] = {}

    def visit(spec: AgentSpec) -> None:
        if spec.name not in done:
            for dep in spec.depends_on:
                visit(fleet.agent(dep))
            done[spec.name] = spec

    for spec in fleet.agents:
        visit(spec)
    return list(done.values())
