"""The real Pulumi program under mocks: it registers exactly the core's objects, secrets stay secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from agentkube.components import fleet as component
from agentkube.components.resources import cluster_annotations, resource_class
from agentkube.core.build import build, fleet_objects, object_key
from agentkube.core.secrets import ConfigSecret, without_secret_values
from agentkube.project import WORK_DIR
from tests.helpers import ROOT, SECRET_VALUE, Recorder, run_program, stack_fleet, unsecret


def registered_objects(recorder: Recorder) -> dict[str, dict[str, Any]]:
    return {object_key(r.inputs): unsecret(r.inputs) for r in recorder.kubernetes()}


def with_values(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def fill(value: Any) -> Any:
        if isinstance(value, ConfigSecret):
            return SECRET_VALUE
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return [fill(o) for o in objs]


RENDER_DEV = {"agentkube:localCluster": "false", "agentkube:renderDir": "rendered/dev"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_registers_exactly_the_core_objects(stack: str) -> None:
    extra = RENDER_DEV if stack == "dev" else {"agentkube:context": "prod-cluster"}
    recorder = run_program(stack, **extra)
    expected = build(stack_fleet(stack, localCluster=False, renderDir="rendered/dev" if stack == "dev" else None))
    if stack == "dev":  # render mode: files never carry secret values
        expected = without_secret_values(expected)
    expected_by_key = {object_key(o): o for o in with_values(expected)}
    got = registered_objects(recorder)
    assert sorted(got) == sorted(expected_by_key)
    for key, obj in got.items():
        annotations = obj["metadata"].get("annotations", {})
        added = cluster_annotations(obj["kind"], await_ingress=False)  # neither stack sets awaitIngress
        # on a cluster only: declared values win conflicts, Services skip the provider's settle, Ingresses the
        # address no controller publishes
        assert (added.items() <= annotations.items()) == (stack == "prod"), key
        if stack == "prod":
            for name in added:
                del annotations[name]
        if not annotations:
            obj["metadata"].pop("annotations", None)
    for key, obj in expected_by_key.items():
        assert json.loads(json.dumps(got[key])) == json.loads(json.dumps(obj)), key


@pytest.mark.parametrize(("await_ingress", "skipped"), [("false", True), ("true", False)])
def test_ingresses_on_a_cluster_are_not_awaited_unless_the_stack_says(await_ingress: str, skipped: bool) -> None:
    recorder = run_program("prod", **{"agentkube:context": "prod-cluster", "agentkube:awaitIngress": await_ingress})
    ingresses = [r for r in recorder.kubernetes() if r.typ == "kubernetes:networking.k8s.io/v1:Ingress"]
    assert ingresses
    for ingress in ingresses:
        annotations = unsecret(ingress.inputs)["metadata"]["annotations"]
        assert annotations.get("pulumi.com/skipAwait") == ("true" if skipped else None), ingress.name
        assert annotations["pulumi.com/patchForce"] == "true"


def test_each_component_holds_its_group_of_the_core_objects() -> None:
    """The components register the core's groups (`fleet_objects`, which `build` lists): render and up agree."""
    fleet = stack_fleet("prod", localCluster=False, context="prod-cluster")
    groups = fleet_objects(fleet)
    assert [object_key(o) for o in groups.in_order()] == [object_key(o) for o in build(fleet)]
    held: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> None:
        deployed = component.Fleet("agentkube", fleet, secret=lambda key: pulumi.Output.secret(SECRET_VALUE))
        held["layers"] = {layer: list(c.by_key) for layer, c in deployed.layers.items()}
        held["agents"] = {name: list(c.by_key) for name, c in deployed.agents.items()}

    pulumi.runtime.set_mocks(Recorder(), project="agentkube", stack="prod", preview=False)
    program()
    assert held["layers"] == {layer: [object_key(o) for o in objs] for layer, objs in groups.layers.items()}
    assert held["agents"] == {
        spec.name: [object_key(o) for o in groups.agents[spec.name]] for spec in fleet.dependency_order()
    }
    assert list(held["agents"]) == [spec.name for spec in fleet.dependency_order()]  # callees first


def test_component_classes_are_named_by_their_type_tokens() -> None:
    recorder = run_program("prod", **{"agentkube:context": "prod-cluster"})
    tokens = {r.typ for r in recorder.resources if r.typ.startswith("agentkube:")}
    assert tokens == {f"agentkube:index:{cls.__name__}" for cls in (component.Agent, component.Layer, component.Fleet)}


