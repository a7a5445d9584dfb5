"""What an address names: a public host, an IP network, or a service inside the cluster, and the ranges that
are never "the internet". The one reading of `egress` entries and of the collector's host (pure)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_EGRESS_PORT = 443


@dataclass(frozen=True)
class Reserved:
    """A range outside the internet. `never`: refused even when an entry names it (says why instead)."""

    cidr: str
    what: str
    never: str | None = None
    denied: bool = False  # a Cilium policy denies it outright, whatever a name resolves to

    @property
    def network(self) -> IPNetwork:
        return ipaddress.ip_network(self.cidr)


PRIVATE = "a private range"
LINK_LOCAL = (
    "link-local, where cloud metadata answers (169.254.169.254: node credentials), never reachable from an agent"
)
NON_INTERNET: tuple[Reserved, ...] = (
    Reserved("10.0.0.0/8", PRIVATE),
    Reserved("100.64.0.0/10", "the carrier-grade NAT range"),
    Reserved("127.0.0.0/8", "loopback", "the pod's own loopback, which no network policy governs: remove the entry"),
    Reserved("169.254.0.0/16", "link-local", LINK_LOCAL, denied=True),
    Reserved("172.16.0.0/12", PRIVATE),
    Reserved("192.168.0.0/16", PRIVATE),
    Reserved("::1/128", "loopback", "the pod's own loopback, which no network policy governs: remove the entry"),
    Reserved("::ffff:0:0/96", "IPv4-mapped", "an IPv4 address in IPv6 form: write the IPv4 address itself"),
    Reserved("fc00::/7", "a private (unique local) range"),
    Reserved(
        "fd00:ec2::254/128",
        "cloud metadata",
        "cloud metadata (node credentials), never reachable from an agent",
        denied=True,
    ),
    Reserved("fe80::/10", "link-local", "link-local, never reachable from an agent"),
)
"""Every range that is not the internet: the internet ipBlock excepts them, and an entry inside one is
allowed only where it is written as that address or range (a deliberate choice), never where `never` says why."""

INTERNET = ipaddress.ip_network("0.0.0.0/0")


def ip_block(network: IPNetwork) -> dict[str, Any]:
    """The ipBlock of a network, excepting every non-internet range strictly inside it (the widest of nested ones)."""
    inside = [r.network for r in NON_INTERNET if _strictly_inside(r.network, network)]
    inside = [n for n in inside if not any(_strictly_inside(n, other) for other in inside)]
    return {"cidr": str(network), **({"except": [str(n) for n in inside]} if inside else {})}


def _strictly_inside(inner: IPNetwork, outer: IPNetwork) -> bool:
    return inner.version == outer.version and inner != outer and inner.subnet_of(outer)  # type: ignore[arg-type]


def internet_block() -> dict[str, Any]:
    """The ipBlock agentkube means by "the internet": every IPv4 address outside `NON_INTERNET`."""
    return ip_block(INTERNET)


def never_ranges() -> list[str]:
    """The ranges no policy may open (link-local, metadata): a Cilium policy denies them outright."""
    return [r.cidr for r in NON_INTERNET if r.denied]


@dataclass(frozen=True)
class Host:
    """A public DNS name (`*.` for any subdomain) and a TCP port."""

    name: str
    port: int


@dataclass(frozen=True)
class Network:
    """An IP address or CIDR range and a TCP port."""

    network: IPNetwork
    port: int


@dataclass(frozen=True)
class InCluster:
    """A Service inside the cluster: `namespace` None for a bare name (the pod's own namespace)."""

    service: str
    namespace: str | None
    port: int


Destination = Host | Network | InCluster

LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
NAME = re.compile(rf"(\*\.)?{LABEL}(\.{LABEL})*\.?")
# the last labels a two-label name ends in that are public top-level domains; any other (`observability`,
# `agentkube-infrastructure`) is read as Kubernetes' resolver reads it first, a namespace (`svc.namespace`).
# Two letters are country domains; a public host under another domain is written with a final dot.
_GENERIC = (
    "com net org edu gov mil int info biz name pro mobi aero coop io ai app dev cloud tech online site xyz shop "
    "store blog page link live news world today space website host digital systems solutions services network email "
    "zone run tools software codes academy agency company group global inc llc ltd media art design science works"
)
GENERIC_TLDS = frozenset(_GENERIC.split())


def public_tld(label: str) -> bool:
    return len(label) == 2 or label in GENERIC_TLDS or label.startswith("xn--")


def _in_cluster(name: str, port: int) -> InCluster | None:
    """`svc`, `svc.ns`, `svc.ns.svc[.domain]`, anything under `.cluster.local` as a Service; None: public."""
    if name.endswith("."):
        return None  # absolute: the resolver searches no cluster domain
    labels = name.removeprefix("*.").split(".")
    if len(labels) == 1:
        return InCluster(labels[0], None, port)
    if len(labels) == 2 and not public_tld(labels[1]):
        return InCluster(labels[0], labels[1], port)
    if len(labels) >= 3 and labels[2] == "svc":
        return InCluster(labels[0], labels[1], port)
    if name.endswith(".cluster.local"):
        return InCluster(labels[0], labels[1] if len(labels) > 3 else None, port)
    return None


def destination(host: str, port: int) -> Destination:
    """What a host (a name, an IP address or a CIDR range) names; ValueError when it is none of them."""
    try:
        network = ipaddress.ip_network(host.strip("[]"), strict=True)
    except ValueError as err:
        if "/" in host or ":" in host or re.fullmatch(r"[0-9.]+", host):
            why = "has host bits set" if "host bits set" in str(err) else "is not an IP address or CIDR range"
            hint = ""
            if why == "has host bits set":
                hint = f", expected {ipaddress.ip_network(host.strip('[]'), strict=False)}"
            raise ValueError(f"'{host}' {why}{hint}") from None
    else:
        return Network(network, port)
    if not NAME.fullmatch(host):
        raise ValueError(
            f"'{host}' is not a host name, expected lowercase DNS labels joined by '.', optionally starting with "
            "'*.' (e.g. api.openai.com)"
        )
    return _in_cluster(host, port) or Host(host.removesuffix("."), port)


def split_port(entry: str) -> tuple[str, int]:
    """`host[:port]`, `[IPv6][:port]` or a bare IPv6 address -> (host, port); port 443 when unset."""
    if entry.startswith("["):
        host, sep, rest = entry[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"'{entry}' is not [IPv6 address]:port, e.g. [2001:db8::1]:443")
        port = rest[1:]
    elif entry.count(":") > 1:
        host, port = entry, ""  # a bare IPv6 address or range: no port (write [address]:port for one)
        head, _, tail = entry.rpartition(":")
        if tail.isdigit() and _is_network(head) and not _is_network(entry):
            raise ValueError(f"'{entry}' has a port after an IPv6 address, expected it in brackets: [{head}]:{tail}")
    else:
        host, _, port = entry.partition(":")
        if entry.endswith(":"):
            raise ValueError(f"'{entry}' has an empty port, expected host:port with a port 1-65535")
    if port and not port.isdigit():
        raise ValueError(f"port '{port}' of '{entry}' is not a number, expected 1-65535")
    number = int(port) if port else DEFAULT_EGRESS_PORT
    if not 1 <= number <= 65535:
        raise ValueError(f"port {port} of '{entry}' is out of range, expected 1-65535")
    return host, number


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text)
    except ValueError:
        return False
    return True


