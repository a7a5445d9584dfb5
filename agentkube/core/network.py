"""How agents are reached: Service, NetworkPolicy and Ingress."""

from __future__ import annotations

from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..spec import addresses
from ..spec.addresses import (
    Destination,
    Host,
    InCluster,
    IPNetwork,
    Network,
    collector_destination,
    egress_destination,
    never_ranges,
)
from ..spec.agent import AgentSpec
from ..spec.stack import StackSettings
from . import naming
from .ports import port_number

DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


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
    egress only to DNS, this agent's dependencies, the trace collector and its `egress` (see `egress_rules`)."""
    settings = fleet.settings
    dependents = fleet.dependents(spec.name)
    ingress: list[dict[str, Any]] = []
    if spec.ports and dependents:
        ingress.append({"from": [_peer(a, fleet) for a in dependents], "ports": _ports(spec)})
    if replicated_store(spec):  # its members replicate to each other through the headless Service
        ingress.append({"from": [_peer(spec, fleet)], "ports": _ports(spec)})
    if spec.expose:
        ingress.append({"from": [_namespace_peer(settings.ingress_namespace)], "ports": _ports(spec)})
    canary = spec.rollout.canary
    if canary is not None and canary.traffic == "gateway" and settings.gateway is not None and spec.ports:
        ingress.append({"from": [_namespace_peer(settings.gateway.namespace)], "ports": _ports(spec)})
    if spec.metrics:
        ingress.append(
            {
                "from": [_namespace_peer(settings.monitoring_namespace)],
                "ports": [{"protocol": "TCP", "port": port_number(spec, spec.metrics.port)}],
            }
        )
    egress = egress_rules(spec, fleet)
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


def replicated_store(spec: AgentSpec) -> bool:
    """A stateful agent of 2 or more pods with ports: its pods may reach each other on them (peers of a replicated
    store find each other by the headless Service's per-pod names)."""
    return spec.storage is not None and bool(spec.ports) and spec.scaling.replicas >= 2


def egress_rules(spec: AgentSpec, fleet: Fleet) -> list[dict[str, Any]]:
    """The NetworkPolicy's egress: DNS (under Cilium, its policy's), dependencies, the collector, the internet.

    Policies add up, so this one never opens what another narrows: with Cilium it allows no internet
    address at all where the spec lists host names (only the CiliumNetworkPolicy's names do). IP addresses
    and ranges are ipBlocks of exactly what they say, in both modes; "the internet" never holds a range of
    `addresses.NON_INTERNET`."""
    settings = fleet.settings
    cilium = settings.network_policy == "cilium"
    egress: list[dict[str, Any]] = [] if cilium else [{"to": [{"namespaceSelector": {}}], "ports": DNS_PORTS}]
    egress += [{"to": [_peer(dep, fleet)], "ports": _ports(dep)} for dep in (fleet.agent(n) for n in spec.depends_on)]
    if replicated_store(spec):
        egress.append({"to": [_peer(spec, fleet)], "ports": _ports(spec)})
    collector = otel_collector(settings)
    if isinstance(collector, InCluster) and collector.namespace:
        egress.append(
            {"to": [_namespace_peer(collector.namespace)], "ports": [{"protocol": "TCP", "port": collector.port}]}
        )
    targets = reachable(spec, settings)
    if targets is None:
        egress.append({"to": [internet_block()]})
    hosts = sorted({t.port for t in targets or [] if isinstance(t, Host)})
    if hosts and not cilium:  # a plain policy can't match names: narrow to their ports
        egress.append({"to": [internet_block()], "ports": [{"protocol": "TCP", "port": port} for port in hosts]})
    networks = [t for t in targets or [] if isinstance(t, Network)]
    if isinstance(collector, Network):
        networks.append(collector)
    for port in sorted({n.port for n in networks}):
        blocks = sorted({n.network for n in networks if n.port == port}, key=lambda n: (n.version, n))
        egress.append({"to": [ip_block(n) for n in blocks], "ports": [{"protocol": "TCP", "port": port}]})
    return egress


def internet_block() -> dict[str, Any]:
    return {"ipBlock": addresses.internet_block()}


def ip_block(network: IPNetwork) -> dict[str, Any]:
    return {"ipBlock": addresses.ip_block(network)}


def otel_collector(settings: StackSettings) -> Destination | None:
    """Where pods export traces (`addresses.collector_destination`); None: nowhere, or their own loopback."""
    return collector_destination(settings.otel_endpoint) if settings.otel_endpoint else None


def reachable(spec: AgentSpec, settings: StackSettings) -> list[Host | Network] | None:
    """The hosts and networks the agent may reach outside the cluster, the collector's among them when it is
    outside; None: any internet address."""
    if spec.internet is None:
        return None
    targets = [egress_destination(entry) for entry in spec.internet]
    collector = otel_collector(settings)
    if isinstance(collector, Host):
        targets.append(collector)
    return targets


def cilium_policy(spec: AgentSpec, fleet: Fleet) -> dict[str, Any] | None:
    """Under Cilium: DNS through its proxy (which learns the names' addresses), `toFQDNs` per port, and a deny
    of link-local and metadata addresses that no name may resolve its way around."""
    settings = fleet.settings
    if settings.network_policy != "cilium":
        return None
    dns = {
        "toEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns"}}],
        "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}], "rules": {"dns": [{"matchPattern": "*"}]}}],
    }
    egress: list[dict[str, Any]] = [dns]
    by_port: dict[int, set[str]] = {}
    for target in reachable(spec, settings) or []:
        if isinstance(target, Host):
            by_port.setdefault(target.port, set()).add(target.name)
    for port, hosts in sorted(by_port.items()):
        names = [{"matchPattern": h} if h.startswith("*.") else {"matchName": h} for h in sorted(hosts)]
        egress.append({"toFQDNs": names, "toPorts": [{"ports": [{"port": str(port), "protocol": "TCP"}]}]})
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": naming.metadata(spec, settings),
        "spec": {
            "endpointSelector": {"matchLabels": naming.selector(spec, settings)},
            "egress": egress,
            "egressDeny": [{"toCIDR": never_ranges()}],
        },
    }


def default_deny(namespace: str, fleet: Fleet) -> dict[str, Any]:
    """Deny all ingress in a namespace; each agent's own policy opens what it needs."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": object_names.DEFAULT_DENY,
            "namespace": namespace,
            "labels": naming.fleet_labels(fleet.settings),
        },
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    }


def ingress(spec: AgentSpec, fleet: Fleet) -> dict[str, Any] | None:
    if not spec.expose:
        return None
    expose, settings = spec.expose, fleet.settings
    port = port_number(spec, expose.port) if expose.port is not None else spec.ports[0].port
    body: dict[str, Any] = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": naming.metadata(spec, settings),
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
