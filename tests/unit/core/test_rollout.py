"""Canary and blue-green releases: tracks, replica splits, selectors, config per version."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.core.build import build
from agentkube.core.rollout import canary_split
from agentkube.spec.problems import SpecError
from tests.helpers import BASE, blue_green, canary, fleet_of, objects_by_name


def selects(service: dict[str, Any], deployment: dict[str, Any]) -> bool:
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(k) == v for k, v in service["spec"]["selector"].items())


@pytest.mark.parametrize(
    ("total", "weight", "split"),
    [
        (4, 0, (4, 0)),
        (4, 1, (3, 1)),
        (4, 10, (3, 1)),
        (4, 50, (2, 2)),
        (4, 100, (0, 4)),
        (1, 10, (1, 1)),
        (10, 10, (9, 1)),
        (10, 50, (5, 5)),
        (3, 1, (2, 1)),
    ],
)
def test_canary_split(total: int, weight: int, split: tuple[int, int]) -> None:
    assert canary_split(total, weight) == split


@pytest.mark.parametrize(
    ("weight", "stable", "canary_pods"), [(0, 4, None), (1, 3, 1), (10, 3, 1), (50, 2, 2), (100, 0, 4)]
)
def test_replicas_canary_behind_one_service(weight: int, stable: int, canary_pods: int | None) -> None:
    spec = canary(weight)
    spec["scaling"] = {"replicas": 4}
    objs = build(fleet_of(spec))
    deployments = objects_by_name(objs, "Deployment")
    assert deployments["worker"]["spec"]["replicas"] == stable
    if canary_pods is None:
        assert "worker-canary" not in deployments
    else:
        candidate = deployments["worker-canary"]
        assert candidate["spec"]["replicas"] == canary_pods
        assert candidate["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/worker:1.1.0"
        assert candidate["metadata"]["labels"]["app.kubernetes.io/version"] == "1.1.0"
    (service,) = objects_by_name(objs, "Service").values()
    assert all(selects(service, d) for d in deployments.values())  # the one Service reaches every track
    for name, d in deployments.items():  # and each Deployment only its own pods
        others = [o for o in deployments.values() if o is not d]
        assert not any(
            all(
                o["spec"]["template"]["metadata"]["labels"].get(k) == v
                for k, v in d["spec"]["selector"]["matchLabels"].items()
            )
            for o in others
        ), name


def bounds(objs: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    return {
        n: (h["spec"]["minReplicas"], h["spec"]["maxReplicas"])
        for n, h in objects_by_name(objs, "HorizontalPodAutoscaler").items()
    }


def test_an_autoscaled_canary_keeps_its_share_at_min_and_max_scale() -> None:
    spec = {**canary(10), "scaling": {"autoscale": {"min": 4, "max": 20}}}
    objs = build(fleet_of(spec))
    assert all(
        "replicas" not in d["spec"] for d in objects_by_name(objs, "Deployment").values()
    )  # the autoscalers decide
    # stable never drops below the agent's minimum; the candidate is 1 of 5 pods at min and 2 of 20 at max
    assert bounds(objs) == {"worker": (4, 18), "worker-canary": (1, 2)}
    half = build(fleet_of({**canary(50), "scaling": {"autoscale": {"min": 4, "max": 20}}}))
    assert bounds(half) == {"worker": (4, 10), "worker-canary": (2, 10)}
    narrow = build(fleet_of({**canary(50), "scaling": {"autoscale": {"min": 4, "max": 5}}}))
    assert bounds(narrow) == {"worker": (4, 4), "worker-canary": (2, 3)}


def test_an_autoscaled_canary_at_100_runs_every_pod() -> None:
    objs = build(fleet_of({**canary(100), "scaling": {"autoscale": {"min": 4, "max": 20}}}))
    assert objects_by_name(objs, "Deployment")["worker"]["spec"]["replicas"] == 0
    assert bounds(objs) == {"worker-canary": (4, 20)}


def test_a_gateway_canary_leaves_stable_its_full_capacity() -> None:
    spec = {**canary(10, traffic="gateway"), "scaling": {"autoscale": {"min": 4, "max": 20}}}
    objs = build(fleet_of(spec, gateway={"name": "public"}))
    assert bounds(objs) == {"worker": (4, 20), "worker-canary": (1, 2)}


def test_stable_keeps_the_agents_config_and_the_candidate_gets_its_own_immutable_one() -> None:
    objs = build(fleet_of(canary(10, config={"data": {"agent.yaml": "model: b\n"}})))
    configs = objects_by_name(objs, "ConfigMap")
    assert len(configs) == 2
    assert "immutable" not in configs["worker-config"]  # mutable: hot reload works on the stable track
    assert [c.get("immutable") for name, c in configs.items() if name != "worker-config"] == [True]
    stable, candidate = (
        objects_by_name(objs, "Deployment")["worker"],
        objects_by_name(objs, "Deployment")["worker-canary"],
    )

    def config_of(d: dict[str, Any]) -> str:
        volumes = d["spec"]["template"]["spec"]["volumes"]
        return next(v["configMap"]["name"] for v in volumes if "configMap" in v)

    assert configs[config_of(stable)]["data"] == {"agent.yaml": "model: a\n"}
    assert configs[config_of(candidate)]["data"] == {"agent.yaml": "model: b\n"}
    # abort (weight 0) keeps only the stable config
    assert config_of(objects_by_name(build(fleet_of(canary(0))), "Deployment")["worker"]) == "worker-config"
    assert [c["data"] for c in objects_by_name(build(fleet_of(canary(0))), "ConfigMap").values()] == [
        {"agent.yaml": "model: a\n"}
    ]


def test_gateway_canary_splits_by_httproute_weights() -> None:
    objs = build(fleet_of(canary(20, "gateway"), gateway={"name": "public", "namespace": "gateways"}))
    assert sorted(objects_by_name(objs, "Service")) == ["worker", "worker-canary", "worker-stable"]
    route = objects_by_name(objs, "HTTPRoute")["worker"]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"] == [
        {"name": "public", "namespace": "gateways"},
        {"group": "", "kind": "Service", "name": "worker", "port": 8080},  # in-cluster callers get the split too
    ]
    policy = objects_by_name(objs, "NetworkPolicy")["worker"]
    gateway_peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateways"}}}
    assert any(rule["from"] == [gateway_peer] for rule in policy["spec"]["ingress"])  # the Gateway may reach it
    assert [(b["name"], b["weight"]) for b in route["spec"]["rules"][0]["backendRefs"]] == [
        ("worker-stable", 80),
        ("worker-canary", 20),
    ]
    services, deployments = objects_by_name(objs, "Service"), objects_by_name(objs, "Deployment")
    assert selects(services["worker-canary"], deployments["worker-canary"])
    assert not selects(services["worker-canary"], deployments["worker"])


def test_argo_canary_is_a_rollout_with_analysis() -> None:
    spec = canary(10, "argo", analysis={"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}})
    spec["scaling"] = {"autoscale": {"min": 2, "max": 8}}
    objs = build(fleet_of(spec))
    assert "Deployment" not in {o["kind"] for o in objs}
    rollout = objects_by_name(objs, "Rollout")["worker"]
    assert rollout["apiVersion"] == "argoproj.io/v1alpha1"
    assert rollout["spec"]["strategy"]["canary"]["steps"][0] == {"setWeight": 10}
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/worker:1.1.0"
    metric = objects_by_name(objs, "AnalysisTemplate")["worker-analysis"]["spec"]["metrics"][0]
    assert metric["successCondition"] == "result[0] <= 0.05"
    assert metric["provider"]["prometheus"]["query"] == "sum(rate(errors[1m]))"
    assert objects_by_name(objs, "HorizontalPodAutoscaler")["worker"]["spec"]["scaleTargetRef"]["kind"] == "Rollout"


def test_blue_green_switch_back_changes_only_the_services() -> None:
    blue, green = build(fleet_of(blue_green("blue"))), build(fleet_of(blue_green("green")))
    # no new pods to switch: same pod templates and replicas (only the spec-hash annotation moves)
    assert {n: d["spec"] for n, d in objects_by_name(blue, "Deployment").items()} == {
        n: d["spec"] for n, d in objects_by_name(green, "Deployment").items()
    }
    for objs, active, inactive in ((blue, "worker-blue", "worker-green"), (green, "worker-green", "worker-blue")):
        services, deployments = objects_by_name(objs, "Service"), objects_by_name(objs, "Deployment")
        assert selects(services["worker"], deployments[active])
        assert not selects(services["worker"], deployments[inactive])
        assert selects(services["worker-preview"], deployments[inactive])


def test_gateway_traffic_needs_a_gateway_in_the_stack() -> None:
    with pytest.raises(SpecError) as caught:
        fleet_of(canary(10, "gateway"))
    assert str(caught.value) == (
        "agents/worker.yaml: rollout.canary.traffic: 'gateway' needs a Gateway in the test "
        "stack, expected agentkube:gateway: {name: ..., namespace: ...}"
    )


def test_argo_analysis_ends_after_count_measurements() -> None:
    analysis = {"errorRate": {"max": 0.05, "query": "q"}, "interval": "30s", "count": 4, "failureLimit": 1}
    objs = build(fleet_of(canary(20, "argo", analysis=analysis)))
    (metric,) = objects_by_name(objs, "AnalysisTemplate")["worker-analysis"]["spec"]["metrics"]
    assert (metric["count"], metric["failureLimit"], metric["interval"]) == (4, 1, "30s")
    with pytest.raises(SpecError, match=r"failureLimit \(4\) must be below count \(4\)"):
        fleet_of(canary(20, "argo", analysis={**analysis, "failureLimit": 4}))


def test_starting_a_canary_changes_no_stable_pod_template() -> None:
    """rolling -> canary: the stable Deployment's pods stay as they are (only replicas and bounds may move)."""
    rolling = objects_by_name(build(fleet_of(BASE)), "Deployment")["worker"]
    for weight, traffic in ((10, "replicas"), (0, "replicas"), (30, "gateway")):
        objs = build(fleet_of(canary(weight, traffic), gateway={"name": "public"}))
        assert objects_by_name(objs, "Deployment")["worker"]["spec"]["template"] == rolling["spec"]["template"], (
            weight,
            traffic,
        )
