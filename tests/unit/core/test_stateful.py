"""Stateful agents (`storage`): a StatefulSet with a volume claim per pod, on the Deployment's own pod template,
a headless Service beside the agent's Service, and the layer quota's room for the claims."""

from __future__ import annotations

from typing import Any

from agentkube.core.build import build
from agentkube.core.capacity import peak_pods
from agentkube.core.workload import pod_template
from tests.helpers import SERVING, fleet_of, kinds_in, objects_of_kind, one_object, stack_fleet

STORE = {
    **SERVING,
    "name": "store",
    "layer": "infrastructure",
    "storage": {"size": "10Gi", "mountPath": "/var/lib/store"},
    "config": {"data": {"store.yaml": "a: 1\n"}, "reload": "restart"},
    "scaling": {"replicas": 3},
    "scheduling": {"spreadAcrossZones": True},
}
CALLER = {**SERVING, "name": "caller", "dependsOn": ["store"]}
NS = "agentkube-infrastructure"


def built(*specs: dict[str, Any], **settings: Any) -> list[dict[str, Any]]:
    return build(fleet_of(*specs, **settings))


def test_an_agent_with_storage_runs_as_a_stateful_set_with_a_claim_per_pod() -> None:
    objs = built(STORE)
    assert "Deployment" not in kinds_in(objs)
    sts = one_object(objs, "StatefulSet", "store")
    assert sts["metadata"]["namespace"] == NS and sts["spec"]["replicas"] == 3
    assert sts["spec"]["serviceName"] == "store-headless"
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}
    assert sts["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate"}


def test_the_stateful_set_runs_the_deployments_pod_template_plus_its_volume() -> None:
    fleet = fleet_of(STORE)
    spec = fleet.agent("store")
    sts = one_object(build(fleet), "StatefulSet", "store")
    template = sts["spec"]["template"]
    labels = template["metadata"]["labels"]
    assert template == pod_template(spec, fleet, labels, "store-config")  # one pod template, not a copy
    pod = template["spec"]
    (container,) = pod["containers"]
    assert {"name": "data", "mountPath": "/var/lib/store"} in container["volumeMounts"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True  # the volume is the writable place
    assert pod["securityContext"]["fsGroup"] == spec.security.run_as_group
    assert pod["priorityClassName"] == "agentkube-infrastructure"
    assert "topologySpreadConstraints" in pod and "readinessProbe" in container and "resources" in container
    assert "agentkube.io/config-hash" in template["metadata"]["annotations"]  # config reload: restart
    assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert "agentkube.io/spec-hash" in sts["metadata"]["annotations"]


def test_callers_keep_the_agents_service_and_url_and_pods_get_a_headless_service() -> None:
    objs = built(STORE, CALLER)
    services = {s["metadata"]["name"]: s for s in objects_of_kind(objs, "Service")}
    assert set(services) == {"store", "store-headless", "caller"}
    assert services["store"]["spec"]["type"] == "ClusterIP"
    headless = services["store-headless"]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    assert headless["selector"] == services["store"]["spec"]["selector"]
    caller = one_object(objs, "Deployment", "caller")["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "STORE_URL", "value": f"http://store.{NS}.svc:8080"} in caller["env"]
    policy = one_object(objs, "NetworkPolicy", "store")
    assert (
        policy["spec"]["podSelector"]["matchLabels"].items()
        <= one_object(objs, "StatefulSet")["spec"]["template"]["metadata"]["labels"].items()
    )


def test_a_storage_class_and_access_mode_reach_the_claim() -> None:
    spec = {**STORE, "storage": {**STORE["storage"], "storageClass": "fast-ssd", "accessMode": "ReadWriteOncePod"}}
    (claim,) = one_object(built(spec), "StatefulSet")["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    assert claim["spec"]["accessModes"] == ["ReadWriteOncePod"]


def test_a_budget_covers_the_stateful_pods_and_the_quota_their_claims() -> None:
    objs = built(STORE, {**CALLER, "layer": "infrastructure"})
    budget = one_object(objs, "PodDisruptionBudget", "store")
    assert budget["spec"]["selector"]["matchLabels"].items() <= (
        one_object(objs, "StatefulSet")["spec"]["template"]["metadata"]["labels"].items()
    )
    hard = one_object(objs, "ResourceQuota")["spec"]["hard"]
    assert hard["persistentvolumeclaims"] == "3" and hard["requests.storage"] == "30Gi"
    # in place, one pod at a time: 3 stateful pods at most, beside the caller's 1 + surge + 1 terminating
    assert hard["pods"] == "6"


def test_a_stateful_agent_never_holds_quota_for_a_surge() -> None:
    fleet = fleet_of(STORE)
    assert peak_pods(fleet.agent("store")) == 3


def test_the_claims_of_layers_without_stateful_agents_are_held_at_zero() -> None:
    objs = built(STORE, CALLER)
    quotas = {q["metadata"]["namespace"]: q["spec"]["hard"] for q in objects_of_kind(objs, "ResourceQuota")}
    assert quotas["agentkube-agent-pool"]["persistentvolumeclaims"] == "0"
    assert quotas[NS]["persistentvolumeclaims"] == "3"


def test_the_example_vector_store_keeps_its_collections_on_a_volume() -> None:
    for stack in ("dev", "prod"):
        objs = build(stack_fleet(stack))
        sts = one_object(objs, "StatefulSet", "vector-store")
        (claim,) = sts["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
        mounts = sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        assert {"name": "data", "mountPath": "/qdrant/storage"} in mounts
        assert not [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "vector-store"]
        hard = [
            q for q in objects_of_kind(objs, "ResourceQuota") if q["metadata"]["namespace"].endswith("infrastructure")
        ]
        replicas = sts["spec"]["replicas"]
        assert hard[0]["spec"]["hard"]["requests.storage"] == f"{10 * replicas}Gi"


def test_the_pods_of_a_replicated_store_may_reach_each_other_on_its_ports_and_no_one_elses() -> None:
    objs = built(STORE, CALLER)
    spec = one_object(objs, "NetworkPolicy", "store")["spec"]
    self_peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NS}},
        "podSelector": {"matchLabels": spec["podSelector"]["matchLabels"]},
    }
    ports = [{"protocol": "TCP", "port": 8080}]
    assert {"from": [self_peer], "ports": ports} in spec["ingress"]
    assert {"to": [self_peer], "ports": ports} in spec["egress"]
    single = one_object(built({**STORE, "scaling": {"replicas": 1}}), "NetworkPolicy", "store")["spec"]
    assert not any(self_peer in rule.get("from", []) for rule in single.get("ingress", []))
    callers = [r for r in spec["ingress"] if r["from"] != [self_peer]]
    assert [p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for r in callers for p in r["from"]] == ["caller"]