def reserved_range(network: IPNetwork) -> Reserved | None:
    """The non-internet range a network lies in (the narrowest), if any."""
    holding = [
        r
        for r in NON_INTERNET
        if r.network.version == network.version and network.subnet_of(r.network)  # type: ignore[arg-type]
    ]
    return max(holding, key=lambda r: r.network.prefixlen, default=None)


def egress_destination(entry: str, agents: frozenset[str] = frozenset()) -> Host | Network:
    """The meaning of one `egress` entry, or ValueError saying why it has none (the one rule for egress).

    A public host name: allowed by name. An IP address or CIDR range: an ipBlock of exactly that range (a
    private one too, as written: a deliberate choice), except link-local, metadata and loopback. An in-cluster
    Service name: refused, as egress opens the internet and never the cluster; agents call agents with
    `dependsOn`. `agents` names the fleet's agents, for the message."""
    if "://" in entry:
        raise ValueError(
            f"'{entry}' has a scheme, expected host[:port] without one (e.g. api.openai.com:443; the port "
            "defaults to 443)"
        )
    if "/" in entry and not _cidr_like(entry):
        raise ValueError(f"'{entry}' has a path, expected host[:port] (e.g. api.openai.com:443)")
    host, port = split_port(entry)
    if not host:
        raise ValueError(f"'{entry}' has no host, expected host[:port] (e.g. api.openai.com:443)")
    target = destination(host, port)
    if isinstance(target, InCluster):
        raise ValueError(_in_cluster_message(entry, target, agents))
    if isinstance(target, Network) and (reserved := reserved_range(target.network)) and reserved.never:
        raise ValueError(f"'{entry}' is {reserved.never}")
    return target


