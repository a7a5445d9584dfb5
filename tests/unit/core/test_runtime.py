"""The agent-native runtime (egress: test_egress.py): isolation and sandbox pools, tracing per track, MCP
endpoints and sticky canaries."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.core.build import build
from agentkube.core.sandbox import schedule
from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError
from tests.helpers import BASE, HTTP, canary, fleet_of, objects_of_kind, one_object, spec_problems
from tests.unit.core.test_egress import internet_rules

ISOLATED = {**BASE, "name": "runner", "isolation": {"runtimeClass": "gvisor"}}
POOL = {**ISOLATED, "sandbox": {"size": 3, "maxLifetime": "1h"}}
RUNTIME = {"runtimeClasses": ["gvisor"], "kubectlImage": "bitnami/kubectl:1.34"}


def env_of(deployment: dict[str, Any]) -> dict[str, Any]:
    env = deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in env}


# --- isolation and sandbox -------------------------------------------------------------------------


def test_isolated_pods_run_under_the_runtime_class_with_a_bounded_scratch_disk_and_no_internet() -> None:
    objs = build(fleet_of(ISOLATED, runtimeClasses=["gvisor"]))
    pod = one_object(objs, "Deployment", "runner")["spec"]["template"]["spec"]
    assert pod["runtimeClassName"] == "gvisor"
    assert pod["automountServiceAccountToken"] is False
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"]["limits"]["ephemeral-storage"] == "1Gi"
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}} in pod["volumes"]
    assert internet_rules(one_object(objs, "NetworkPolicy", "runner")) == []  # isolated: none unless listed


def test_isolation_refuses_an_unknown_runtime_class_and_loosened_pods() -> None:
    assert spec_problems(ISOLATED, runtimeClasses=["gvisr", "kata"]) == [
        "agents/runner.yaml: isolation.runtimeClass: 'gvisor' is not a RuntimeClass of the test stack (it lists "
        "gvisr, kata (did you mean 'gvisr'?)); install it in the cluster and add it to agentkube:runtimeClasses"
    ]
    loose = {**ISOLATED, "security": {"serviceAccountToken": True, "readOnlyRootFilesystem": False}}
    assert spec_problems(loose, runtimeClasses=["gvisor"]) == [
        "agents/runner.yaml: security.readOnlyRootFilesystem: false with isolation, expected a read-only root",
        "agents/runner.yaml: security.serviceAccountToken: true with isolation, expected no API token",
    ]


def test_a_sandbox_pool_is_a_fixed_warm_pool_recycled_by_a_rolling_restart() -> None:
    fleet = fleet_of(POOL, **RUNTIME, defaults={"scaling": {"replicas": 7}})
    objs = build(fleet)
    assert one_object(objs, "Deployment", "runner")["spec"]["replicas"] == 3  # the pool's size, whatever the defaults
    assert not objects_of_kind(objs, "HorizontalPodAutoscaler")
    cron = one_object(objs, "CronJob", "runner-recycler")
    assert cron["spec"]["schedule"] == "0 * * * *" and cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    assert pod["spec"]["containers"][0]["command"] == ["kubectl", "rollout", "restart", "deployment/runner"]
    assert pod["spec"]["serviceAccountName"] == "runner-recycler"
    agent_selector = one_object(objs, "Service", "runner")["spec"]["selector"]
    assert not agent_selector.items() <= pod["metadata"]["labels"].items()  # never an endpoint of the pool
    (rule,) = one_object(objs, "Role", "runner-recycler")["rules"]
    assert rule == {
        "apiGroups": ["apps"],
        "resources": ["deployments"],
        "resourceNames": ["runner"],
        "verbs": ["get", "patch"],
    }
    quota = one_object(objs, "ResourceQuota", "agentkube")["spec"]["hard"]
    alone = one_object(build(fleet_of({**POOL, "sandbox": {"size": 3}}, **RUNTIME)), "ResourceQuota", "agentkube")[
        "spec"
    ]["hard"]
    assert int(quota["pods"]) == int(alone["pods"]) + 1  # room for the recycler's one pod


def test_a_blue_green_pool_restarts_both_colours() -> None:
    spec = {
        **POOL,
        "rollout": {"strategy": "blue-green", "blueGreen": {"blue": {"image": "r:1"}, "green": {"image": "r:2"}}},
    }
    cron = one_object(build(fleet_of(spec, **RUNTIME)), "CronJob", "runner-recycler")
    command = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[3:] == ["deployment/runner-blue", "deployment/runner-green"]


@pytest.mark.parametrize(
    ("lifetime", "cron"),
    [("5m", "*/5 * * * *"), ("30m", "*/30 * * * *"), ("1h", "0 * * * *"), ("6h", "0 */6 * * *"), ("24h", "0 0 * * *")],
)
def test_lifetimes_are_cron_schedules(lifetime: str, cron: str) -> None:
    assert schedule(lifetime) == cron


def test_sandbox_problems_name_the_field_and_the_fix() -> None:
    assert spec_problems({**BASE, "name": "runner", "sandbox": {"size": 2}}) == [
        "agents/runner.yaml: sandbox: needs isolation, e.g. isolation: {runtimeClass: gvisor}"
    ]
    scaled = {**POOL, "scaling": {"autoscale": {"min": 1, "max": 3}}}
    assert spec_problems(scaled, **RUNTIME) == [
        "agents/runner.yaml: scaling.autoscale: a sandbox pool has a fixed size (sandbox.size), expected none"
    ]
    assert spec_problems(POOL, runtimeClasses=["gvisor"]) == [
        "agents/runner.yaml: sandbox.maxLifetime: recycling the pool needs an image with kubectl: set "
        "agentkube:kubectlImage in the test stack (e.g. bitnami/kubectl:1.34)"
    ]
    odd = spec_problems({**POOL, "sandbox": {"maxLifetime": "7m"}}, **RUNTIME)
    assert odd[0].startswith("agents/runner.yaml: sandbox.maxLifetime: ") and "'5m'" in odd[0]


# --- tracing ----------------------------------------------------------------------------------------


def test_every_track_tells_its_version_and_track_to_the_collector() -> None:
    objs = build(fleet_of(canary(30), otelEndpoint="http://otel.observability.svc:4318"))
    for name, version in (("worker", "1.0.0"), ("worker-canary", "1.1.0")):
        deployment = one_object(objs, "Deployment", name)
        env = env_of(deployment)
        assert env["OTEL_SERVICE_NAME"] == "worker"
        assert env["AGENTKUBE_TRACK"] == {"fieldRef": {"fieldPath": "metadata.labels['agentkube.io/track']"}}
        assert env["OTEL_RESOURCE_ATTRIBUTES"] == (
            f"service.version={version},deployment.environment=dev,agentkube.track=$(AGENTKUBE_TRACK)"
        )
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel.observability.svc:4318"
        names = [e["name"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]]
        assert names.index("AGENTKUBE_TRACK") < names.index("OTEL_RESOURCE_ATTRIBUTES")  # $(VAR) needs it first
        assert "agentkube.io/track" in deployment["spec"]["template"]["metadata"]["labels"]
    collector = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}}],
                 "ports": [{"protocol": "TCP", "port": 4318}]}  # fmt: skip
    assert collector in one_object(objs, "NetworkPolicy", "worker")["spec"]["egress"]


def test_the_spec_env_wins_and_inject_asks_the_operator() -> None:
    spec = {**BASE, "env": {"OTEL_SERVICE_NAME": "custom"}, "tracing": {"inject": "python"}}
    deployment = one_object(build(fleet_of(spec)), "Deployment", "worker")
    assert env_of(deployment)["OTEL_SERVICE_NAME"] == "custom"
    names = [e["name"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert names.count("OTEL_SERVICE_NAME") == 1
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["instrumentation.opentelemetry.io/inject-python"] == "true"


# --- MCP ---------------------------------------------------------------------------------------------


def test_dependents_get_the_mcp_url_and_probes_check_the_mcp_port() -> None:
    tools = {
        **BASE,
        "name": "tools",
        "ports": [{"name": "http", "port": 8080}, {"name": "mcp", "port": 9000}],
        "mcp": {"port": "mcp", "path": "/mcp"},
    }
    caller = {**BASE, "name": "caller", "dependsOn": ["tools"]}
    objs = build(fleet_of(tools, caller))
    env = env_of(one_object(objs, "Deployment", "caller"))
    assert env["TOOLS_URL"] == "http://tools.agentkube-agent-pool.svc:8080"
    assert env["TOOLS_MCP_URL"] == "http://tools.agentkube-agent-pool.svc:9000/mcp"
    probe = one_object(objs, "Deployment", "tools")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert probe["tcpSocket"] == {"port": 9000}


def test_mcp_problems_name_the_field() -> None:
    assert spec_problems({**BASE, "name": "tools", "mcp": {"port": "mpc"}}) == [
        "agents/tools.yaml: mcp.port: 'mpc' is not a declared port, expected one of: http"
    ]
    taken = {**BASE, "name": "caller", "dependsOn": ["tools"], "env": {"TOOLS_MCP_URL": "x"}}
    assert spec_problems({**BASE, "name": "tools", "ports": HTTP, "mcp": {}}, taken) == [
        "agents/caller.yaml: dependsOn[0]: sets TOOLS_MCP_URL, which env.TOOLS_MCP_URL sets too, expected each "
        "variable once"
    ]


# --- sticky canaries ----------------------------------------------------------------------------------


GATEWAY = {"gateway": {"name": "public", "namespace": "gateways"}}


def test_a_sticky_canary_keeps_a_session_on_one_version() -> None:
    sticky = canary(10, "gateway", sticky={"header": "X-Session-Id", "idleTimeout": "30m"})
    route = one_object(build(fleet_of(sticky, **GATEWAY, gatewayChannel="experimental")), "HTTPRoute", "worker")
    (rule,) = route["spec"]["rules"]
    assert rule["sessionPersistence"] == {"sessionName": "X-Session-Id", "type": "Header", "idleTimeout": "30m"}
    cookie = canary(10, "gateway", sticky={"cookie": "agent-session"})
    route = one_object(build(fleet_of(cookie, **GATEWAY, gatewayChannel="experimental")), "HTTPRoute", "worker")
    assert route["spec"]["rules"][0]["sessionPersistence"] == {"sessionName": "agent-session", "type": "Cookie"}


def test_sticky_needs_a_route_and_the_experimental_channel() -> None:
    assert spec_problems(canary(10, sticky={"header": "X-Session-Id"})) == [
        "agents/worker.yaml: rollout.canary: sticky needs traffic: gateway (an HTTPRoute's session persistence), "
        "found traffic: replicas"
    ]
    (standard,) = spec_problems(canary(10, "gateway", sticky={"header": "X-Session-Id"}), **GATEWAY)
    assert standard.startswith("agents/worker.yaml: rollout.canary.sticky: session persistence is in the Gateway API")
    assert standard.endswith("set agentkube:gatewayChannel: experimental")
    (both,) = spec_problems(canary(10, "gateway", sticky={"header": "X-Session-Id", "cookie": "c"}), **GATEWAY)
    assert both.endswith("give exactly one of header or cookie, e.g. {header: X-Session-Id}")


def test_a_bad_collector_url_names_the_setting() -> None:
    with pytest.raises(SpecError) as err:
        settings_from_config({"agentkube:otelEndpoint": "otel:4318"}, "Pulumi.dev.yaml")
    (problem,) = err.value.problems
    assert str(problem).startswith("Pulumi.dev.yaml: config.agentkube:otelEndpoint: 'otel:4318' is not a collector URL")
