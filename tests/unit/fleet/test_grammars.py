"""Fields that become Kubernetes names and keys follow the API server's grammar, refused with the field and the
grammar in words; and `mcp.port` names a port the agent declares."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError
from tests.helpers import SERVING, fleet_of, one_object, spec_problems

GRAMMAR = "letters, digits, '-', '_' and '.' (no '/')"


def server_accepts_key(key: str) -> bool:
    """The API server's IsConfigMapKey, which Secret keys and key selectors follow too."""
    return (
        len(key) <= 253
        and re.fullmatch(r"[-._a-zA-Z0-9]+", key) is not None
        and key not in (".", "..")
        and not key.startswith("..")
    )


def with_secret_key(key: str) -> dict[str, Any]:
    return {**SERVING, "secrets": [{"env": "API_KEY", "secretRef": {"name": "llm-keys", "key": key}}]}


def rabbit_with_key(key: str) -> dict[str, Any]:
    trigger = {"rabbitmq": {"queue": "tasks", "hostFromSecret": {"name": "rabbitmq", "key": key}}}
    return {**SERVING, "scaling": {"autoscale": {"min": 0, "max": 3, "triggers": [trigger]}}}


@pytest.mark.parametrize("key", ["api/key", "a b", ".", "..", "..hidden", "k" * 254, "schlüssel"])
def test_a_secret_key_outside_the_grammar_is_refused_naming_the_field(key: str) -> None:
    (problem,) = spec_problems(with_secret_key(key))
    assert problem.startswith("agents/worker.yaml: secrets[0].secretRef.key: ")
    assert GRAMMAR in problem or "at most 253" in problem


@pytest.mark.parametrize("key", ["..x", ".", "a/b"])
def test_a_config_key_outside_the_grammar_is_refused(key: str) -> None:
    (problem,) = spec_problems({**SERVING, "config": {"data": {key: "v"}}})
    assert problem.startswith(f"agents/worker.yaml: config.data.{key}: key '{key}' is not valid, expected a Secret")


@pytest.mark.parametrize("key", ["url/amqp", "..x"])
def test_a_keda_host_from_secret_key_outside_the_grammar_is_refused(key: str) -> None:
    (problem,) = spec_problems(rabbit_with_key(key), keda=True)
    path = "scaling.autoscale.triggers[0].rabbitmq.hostFromSecret.key"
    assert problem.startswith(f"agents/worker.yaml: {path}: '{key}' is not valid, expected a Secret or ConfigMap key")


