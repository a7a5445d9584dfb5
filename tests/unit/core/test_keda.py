"""Scale to zero and run-to-completion agents: KEDA ScaledObjects, ScaledJobs and TriggerAuthentications."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from agentkube.core import naming
from agentkube.core.build import build
from agentkube.core.capacity import agent_row
from agentkube.core.keda import number, promql
from agentkube.core.workload import deployment
from agentkube.spec.problems import SpecError
from tests.helpers import BASE, fleet_of, objects_by_name
from tests.strategies import fleets

QUEUE = {"external": {"name": "agent_queue_depth", "selector": {"queue": "research"}, "averageValue": "30"}}
PROM = "http://prometheus.monitoring.svc:9090"
WORKER: dict[str, Any] = {
    "name": "worker",
    "image": "ghcr.io/acme/worker:1.0.0",
    "scaling": {"autoscale": {"min": 0, "max": 6}},
}
JOB: dict[str, Any] = {
    "name": "batch",
    "image": "ghcr.io/acme/batch:2.0.0",
    "kind": "job",
    "config": {"data": {"agent.yaml": "model: a\n"}},
    "scaling": {
        "autoscale": {"min": 0, "max": 8, "triggers": [{"redis": {"address": "redis.infra.svc:6379", "list": "tasks"}}]}
    },
}


def worker(**autoscale: Any) -> dict[str, Any]:
    return {**WORKER, "scaling": {"autoscale": {**WORKER["scaling"]["autoscale"], **autoscale}}}


def test_min_zero_gets_a_scaled_object_instead_of_an_hpa_and_no_replicas() -> None:
    objs = build(fleet_of(worker(metrics=[QUEUE]), keda=True))
    assert objects_by_name(objs, "HorizontalPodAutoscaler") == {}
    assert objects_by_name(objs, "PodDisruptionBudget") == {}
    assert "replicas" not in objects_by_name(objs, "Deployment")["worker"]["spec"]
    scaled = objects_by_name(objs, "ScaledObject")["worker"]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["metadata"]["namespace"] == "agentkube-agent-pool"
    assert scaled["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
        "minReplicaCount": 0,
        "maxReplicaCount": 6,
        "triggers": [
            {
                "type": "prometheus",
                "metadata": {
                    "serverAddress": PROM,
                    "query": 'sum(agent_queue_depth{queue="research"})',
                    "threshold": "30",
                },
            }
        ],
    }


def test_an_autoscaler_without_zero_or_triggers_stays_an_hpa() -> None:
    objs = build(fleet_of({**WORKER, "scaling": {"autoscale": {"min": 1, "max": 6, "metrics": [QUEUE]}}}, keda=True))
    assert list(objects_by_name(objs, "HorizontalPodAutoscaler")) == ["worker"]
    assert objects_by_name(objs, "ScaledObject") == {}


def test_the_queue_depth_metric_maps_to_a_prometheus_trigger_on_its_name_and_selector() -> None:
    total = {"external": {"name": "jobs_waiting", "selector": {"b": "x.y", "a": "1"}, "value": "500m"}}
    bare = {"external": {"name": "inbox", "averageValue": "2k"}}
    scaled = objects_by_name(
        build(fleet_of(worker(metrics=[total, bare]), keda=True, prometheusAddress="http://p:9090")), "ScaledObject"
    )
    assert scaled["worker"]["spec"]["triggers"] == [
        {
            "type": "prometheus",
            "metricType": "Value",
            "metadata": {
                "serverAddress": "http://p:9090",
                "query": 'sum(jobs_waiting{a="1",b="x.y"})',
                "threshold": "0.5",
            },
        },
        {
            "type": "prometheus",
            "metadata": {"serverAddress": "http://p:9090", "query": "sum(inbox)", "threshold": "2000"},
        },
    ]


@pytest.mark.parametrize(("quantity", "text"), [("30", "30"), ("500m", "0.5"), ("1.50", "1.5"), ("2k", "2000")])
def test_quantities_become_plain_numbers(quantity: str, text: str) -> None:
    assert number(quantity) == text


def test_promql_without_labels() -> None:
    assert promql("depth", {}) == "sum(depth)"


def test_promql_quotes_label_values_as_strings() -> None:
    assert promql("depth", {"b": 'x"y', "a": "1"}) == 'sum(depth{a="1",b="x\\"y"})'


def test_cpu_memory_and_pod_metrics_become_keda_triggers() -> None:
    spec = worker(min=1, cpu=60, memory=80, metrics=[{"pods": {"name": "in_flight", "averageValue": "4"}}])
    spec["scaling"]["autoscale"]["triggers"] = [{"prometheus": {"query": "sum(tasks)", "threshold": "3"}}]
    (scaled,) = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject").values()
    assert scaled["spec"]["triggers"] == [
        {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "60"}},
        {"type": "memory", "metricType": "Utilization", "metadata": {"value": "80"}},
        {
            "type": "prometheus",
            "metadata": {
                "serverAddress": PROM,
                "query": 'sum(in_flight{agent="worker",namespace="agentkube-agent-pool",track="stable"})',
                "threshold": "4",
            },
        },
        {"type": "prometheus", "metadata": {"serverAddress": PROM, "query": "sum(tasks)", "threshold": "3"}},
    ]


def test_triggers_never_get_the_default_cpu_target() -> None:
    spec = worker(
        triggers=[{"kafka": {"bootstrapServers": ["k1:9092", "k2:9092"], "topic": "t", "consumerGroup": "g"}}]
    )
    (scaled,) = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject").values()
    assert scaled["spec"]["triggers"] == [
        {
            "type": "kafka",
            "metadata": {
                "bootstrapServers": "k1:9092,k2:9092",
                "topic": "t",
                "consumerGroup": "g",
                "lagThreshold": "10",
            },
        }
    ]


def test_every_trigger_kind() -> None:
    triggers = [
        {"prometheus": {"query": "sum(rate(tasks_total[1m]))", "threshold": "0.5"}},
        {"redis": {"address": "redis.infra.svc:6379", "list": "tasks", "length": 3}},
        {"rabbitmq": {"queue": "tasks", "length": 7, "hostFromSecret": {"name": "rabbit", "key": "url"}}},
        {"kafka": {"bootstrapServers": ["kafka:9092"], "topic": "tasks", "consumerGroup": "w", "lagThreshold": 50}},
    ]
    objs = build(fleet_of(worker(triggers=triggers), keda=True))
    (scaled,) = objects_by_name(objs, "ScaledObject").values()
    assert [t["type"] for t in scaled["spec"]["triggers"]] == ["prometheus", "redis", "rabbitmq", "kafka"]
    assert scaled["spec"]["triggers"][1]["metadata"] == {
        "address": "redis.infra.svc:6379",
        "listName": "tasks",
        "listLength": "3",
    }
    assert scaled["spec"]["triggers"][2] == {
        "type": "rabbitmq",
        "metadata": {"mode": "QueueLength", "value": "7", "queueName": "tasks"},
        "authenticationRef": {"name": "worker-trigger-2"},
    }
    assert scaled["spec"]["triggers"][3]["metadata"]["lagThreshold"] == "50"
    auth = objects_by_name(objs, "TriggerAuthentication")["worker-trigger-2"]
    assert auth["metadata"]["namespace"] == scaled["metadata"]["namespace"]
    assert auth["spec"] == {"secretTargetRef": [{"parameter": "host", "name": "rabbit", "key": "url"}]}


def test_stabilization_and_cooldown_reach_keda() -> None:
    spec = worker(
        metrics=[QUEUE],
        scaleUp={"stabilizationSeconds": 0},
        scaleDown={"stabilizationSeconds": 600},
        cooldownSeconds=90,
    )
    (scaled,) = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject").values()
    assert scaled["spec"]["cooldownPeriod"] == 90
    assert scaled["spec"]["advanced"] == {
        "horizontalPodAutoscalerConfig": {
            "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0}, "scaleDown": {"stabilizationWindowSeconds": 600}}
        }
    }


def test_a_job_agent_is_a_scaled_job_on_the_pod_template_of_its_deployment() -> None:
    fleet = fleet_of({**JOB, "job": {"activeDeadlineSeconds": 900, "retries": 1, "pollingInterval": 10}}, keda=True)
    objs = build(fleet)
    kinds = sorted(o["kind"] for o in objs if o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "batch")
    assert kinds == ["ConfigMap", "NetworkPolicy", "ScaledJob", "ServiceAccount"]
    job = objects_by_name(objs, "ScaledJob")["batch"]
    template = job["spec"]["jobTargetRef"].pop("template")
    assert job["spec"] == {
        "jobTargetRef": {"activeDeadlineSeconds": 900, "backoffLimit": 1},
        "pollingInterval": 10,
        "successfulJobsHistoryLimit": 10,
        "failedJobsHistoryLimit": 10,
        "minReplicaCount": 0,
        "maxReplicaCount": 8,
        "rollout": {"strategy": "gradual"},
        "triggers": [
            {"type": "redis", "metadata": {"address": "redis.infra.svc:6379", "listName": "tasks", "listLength": "5"}}
        ],
    }
    assert template["spec"].pop("restartPolicy") == "Never"
    spec = fleet.agents[0]
    as_service = deployment(spec, fleet, extra_labels={naming.TRACK: "stable"})
    assert template == as_service["spec"]["template"]
    assert job["metadata"]["annotations"][naming.SPEC_HASH] == naming.spec_hash(spec)


def test_job_defaults() -> None:
    (job,) = objects_by_name(build(fleet_of(JOB, keda=True)), "ScaledJob").values()
    assert job["spec"]["jobTargetRef"]["backoffLimit"] == 3
    assert "activeDeadlineSeconds" not in job["spec"]["jobTargetRef"]
    assert job["spec"]["pollingInterval"] == 30


def test_no_secret_value_or_address_from_a_secret_is_written() -> None:
    spec = worker(triggers=[{"rabbitmq": {"queue": "q", "hostFromSecret": {"name": "rabbit", "key": "amqp-url"}}}])
    text = json.dumps(build(fleet_of(spec, keda=True)))
    assert "amqp://" not in text and '"host":' not in text


def test_a_canary_at_min_zero_gets_a_scaled_object_per_track_both_reaching_zero() -> None:
    spec = {
        **BASE,
        "scaling": {
            "autoscale": {"min": 0, "max": 10, "metrics": [QUEUE, {"pods": {"name": "busy", "averageValue": "1"}}]}
        },
        "rollout": {"strategy": "canary", "canary": {"image": "ghcr.io/acme/worker:1.1.0", "weight": 20}},
    }
    objs = build(fleet_of(spec, keda=True))
    scaled = objects_by_name(objs, "ScaledObject")
    assert objects_by_name(objs, "HorizontalPodAutoscaler") == {}
    bounds = {n: (s["spec"]["minReplicaCount"], s["spec"]["maxReplicaCount"]) for n, s in scaled.items()}
    assert bounds == {"worker": (0, 8), "worker-canary": (0, 2)}
    for name, track in (("worker", "stable"), ("worker-canary", "canary")):
        assert scaled[name]["spec"]["scaleTargetRef"]["name"] == name
        assert "replicas" not in objects_by_name(objs, "Deployment")[name]["spec"]
        queries = [t["metadata"]["query"] for t in scaled[name]["spec"]["triggers"]]
        assert queries[0] == 'sum(agent_queue_depth{queue="research"})'  # the one queue wakes both tracks
        assert f'track="{track}"' in queries[1]  # a per-pod metric counts the track's own pods


def test_blue_green_at_min_zero_scales_each_colour() -> None:
    spec = {
        **BASE,
        "scaling": {"autoscale": {"min": 0, "max": 4, "metrics": [QUEUE]}},
        "rollout": {
            "strategy": "blue-green",
            "blueGreen": {
                "blue": {"image": "ghcr.io/acme/worker:1.0.0"},
                "green": {"image": "ghcr.io/acme/worker:1.1.0"},
            },
        },
    }
    scaled = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject")
    assert {n: s["spec"]["minReplicaCount"] for n, s in scaled.items()} == {"worker-blue": 0, "worker-green": 0}


def test_an_argo_rollout_at_min_zero_is_the_scale_target() -> None:
    analysis = {"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}}
    spec = {
        **BASE,
        "scaling": {"autoscale": {"min": 0, "max": 4, "metrics": [QUEUE]}},
        "rollout": {
            "strategy": "canary",
            "canary": {"image": "ghcr.io/acme/worker:1.1.0", "traffic": "argo", "analysis": analysis},
        },
    }
    (scaled,) = objects_by_name(build(fleet_of(spec, keda=True)), "ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "worker",
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleets())
def test_every_scaled_workload_has_one_autoscaler_and_no_replicas(
    fleet_docs: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    specs, stack = fleet_docs
    try:
        fleet = fleet_of(*specs, **stack)
    except SpecError:
        return
    objs = build(fleet)
    if not stack.get("keda"):
        assert not [o for o in objs if o["apiVersion"] == "keda.sh/v1alpha1"]
    workloads = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objs if o["kind"] in ("Deployment", "Rollout")
    }
    targets = [
        (o["metadata"]["namespace"], o["spec"]["scaleTargetRef"]["name"])
        for o in objs
        if o["kind"] in ("ScaledObject", "HorizontalPodAutoscaler")
    ]
    assert len(targets) == len(set(targets))  # never two autoscalers on one workload
    for target in targets:
        assert "replicas" not in workloads[target]["spec"]
    auths = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs if o["kind"] == "TriggerAuthentication"}
    for obj in objs:
        if obj["kind"] in ("ScaledObject", "ScaledJob"):
            refs = {t["authenticationRef"]["name"] for t in obj["spec"]["triggers"] if "authenticationRef" in t}
            assert {(obj["metadata"]["namespace"], r) for r in refs} <= auths
    jobs = {a.name for a in fleet.agents if a.kind == "job"}
    scheduled = {a.name for a in fleet.agents if a.scheduled}  # a CronJob each, no KEDA
    assert {o["metadata"]["name"] for o in objs if o["kind"] == "ScaledJob"} == jobs - scheduled
    assert scheduled <= {o["metadata"]["name"] for o in objs if o["kind"] == "CronJob"}
    assert not jobs & {
        o["metadata"]["name"] for o in objs if o["kind"] in ("Deployment", "Service", "PodDisruptionBudget")
    }


def test_plan_counts_a_job_agent_by_its_parallel_jobs() -> None:
    fleet = fleet_of(JOB, keda=True)
    row = agent_row(fleet.agents[0])
    assert (row.strategy, row.replicas_min, row.replicas_max) == ("job (gradual)", 0, 8)