def _cidr_like(entry: str) -> bool:
    return bool(re.fullmatch(r"\[?[0-9a-fA-F.:]+/[0-9]{1,3}\]?(:[0-9]*)?", entry))


def _in_cluster_message(entry: str, target: InCluster, agents: frozenset[str]) -> str:
    where = f" in namespace {target.namespace}" if target.namespace else ""
    head = (
        f"'{entry}' names the in-cluster service {target.service}{where}: egress opens the internet, so the "
        f"policy would open port {target.port} to every public address and still block {target.service}"
    )
    if split_port(entry)[0] == f"{target.service}.{target.namespace}":  # could be a public domain too
        head += (
            f" (a public host under the top-level domain '{target.namespace}' is written with a final dot: "
            f"'{target.service}.{target.namespace}.')"
        )
    if target.service in agents:
        return f"{head}; use dependsOn: [{target.service}] (the agent {target.service})"
    if agents:
        return f"{head}; use dependsOn: NAME to call an agent of the fleet ({target.service} is none of them)"
    return f"{head}; use dependsOn: NAME to call an agent of the fleet"


COLLECTOR_URL = re.compile(r"(https?)://(\[[0-9a-f:.]+\]|[a-z0-9][-a-z0-9.]*)(?::([0-9]{1,5}))?/?")
COLLECTOR_EXAMPLE = "http://otel-collector.observability:4318"


def collector_destination(url: str) -> Destination | None:
    """Where `agentkube:otelEndpoint` points: an in-cluster Service (`svc.ns`, `svc.ns.svc[.cluster.local]`),
    a public host or an IP network; None for the pod's own loopback (a sidecar: nothing to open)."""
    match = COLLECTOR_URL.fullmatch(url)
    if not match:
        raise ValueError(f"'{url}' is not a collector URL, expected http(s)://host[:port], e.g. {COLLECTOR_EXAMPLE}")
    scheme, host, port = match.groups()
    number = int(port) if port else (443 if scheme == "https" else 4318)
    if not 1 <= number <= 65535:
        raise ValueError(f"port {port} of '{url}' is out of range, expected 1-65535")
    target = destination(host, number)
    if isinstance(target, InCluster) and target.namespace is None:
        raise ValueError(
            f"'{url}' names a service without its namespace, which each pod would look up in its own; "
            f"expected service.namespace, e.g. {COLLECTOR_EXAMPLE}"
        )
    if isinstance(target, Network) and (reserved := reserved_range(target.network)) and reserved.never:
        if reserved.what == "loopback":
            return None
        raise ValueError(f"'{url}' is {reserved.never}")
    return target
