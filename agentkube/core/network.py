"""How agents are reached: Service, NetworkPolicy and Ingress."""

from __future__ import annotations

from typing import Any

from ..fleet.model import Fleet
from ..spec.agent import AgentSpec
from . import naming

DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def service(
    spec: AgentSpec, fleet: Fleet, name: str | None = None, extra_selector: dict[str, str] | None = None
) -> dict[str, Any] | None:
    if not spec.ports:
        return None
    settings = fleet.settings
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": naming.metadata(spec, settings, name),
        "spec": {
            "type": "ClusterIP",
            "selector": {**naming.selector(spec, settings), **(extra_selector or {})},
            "ports": [
                {"name": p.name, "port": p.port, "targetPort": p.name, "protocol": p.protocol} for p in spec.ports
            ],
        },
    }


def _peer(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    return {
        "namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": naming.namespace(spec.layer, fleet.settings)}
        },
        "podSelector": {"matchLabels": naming.selector(spec, fleet.settings)},
    }


def _namespace_peer(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _ports(spec: AgentSpec) -> list[dict[str, Any]]:
    return [{"protocol": p.protocol, "port": p.port} for p in spec.ports]


def network_policy(spec: AgentSpec, fleet: Fleet) -> dict[str, Any]:
    """Ingress only from the agents that depend on this one (and ingress/monitoring where used);
    egress only to DNS, this agent's dependencies and addresses outside the private ranges."""
    settings = fleet.settings
    dependents = fleet.dependents(spec.name)
    ingress: list[dict[str, Any]] = []
    if spec.ports and dependents:
        ingress.append({"from": [_peer(a, fleet) for a in dependents], "ports": _ports(spec)})
    if spec.expose:
        ingress.append({"from": [_namespace_peer(settings.ingress_namespace)], "ports": _ports(spec)})
    canary = spec.rollout.canary
    if canary is not None and canary.traffic == "gateway" and settings.gateway is not None and spec.ports:
        ingress.append({"from": [_namespace_peer(settings.gateway.namespace)], "ports": _ports(spec)})
    if spec.metrics:
        ingress.append(
            {
                "from": [_namespace_peer(settings.monitoring_namespace)],
                "ports": [{"protocol": "TCP", "port": spec.port_number(spec.metrics.port)}],
            }
        )
    egress: list[dict[str, Any]] = [{"to": [{"namespaceSelector": {}}], "ports": DNS_PORTS}]
    egress += [{"to": [_peer(dep, fleet)], "ports": _ports(dep)} for dep in (fleet.agent(n) for n in spec.depends_on)]
    egress.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE_RANGES}}]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": naming.metadata(spec, settings),
        "spec": {
            "podSelector": {"matchLabels": naming.selector(spec, settings)},
            "policyTypes": ["Ingress", "Egress"],
            # no ingress rules means none allowed; an empty list is dropped by the API, so leave it out
            **({"ingress": ingress} if ingress else {}),
            "egress": egress,
        },
    }


def default_deny(namespace: str, fleet: Fleet) -> dict[str, Any]:
    """Deny all ingress in a namespace; each agent's own policy opens what it needs."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "default-deny-ingress",
            "namespace": namespace,
            "labels": naming.fleet_labels(fleet.settings),
        },
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    }


def ingress(spec: AgentSpec, fleet: Fleet) -> dict[str, Any] | None:
    if not spec.expose:
        return None
    expose, settings = spec.expose, fleet.settings
    port = spec.port_number(expose.port) if expose.port is not None else spec.ports[0].port
    metadata = naming.metadata(spec, settings)
    if not settings.await_ingress:  # no controller would ever publish an address: don't wait for one
        metadata["annotations"] = {naming.SKIP_AWAIT: "true"}
    body: dict[str, Any] = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": {
            "ingressClassName": settings.ingress_class,
            "rules": [
                {
                    "host": expose.host,
                    "http": {
                        "paths": [
                            {
                                "path": expose.path,
                                "pathType": "Prefix",
                                "backend": {"service": {"name": spec.name, "port": {"number": port}}},
                            }
                        ]
                    },
                }
            ],
        },
    }
    if expose.tls_secret:
        body["spec"]["tls"] = [{"hosts": [expose.host], "secretName": expose.tls_secret}]
    return body
