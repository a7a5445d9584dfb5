"""The pure core: what each spec field becomes in the Kubernetes objects."""

from __future__ import annotations

from typing import Any

from agentkube.core.build import build
from agentkube.core.secrets import ConfigSecret, secret_instructions, without_secret_values
from agentkube.render.yaml_writer import to_stream
from tests.helpers import GOOD, HASH_SEEDS, fleet_of, kinds_in, one_object, python_stdout_per_hash_seed, stack_fleet

HTTP = [{"name": "http", "port": 8080}]


def objects(*specs: dict[str, Any], **settings: Any) -> list[dict[str, Any]]:
    return build(fleet_of(*specs, **settings))


def pod(objs: list[dict[str, Any]], name: str = "worker") -> dict[str, Any]:
    spec: dict[str, Any] = one_object(objs, "Deployment", name)["spec"]["template"]["spec"]
    return spec


TRACING = ("AGENTKUBE_TRACK", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_ENDPOINT")


def own_env(container: dict[str, Any]) -> list[dict[str, Any]]:
    """The container's env without the tracing variables every pod gets."""
    return [e for e in container.get("env", []) if e["name"] not in TRACING]


def test_minimal_spec_gets_production_defaults() -> None:
    objs = objects(GOOD)
    assert kinds_in(objs) == [
        "PriorityClass",
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "NetworkPolicy",
        "ServiceAccount",
        "Deployment",
        "NetworkPolicy",
    ]
    container = pod(objs)["containers"][0]
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }
    assert one_object(objs, "Deployment")["spec"]["replicas"] == 1