@given(st.text(st.sampled_from("aZ09-_./ "), min_size=1, max_size=12) | st.sampled_from(["k" * 253, "k" * 254]))
def test_validate_accepts_exactly_the_secret_keys_the_api_server_does(key: str) -> None:
    try:
        fleet = fleet_of(with_secret_key(key))
    except SpecError:
        assert not server_accepts_key(key)
        return
    assert server_accepts_key(key)
    env = one_object(build(fleet), "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "llm-keys", "key": key}}} in env


@pytest.mark.parametrize("name", ["TLS-cert", "tls_cert", "-tls", "tls.", "a..b", "x" * 254, ""])
def test_an_ingress_tls_secret_that_is_not_a_dns_subdomain_is_refused(name: str) -> None:
    spec = {**SERVING, "expose": {"host": "agents.example.com", "tlsSecret": name}}
    (problem,) = spec_problems(spec)
    assert problem.startswith("agents/worker.yaml: expose.tlsSecret: ")
    assert "a DNS subdomain" in problem or "at most 253" in problem


def test_a_dns_subdomain_tls_secret_is_rendered() -> None:
    spec = {**SERVING, "expose": {"host": "agents.example.com", "tlsSecret": "agents-tls.acme"}}
    ingress = one_object(build(fleet_of(spec)), "Ingress")
    assert ingress["spec"]["tls"] == [{"hosts": ["agents.example.com"], "secretName": "agents-tls.acme"}]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ingressClass", "", "'' is not valid, expected a DNS subdomain"),
        ("ingressClass", "Nginx", "'Nginx' is not valid, expected a DNS subdomain"),
        ("ingressNamespace", "ingress_nginx", "'ingress_nginx' is not valid, expected a DNS label"),
        ("monitoringNamespace", "a" * 64, "expected a DNS label"),
        ("runtimeClasses", '["gVisor"]', "'gVisor' is not valid, expected a DNS subdomain"),
    ],
)
def test_stack_names_outside_their_grammar_are_refused(key: str, value: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({f"agentkube:{key}": value}, "Pulumi.dev.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"Pulumi.dev.yaml: config.agentkube:{key}")
    assert expected in problem.message


def test_a_valid_ingress_class_reaches_the_ingress() -> None:
    settings = settings_from_config({"agentkube:ingressClass": "internal.acme"}, "Pulumi.dev.yaml")
    spec = {**SERVING, "expose": {"host": "agents.example.com"}}
    objs = build(fleet_of(spec, **settings.model_dump(by_alias=True, exclude_unset=True)))
    assert one_object(objs, "Ingress")["spec"]["ingressClassName"] == "internal.acme"


@pytest.mark.parametrize(
    ("scheduling", "path"),
    [
        ({"nodeSelector": {"pool name": "gpu"}}, "scheduling.nodeSelector.pool name"),
        ({"nodeSelector": {"pool": "gpu nodes"}}, "scheduling.nodeSelector.pool"),
        ({"tolerations": [{"key": "dedicated/", "value": "x"}]}, "scheduling.tolerations[0].key"),
        ({"tolerations": [{"key": "dedicated", "value": "-x"}]}, "scheduling.tolerations[0].value"),
    ],
)
def test_node_selector_and_toleration_labels_follow_the_label_grammar(scheduling: dict[str, Any], path: str) -> None:
    (problem,) = spec_problems({**SERVING, "scheduling": scheduling})
    assert problem.startswith(f"agents/worker.yaml: {path}: ")
    assert "label" in problem


def test_service_account_annotation_keys_follow_the_label_key_grammar() -> None:
    (problem,) = spec_problems({**SERVING, "serviceAccount": {"annotations": {"iam role": "arn"}}})
    path = "serviceAccount.annotations.iam role"
    assert problem.startswith(f"agents/worker.yaml: {path}: ")
    assert "label" in problem


MCP_PORTS = [{"name": "http", "port": 8080}, {"name": "mcp", "port": 9000}]


def test_an_mcp_port_number_no_port_declares_is_refused_with_the_declared_ports() -> None:
    spec = {**SERVING, "ports": MCP_PORTS, "mcp": {"port": 9001}}
    assert spec_problems(spec) == [
        "agents/worker.yaml: mcp.port: 9001 is not a declared port, expected one of: 8080, 9000"
    ]


def test_an_mcp_port_by_declared_number_or_name_serves_the_endpoint() -> None:
    caller = {"name": "caller", "image": "ghcr.io/acme/caller:1.0", "dependsOn": ["worker"]}
    for ref in (9000, "mcp"):
        fleet = fleet_of({**SERVING, "ports": MCP_PORTS, "mcp": {"port": ref}}, caller)
        env = one_object(build(fleet), "Deployment", "caller")["spec"]["template"]["spec"]["containers"][0]["env"]
        assert {"name": "WORKER_MCP_URL", "value": "http://worker.agentkube-agent-pool.svc:9000/mcp"} in env


def test_mcp_on_a_udp_port_is_refused() -> None:
    ports = [{"name": "dns", "port": 5353, "protocol": "UDP"}]
    assert spec_problems({**SERVING, "ports": ports, "mcp": {}}) == [
        "agents/worker.yaml: mcp.port: port 'dns' is UDP, expected a TCP port (HTTP runs on TCP)"
    ]