def test_resources_are_typed_and_named_by_namespace() -> None:
    recorder = run_program("prod", **{"agentkube:context": "prod-cluster"})
    types = {r.typ for r in recorder.kubernetes()}
    assert "kubernetes:apps/v1:Deployment" in types
    assert "kubernetes:autoscaling/v2:HorizontalPodAutoscaler" in types
    assert "kubernetes:scheduling.k8s.io/v1:PriorityClass" in types
    names = {r.name for r in recorder.kubernetes() if r.typ == "kubernetes:apps/v1:Deployment"}
    assert "agentkube-orchestration/orchestrator" in names
    providers = [r for r in recorder.resources if r.typ == "pulumi:providers:kubernetes"]
    assert [p.inputs.get("context") for p in providers] == ["prod-cluster"]


def test_a_render_stack_provider_renders_to_a_directory() -> None:
    recorder = run_program("dev", **RENDER_DEV)
    (provider,) = [r for r in recorder.resources if r.typ == "pulumi:providers:kubernetes"]
    assert provider.inputs["renderYamlToDirectory"] == "rendered/dev"


def test_config_secret_stays_a_secret_output() -> None:
    recorder = run_program("prod", **{"agentkube:context": "prod-cluster"})
    (secret,) = [r for r in recorder.kubernetes() if r.typ == "kubernetes:core/v1:Secret"]
    wrapped = secret.inputs["stringData"]
    assert wrapped[pulumi.runtime.rpc._special_sig_key] == pulumi.runtime.rpc._special_secret_sig
    for other in recorder.kubernetes():
        if other is not secret:
            assert SECRET_VALUE not in json.dumps(unsecret(other.inputs))


def test_render_mode_keeps_secret_values_out_of_files() -> None:
    recorder = run_program("dev", **RENDER_DEV)
    assert SECRET_VALUE not in json.dumps(unsecret([r.inputs for r in recorder.resources]))


def test_invalid_fleet_fails_before_any_resource(tmp_path: Path) -> None:
    with pytest.raises(pulumi.RunError, match=r"Pulumi.dev.yaml: config.agentkube:overrides.nobody: no agent named"):
        run_program("dev", **{"agentkube:overrides": {"nobody": {}}})
    # a second, independent failure in the specs is reported too, in the same error, and nothing is registered
    from agentkube.components.program import load

    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="agentkube", stack="dev", preview=False)
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config:\n  agentkube:environment: prod\n  agentkube:overrides: {nobody: {}}\n")
    with pytest.raises(pulumi.RunError, match="nothing was deployed") as caught:
        load(stack_config_file=stack)
    problems = str(caught.value).splitlines()[1:]
    assert "Pulumi.dev.yaml: config.agentkube:overrides.nobody: no agent named 'nobody'" in problems
    zero = "agents/indexer.yaml: scaling.autoscale.min: 0 needs KEDA (an HPA cannot scale to zero), which the dev stack"
    assert any(p.startswith(zero) for p in problems), problems  # the stack's name, not its environment (prod)
    assert recorder.resources == []


def test_a_stateful_agent_is_registered_as_a_typed_stateful_set_with_its_claims() -> None:
    recorder = run_program("prod", **{"agentkube:context": "prod-cluster"})
    (store,) = [r for r in recorder.kubernetes() if r.typ == "kubernetes:apps/v1:StatefulSet"]
    assert store.name == "agentkube-infrastructure/vector-store"
    (claim,) = unsecret(store.inputs)["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    deployments = {r.name for r in recorder.kubernetes() if r.typ == "kubernetes:apps/v1:Deployment"}
    assert "agentkube-infrastructure/vector-store" not in deployments


def test_resource_class_maps_api_versions() -> None:
    assert resource_class("apps/v1", "Deployment").__name__ == "Deployment"  # type: ignore[union-attr]
    assert resource_class("apps/v1", "StatefulSet") is k8s.apps.v1.StatefulSet
    assert resource_class("batch/v1", "CronJob") is k8s.batch.v1.CronJob
    assert resource_class("networking.k8s.io/v1", "NetworkPolicy").__name__ == "NetworkPolicy"  # type: ignore[union-attr]
    assert resource_class("argoproj.io/v1alpha1", "Rollout") is None


def test_dev_deploys_to_the_local_clusters_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "agents", tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        pulumi.RunError, match=r"local cluster, which is not running: start it with `agentkube cluster up`"
    ):
        run_program("dev")
    (tmp_path / WORK_DIR).mkdir()
    (tmp_path / WORK_DIR / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    recorder = run_program("dev")
    (provider,) = [r for r in recorder.resources if r.typ == "pulumi:providers:kubernetes"]
    assert provider.inputs["kubeconfig"] == "apiVersion: v1\nkind: Config\n"
    assert "renderYamlToDirectory" not in provider.inputs