def test_secure_defaults_on_pod_and_container() -> None:
    spec = pod(objects(GOOD))
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    ctx = spec["containers"][0]["securityContext"]
    assert ctx == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert {"name": "tmp", "mountPath": "/tmp"} in spec["containers"][0]["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}} in spec["volumes"]


def test_security_opt_outs_are_explicit() -> None:
    objs = objects(
        {
            **GOOD,
            "security": {
                "runAsUser": 0,
                "runAsNonRoot": False,
                "addCapabilities": ["NET_ADMIN"],
                "serviceAccountToken": True,
            },
        }
    )
    ctx = pod(objs)["containers"][0]["securityContext"]
    assert ctx["runAsUser"] == 0 and ctx["runAsNonRoot"] is False
    assert ctx["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    assert pod(objs)["automountServiceAccountToken"] is True
    # NET_ADMIN is beyond what 'baseline' admits: only 'privileged' lets these pods in
    assert one_object(objs, "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_standard_labels_and_spec_hash() -> None:
    deployment = one_object(objects({**GOOD, "version": "1.0.0-rc1"}, labels={"team": "ml"}), "Deployment")
    assert deployment["metadata"]["labels"] == {
        "team": "ml",
        "app.kubernetes.io/name": "worker",
        "app.kubernetes.io/part-of": "agentkube",
        "app.kubernetes.io/version": "1.0.0-rc1",
        "app.kubernetes.io/component": "agent-pool",
        "app.kubernetes.io/managed-by": "agentkube",
        "agentkube.io/track": "stable",
    }
    assert deployment["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "worker",
        "app.kubernetes.io/part-of": "agentkube",
        "agentkube.io/track": "stable",  # from the start, so a later canary never changes the selector
    }
    first = deployment["metadata"]["annotations"]["agentkube.io/spec-hash"]
    assert (
        first
        == one_object(objects({**GOOD, "version": "1.0.0-rc1"}), "Deployment")["metadata"]["annotations"][
            "agentkube.io/spec-hash"
        ]
    )
    changed = one_object(objects({**GOOD, "version": "1.0.0-rc2"}), "Deployment")
    assert changed["metadata"]["annotations"]["agentkube.io/spec-hash"] != first


def test_ports_give_a_service_and_default_tcp_probes() -> None:
    objs = objects({**GOOD, "ports": HTTP})
    assert one_object(objs, "Service")["spec"]["ports"] == [
        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}
    ]
    container = pod(objs)["containers"][0]
    assert container["readinessProbe"]["tcpSocket"] == {"port": 8080}
    assert container["startupProbe"]["failureThreshold"] == 60


def test_probe_handlers() -> None:
    spec = {
        **GOOD,
        "ports": [*HTTP, {"name": "grpc", "port": 9090}],
        "health": {
            "readiness": {"http": {"path": "/ready", "port": "http"}, "periodSeconds": 5, "failureThreshold": 3},
            "liveness": {"grpc": {"port": "grpc", "service": "health"}},
            "startup": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 60},
        },
    }
    container = pod(objects(spec))["containers"][0]
    assert container["readinessProbe"] == {
        "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
        "periodSeconds": 5,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    assert container["livenessProbe"]["grpc"] == {"port": 9090, "service": "health"}
    assert container["startupProbe"]["exec"] == {"command": ["cat", "/tmp/ready"]}


def test_autoscaled_deployment_leaves_replicas_to_hpa() -> None:
    spec = {
        **GOOD,
        "scaling": {
            "autoscale": {
                "min": 2,
                "max": 10,
                "cpu": 70,
                "memory": 80,
                "metrics": [
                    {
                        "external": {
                            "name": "agent_queue_depth",
                            "selector": {"queue": "research"},
                            "averageValue": "30",
                        }
                    },
                    {"pods": {"name": "inflight_requests", "averageValue": "4"}},
                ],
                "scaleDown": {"stabilizationSeconds": 300},
            },
        },
    }
    objs = objects(spec)
    assert "replicas" not in one_object(objs, "Deployment")["spec"]
    hpa = one_object(objs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    assert hpa["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
        {
            "type": "Resource",
            "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}},
        },
        {
            "type": "External",
            "external": {
                "metric": {"name": "agent_queue_depth", "selector": {"matchLabels": {"queue": "research"}}},
                "target": {"type": "AverageValue", "averageValue": "30"},
            },
        },
        {
            "type": "Pods",
            "pods": {"metric": {"name": "inflight_requests"}, "target": {"type": "AverageValue", "averageValue": "4"}},
        },
    ]
    assert hpa["spec"]["behavior"] == {"scaleDown": {"stabilizationWindowSeconds": 300}}


def test_autoscale_without_targets_defaults_to_cpu_70() -> None:
    hpa = one_object(objects({**GOOD, "scaling": {"autoscale": {"max": 4}}}), "HorizontalPodAutoscaler")
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70


def test_pdb_only_from_two_replicas() -> None:
    assert "PodDisruptionBudget" not in kinds_in(objects(GOOD))
    pdb = one_object(objects({**GOOD, "scaling": {"replicas": 2}}), "PodDisruptionBudget")
    assert pdb["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "worker", "app.kubernetes.io/part-of": "agentkube"}},
    }


def test_secrets_reach_pods_only_as_references() -> None:
    spec = {
        **GOOD,
        "secrets": [
            {"env": "OPENAI_API_KEY", "secretRef": {"name": "llm-keys", "key": "openai"}},
            {"env": "SEARCH_API_KEY", "config": "searchApiKey"},
            {"path": "/var/run/secrets/agent/creds.json", "secretRef": {"name": "agent-creds", "key": "creds.json"}},
        ],
    }
    objs = objects(spec)
    env = own_env(pod(objs)["containers"][0])
    assert env == [
        {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "llm-keys", "key": "openai"}}},
        {"name": "SEARCH_API_KEY", "valueFrom": {"secretKeyRef": {"name": "worker-secrets", "key": "searchApiKey"}}},
    ]
    secret = one_object(objs, "Secret")
    assert secret["stringData"] == {"searchApiKey": ConfigSecret("searchApiKey")}
    mount = {"name": "secrets-0", "mountPath": "/var/run/secrets/agent", "readOnly": True}
    assert mount in pod(objs)["containers"][0]["volumeMounts"]  # the directory: rotation needs no restart
    assert "subPath" not in str(pod(objs))
    files = without_secret_values(objs)
    assert [o for o in files if o["kind"] == "Secret"] == []  # re-applying a Secret without values would wipe them
    assert len(files) == len(objs) - 1
    assert secret_instructions(objs, "test") == [
        "kubectl -n agentkube-agent-pool create secret generic worker-secrets "
        '--from-literal=searchApiKey="$(pulumi config get agentkube:searchApiKey --stack test)" '
        "--dry-run=client -o yaml | kubectl apply -f -"
    ]


def test_hot_config_is_mounted_without_restart() -> None:
    objs = objects({**GOOD, "config": {"reload": "hot", "data": {"agent.yaml": "model: x\n"}}})
    assert one_object(objs, "ConfigMap")["data"] == {"agent.yaml": "model: x\n"}
    template = one_object(objs, "Deployment")["spec"]["template"]
    assert "annotations" not in template["metadata"]
    assert {"name": "config", "mountPath": "/etc/agent", "readOnly": True} in template["spec"]["containers"][0][
        "volumeMounts"
    ]
    other = one_object(objects({**GOOD, "config": {"data": {"agent.yaml": "model: y\n"}}}), "Deployment")
    assert other["spec"]["template"] == template  # a config change alone does not roll pods


def test_restart_config_is_env_and_rolls_pods_on_change() -> None:
    def template(data: dict[str, str]) -> dict[str, Any]:
        objs = objects({**GOOD, "config": {"reload": "restart", "data": data}})
        result: dict[str, Any] = one_object(objs, "Deployment")["spec"]["template"]
        return result

    first = template({"MAX_STEPS": "12", "agent.yaml": "x"})
    assert own_env(first["spec"]["containers"][0]) == [
        {"name": "MAX_STEPS", "valueFrom": {"configMapKeyRef": {"name": "worker-config", "key": "MAX_STEPS"}}}
    ]
    second = template({"MAX_STEPS": "13", "agent.yaml": "x"})
    assert (
        first["metadata"]["annotations"]["agentkube.io/config-hash"]
        != second["metadata"]["annotations"]["agentkube.io/config-hash"]
    )


def test_layers_get_namespace_quota_limits_priority_and_default_deny() -> None:
    objs = objects(
        {**GOOD, "layer": "orchestration"},
        {"name": "db", "image": "db:1", "layer": "infrastructure"},
        {"name": "w", "image": "w:1"},
    )
    assert sorted(o["metadata"]["name"] for o in objs if o["kind"] == "Namespace") == [
        "agentkube-agent-pool",
        "agentkube-infrastructure",
        "agentkube-orchestration",
    ]
    priorities = {o["metadata"]["name"]: o["value"] for o in objs if o["kind"] == "PriorityClass"}
    assert (
        priorities["agentkube-orchestration"]
        > priorities["agentkube-infrastructure"]
        > priorities["agentkube-agent-pool"]
    )
    assert pod(objs)["priorityClassName"] == "agentkube-orchestration"
    deny = [o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "default-deny-ingress"]
    assert len(deny) == 3 and all(d["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]} for d in deny)
    assert len([o for o in objs if o["kind"] == "ResourceQuota"]) == 3
    assert len([o for o in objs if o["kind"] == "LimitRange"]) == 3


def test_folded_layers_share_one_namespace() -> None:
    objs = objects(
        {**GOOD, "layer": "orchestration"}, {"name": "db", "image": "db:1", "layer": "infrastructure"}, foldLayers=True
    )
    assert [o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"] == ["agentkube"]
    assert {o["metadata"].get("namespace") for o in objs if o["kind"] not in ("Namespace", "PriorityClass")} == {
        "agentkube"
    }
    assert len([o for o in objs if o["kind"] == "PriorityClass"]) == 2


def test_quota_fits_a_rollout_at_max_scale_with_surge_and_terminating_pods() -> None:
    objs = objects(
        {
            **GOOD,
            "scaling": {"autoscale": {"min": 1, "max": 8}},
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "gpu": 1}},
        }
    )
    # 8 new pods at max scale + 25% surge + 8 old ones in their grace period = 18 pods
    assert one_object(objs, "ResourceQuota")["spec"]["hard"] == {
        "pods": "18",
        "requests.cpu": "9",
        "limits.cpu": "18",
        "requests.memory": "18Gi",
        "limits.memory": "36Gi",
        "requests.nvidia.com/gpu": "18",
        "persistentvolumeclaims": "0",  # no stateful agent: no claims
        "requests.storage": "0",
    }


def test_dependencies_get_url_network_access_and_order() -> None:
    tool = {"name": "tool-server", "image": "t:1", "ports": HTTP, "layer": "infrastructure"}
    objs = objects({**GOOD, "dependsOn": ["tool-server"]}, tool)
    assert {"name": "TOOL_SERVER_URL", "value": "http://tool-server.agentkube-infrastructure.svc:8080"} in pod(objs)[
        "containers"
    ][0]["env"]
    policy = one_object(objs, "NetworkPolicy", "tool-server")["spec"]
    assert policy["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "agentkube-agent-pool"}},
                    "podSelector": {
                        "matchLabels": {"app.kubernetes.io/name": "worker", "app.kubernetes.io/part-of": "agentkube"}
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": 8080}],
        }
    ]
    egress = one_object(objs, "NetworkPolicy", "worker")["spec"]["egress"]
    assert egress[0]["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    assert egress[1]["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "tool-server"
    assert (
        "ingress" not in one_object(objs, "NetworkPolicy", "worker")["spec"]
    )  # nobody depends on worker: none allowed


def test_expose_creates_an_ingress_with_the_stack_class() -> None:
    objs = objects(
        {**GOOD, "ports": HTTP, "expose": {"host": "agents.example.com", "tlsSecret": "agents-tls"}},
        ingressClass="traefik",
    )
    ingress = one_object(objs, "Ingress")["spec"]
    assert ingress["ingressClassName"] == "traefik"
    assert ingress["rules"][0]["http"]["paths"][0]["backend"] == {
        "service": {"name": "worker", "port": {"number": 8080}}
    }
    assert ingress["tls"] == [{"hosts": ["agents.example.com"], "secretName": "agents-tls"}]


def test_metrics_add_scrape_annotations() -> None:
    template = one_object(objects({**GOOD, "ports": HTTP, "metrics": {"port": "http"}}), "Deployment")["spec"][
        "template"
    ]
    assert template["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/path": "/metrics",
        "prometheus.io/port": "8080",
    }


def test_gpu_limit_becomes_nvidia_resource_and_toleration() -> None:
    spec = pod(objects({**GOOD, "resources": {"limits": {"gpu": 2}}}))
    assert spec["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert spec["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] == "2"
    assert spec["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_shutdown_drains_before_sigterm() -> None:
    spec = pod(objects({**GOOD, "shutdown": {"gracePeriodSeconds": 120, "drainSeconds": 20}}))
    assert spec["terminationGracePeriodSeconds"] == 120
    assert spec["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": 20}}}


def test_prod_is_highly_available_and_dev_is_small() -> None:
    dev, prod = build(stack_fleet("dev")), build(stack_fleet("prod"))
    for name in ("code-runner", "coder", "orchestrator", "researcher", "tool-server-blue"):
        assert "topologySpreadConstraints" in pod(prod, name)
        assert "topologySpreadConstraints" not in pod(dev, name)
    stateful = {
        env: one_object(objs, "StatefulSet", "vector-store")["spec"]["template"]["spec"]
        for env, objs in (("dev", dev), ("prod", prod))
    }
    assert "topologySpreadConstraints" in stateful["prod"] and "topologySpreadConstraints" not in stateful["dev"]
    assert len([o for o in prod if o["kind"] == "PodDisruptionBudget"]) == 6
    budgets = [o["metadata"]["name"] for o in dev if o["kind"] == "PodDisruptionBudget"]
    assert budgets == ["code-runner"]  # dev's one agent of 2 pods: the sandbox pool
    for obj in prod:
        canary = obj["metadata"]["labels"].get("agentkube.io/track") == "canary"  # sized by its weight
        if obj["kind"] == "Deployment" and "replicas" in obj["spec"] and not canary:
            assert obj["spec"]["replicas"] >= 2
        if obj["kind"] == "HorizontalPodAutoscaler" and not obj["metadata"]["name"].endswith("-canary"):
            assert obj["spec"]["minReplicas"] >= 2


STREAM_OF_PROD = """import sys
from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from agentkube.render.yaml_writer import to_stream
from tests.helpers import stack_fleet

sys.stdout.write(to_stream(without_secret_values(build(stack_fleet("prod")))))
"""


def test_output_is_deterministic() -> None:
    first = to_stream(without_secret_values(build(stack_fleet("prod"))))
    assert python_stdout_per_hash_seed(STREAM_OF_PROD) == dict.fromkeys(HASH_SEEDS, first)
