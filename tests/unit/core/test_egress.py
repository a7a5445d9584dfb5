"""Egress: host names, IP addresses and ranges, in-cluster names refused, the collector's egress, and the
internet that never holds link-local (cloud metadata) or carrier-grade NAT addresses."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError
from tests.helpers import BASE, ROOT, fleet_of, objects_of_kind, one_object, spec_problems, stack_fleet
from tests.strategies import egress_entries, fleets

INTERNET_EXCEPT = ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"]
INTERNET = {"ipBlock": {"cidr": "0.0.0.0/0", "except": INTERNET_EXCEPT}}
METADATA, CARRIER_GRADE = ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("100.64.0.1")


def internet_rules(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in policy["spec"]["egress"] if any("ipBlock" in peer for peer in r.get("to", []))]


def policy_of(objs: list[dict[str, Any]], name: str = "worker") -> dict[str, Any]:
    return one_object(objs, "NetworkPolicy", name)


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


# --- host names ---------------------------------------------------------------------------------------


def test_plain_policies_narrow_egress_to_the_hosts_ports_and_say_names_are_not_enforced() -> None:
    fleet = fleet_of({**BASE, "egress": ["api.openai.com", "*.search.example.com:8443"]})
    (rule,) = internet_rules(policy_of(build(fleet)))
    assert rule == {"to": [INTERNET], "ports": tcp(443, 8443)}
    (warning,) = [str(w) for w in fleet.warnings]
    assert warning.startswith("agents/worker.yaml: egress: warning: api.openai.com, *.search.example.com:8443:")
    assert "agentkube:networkPolicy: cilium" in warning
    assert not objects_of_kind(build(fleet), "CiliumNetworkPolicy")


def test_no_egress_means_no_internet_and_unset_means_any_internet_address_but_metadata_and_cgnat() -> None:
    closed = policy_of(build(fleet_of({**BASE, "egress": []})))
    assert internet_rules(closed) == []
    assert [r["ports"] for r in closed["spec"]["egress"]] == [
        [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    ]
    (anything,) = internet_rules(policy_of(build(fleet_of(BASE))))
    assert anything == {"to": [INTERNET]}  # the default: any port, outside every non-internet range


def test_cilium_allows_the_names_by_port_denies_metadata_and_the_plain_policy_no_internet_address() -> None:
    researcher = {**BASE, "egress": ["api.openai.com", "*.search.example.com", "mirror.example.org:8080"]}
    objs = build(fleet_of(researcher, networkPolicy="cilium"))
    assert internet_rules(policy_of(objs)) == []
    policy = one_object(objs, "CiliumNetworkPolicy", "worker")
    dns, *hosts = policy["spec"]["egress"]
    assert dns["toPorts"][0]["rules"] == {"dns": [{"matchPattern": "*"}]}  # the proxy learns the names' addresses
    assert hosts == [
        {
            "toFQDNs": [{"matchPattern": "*.search.example.com"}, {"matchName": "api.openai.com"}],
            "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}],
        },
        {
            "toFQDNs": [{"matchName": "mirror.example.org"}],
            "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}],
        },
    ]
    # a name may resolve to anything (rebinding, a wildcard's subdomain): metadata is denied whatever it does
    assert policy["spec"]["egressDeny"] == [{"toCIDR": ["169.254.0.0/16", "fd00:ec2::254/128"]}]
    assert policy["spec"]["endpointSelector"] == policy_of(objs)["spec"]["podSelector"]


def test_a_host_with_a_final_dot_is_public_whatever_its_top_level_domain() -> None:
    objs = build(fleet_of({**BASE, "egress": ["models.museum.:8443"]}, networkPolicy="cilium"))
    (_, rule) = one_object(objs, "CiliumNetworkPolicy", "worker")["spec"]["egress"]
    assert rule["toFQDNs"] == [{"matchName": "models.museum"}]


# --- IP addresses and ranges --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["kubernetes", "cilium"])
def test_ip_addresses_and_ranges_become_ip_blocks_of_exactly_that_range(engine: str) -> None:
    entries = ["203.0.113.7", "198.51.100.0/24:8443", "[2001:db8::1]:8443", "2001:db8:1::/48", "10.20.0.0/16:5432"]
    fleet = fleet_of({**BASE, "egress": entries}, networkPolicy=engine)
    objs = build(fleet)
    assert internet_rules(policy_of(objs)) == [
        {"to": [{"ipBlock": {"cidr": "203.0.113.7/32"}}, {"ipBlock": {"cidr": "2001:db8:1::/48"}}], "ports": tcp(443)},
        {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": tcp(5432)},  # private, as written: deliberate
        {
            "to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}, {"ipBlock": {"cidr": "2001:db8::1/128"}}],
            "ports": tcp(8443),
        },
    ]
    assert not fleet.warnings  # addresses are enforced exactly, unlike names
    for policy in objects_of_kind(objs, "CiliumNetworkPolicy"):
        assert all("toFQDNs" not in r for r in policy["spec"]["egress"])  # never read as a host name


def test_a_range_holding_non_internet_ranges_excepts_them() -> None:
    objs = build(fleet_of({**BASE, "egress": ["0.0.0.0/0:8080", "172.0.0.0/8", "[fc00::/7]:9000"]}))
    assert internet_rules(policy_of(objs)) == [
        {"to": [{"ipBlock": {"cidr": "172.0.0.0/8", "except": ["172.16.0.0/12"]}}], "ports": tcp(443)},
        {"to": [INTERNET], "ports": tcp(8080)},
        {"to": [{"ipBlock": {"cidr": "fc00::/7", "except": ["fd00:ec2::254/128"]}}], "ports": tcp(9000)},
    ]


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("169.254.169.254", "link-local, where cloud metadata answers"),
        ("169.254.0.0/16:80", "link-local"),
        ("fd00:ec2::254", "cloud metadata"),
        ("[fe80::1]:443", "link-local"),
        ("127.0.0.1:8080", "the pod's own loopback"),
        ("::ffff:169.254.169.254", "write the IPv4 address itself"),
        ("10.1.2.3/8", "has host bits set, expected 10.0.0.0/8"),
        ("300.1.2.3", "is not an IP address or CIDR range"),
        ("https://api.openai.com", "has a scheme"),
        ("api.openai.com/v1", "has a path"),
        ("api.openai.com:99999", "out of range, expected 1-65535"),
        ("api.openai.com:", "has an empty port"),
        (":443", "has no host"),
        ("API.openai.com", "expected lowercase DNS labels"),
        ("[2001:db8::1", "is not [IPv6 address]:port"),
        ("2001:db8::/32:443", "expected it in brackets: [2001:db8::/32]:443"),
    ],
)
def test_entries_with_no_meaning_are_refused_naming_the_field(entry: str, says: str) -> None:
    (problem,) = spec_problems({**BASE, "egress": ["api.openai.com", entry]})
    assert problem.startswith(f"agents/worker.yaml: egress[1]: '{entry}' ") or problem.startswith(
        "agents/worker.yaml: egress[1]: port "
    )
    assert says in problem


# --- in-cluster names -----------------------------------------------------------------------------------

PGVECTOR = {**BASE, "name": "pgvector", "layer": "infrastructure", "ports": [{"name": "pg", "port": 5432}]}


@pytest.mark.parametrize(
    "entry",
    [
        "pgvector.agentkube-infrastructure.svc:5432",
        "pgvector.agentkube-infrastructure.svc.cluster.local:5432",
        "pgvector.agentkube-infrastructure:5432",
        "pgvector:5432",
    ],
)
def test_an_in_cluster_name_is_refused_naming_the_agent_to_depend_on(entry: str) -> None:
    (problem,) = spec_problems(PGVECTOR, {**BASE, "egress": [entry]})
    assert problem.startswith(f"agents/worker.yaml: egress[0]: '{entry}' names the in-cluster service pgvector")
    assert "open port 5432 to every public address and still block pgvector" in problem
    assert problem.endswith("use dependsOn: [pgvector] (the agent pgvector)")


def test_an_in_cluster_name_of_no_agent_says_so() -> None:
    (problem,) = spec_problems({**BASE, "egress": ["redis.cache.svc:6379"]})
    assert "in namespace cache" in problem
    assert problem.endswith("use dependsOn: NAME to call an agent of the fleet (redis is none of them)")


def test_an_override_with_an_in_cluster_name_names_the_stack_setting() -> None:
    with pytest.raises(SpecError) as err:
        fleet_of(PGVECTOR, BASE, overrides={"worker": {"egress": ["pgvector.agentkube-infrastructure.svc:5432"]}})
    (problem,) = [str(p) for p in err.value.problems]
    assert problem.startswith("Pulumi.test.yaml: config.agentkube:overrides.worker.egress[0]: ")
    assert problem.endswith("use dependsOn: [pgvector] (the agent pgvector)")


# --- the trace collector ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://otel-collector.observability:4318",
        "http://otel-collector.observability.svc:4318",
        "http://otel-collector.observability.svc.cluster.local:4318",
    ],
)
@pytest.mark.parametrize("engine", ["kubernetes", "cilium"])
def test_an_in_cluster_collector_opens_its_namespace_and_port_not_the_internet(endpoint: str, engine: str) -> None:
    objs = build(fleet_of({**BASE, "egress": []}, otelEndpoint=endpoint, networkPolicy=engine))
    namespace = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}}
    assert {"to": [namespace], "ports": tcp(4318)} in policy_of(objs)["spec"]["egress"]
    assert internet_rules(policy_of(objs)) == []
    for policy in objects_of_kind(objs, "CiliumNetworkPolicy"):
        assert all("toFQDNs" not in r for r in policy["spec"]["egress"])


def test_a_public_collector_is_an_egress_host_and_an_ip_collector_an_ip_block() -> None:
    public = build(fleet_of({**BASE, "egress": []}, otelEndpoint="https://otel.example.com"))
    assert internet_rules(policy_of(public)) == [{"to": [INTERNET], "ports": tcp(443)}]
    cilium = build(fleet_of({**BASE, "egress": []}, otelEndpoint="https://otel.example.com", networkPolicy="cilium"))
    (_, rule) = one_object(cilium, "CiliumNetworkPolicy", "worker")["spec"]["egress"]
    assert rule["toFQDNs"] == [{"matchName": "otel.example.com"}]
    for egress in ([], None):  # a private collector is reached even where the internet is open (which excepts it)
        spec = {**BASE, **({"egress": egress} if egress is not None else {})}
        objs = build(fleet_of(spec, otelEndpoint="http://10.0.5.4:4318"))
        assert {"to": [{"ipBlock": {"cidr": "10.0.5.4/32"}}], "ports": tcp(4318)} in internet_rules(policy_of(objs))
    sidecar = build(fleet_of({**BASE, "egress": []}, otelEndpoint="http://127.0.0.1:4318"))
    assert internet_rules(policy_of(sidecar)) == []  # the pod's own loopback: nothing to open


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("http://otel-collector:4318", "without its namespace"),
        ("http://169.254.169.254:4318", "link-local"),
        ("http://otel.example.com:70000", "out of range"),
        ("grpc://otel.example.com", "is not a collector URL"),
    ],
)
def test_a_collector_with_no_meaning_is_refused_naming_the_setting(endpoint: str, says: str) -> None:
    with pytest.raises(SpecError) as err:
        settings_from_config({"agentkube:otelEndpoint": endpoint}, "Pulumi.dev.yaml")
    (problem,) = [str(p) for p in err.value.problems]
    assert problem.startswith(f"Pulumi.dev.yaml: config.agentkube:otelEndpoint: '{endpoint}' ") or (
        problem.startswith(f"Pulumi.dev.yaml: config.agentkube:otelEndpoint: port 70000 of '{endpoint}'")
    )
    assert says in problem


# --- every kind of entry, generated ----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(entry=egress_entries(with_refused=True), engine=st.sampled_from(["kubernetes", "cilium"]))
def test_every_entry_is_refused_naming_the_field_or_rendered_to_its_peer(
    entry: tuple[str, str, Any, int], engine: str
) -> None:
    kind, text, target, port = entry
    specs = [PGVECTOR, {**BASE, "egress": [text]}]
    try:
        fleet = fleet_of(*specs, networkPolicy=engine)
    except SpecError as err:
        (problem,) = [str(p) for p in err.problems]
        assert kind == "refused", f"{text} ({kind}) refused: {problem}"
        assert problem.startswith("agents/worker.yaml: egress[0]: ")
        return
    assert kind != "refused", f"{text} accepted"
    objs = build(fleet)
    rules = internet_rules(policy_of(objs))
    if kind == "network":
        expected = ipaddress.ip_network(target)
        (rule,) = rules
        assert rule["ports"] == tcp(port)
        ((block,),) = [[p["ipBlock"] for p in rule["to"]]]
        assert block["cidr"] == str(expected)
        assert all(ipaddress.ip_network(e).subnet_of(expected) for e in block.get("except", []))  # type: ignore[arg-type]
    elif engine == "kubernetes":
        assert rules == [{"to": [INTERNET], "ports": tcp(port)}]
    else:
        assert rules == []
        (_, rule) = one_object(objs, "CiliumNetworkPolicy", "worker")["spec"]["egress"]
        key = "matchPattern" if target.startswith("*.") else "matchName"
        assert rule == {"toFQDNs": [{key: target}], "toPorts": [{"ports": [{"port": str(port), "protocol": "TCP"}]}]}


# --- nothing lets metadata or carrier-grade NAT through ----------------------------------------------------


def opened_to(
    objs: list[dict[str, Any]], address: ipaddress.IPv4Address | ipaddress.IPv6Address, by_name: bool = False
) -> list[str]:
    """The policies (kind/name) with an egress ipBlock that lets `address` through; `by_name`: also the Cilium
    policies whose names could resolve to it (pods of some clusters live in carrier-grade NAT, so only
    link-local is denied there whatever a name resolves to)."""
    out = []
    for policy in objects_of_kind(objs, "NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            assert rule.get("to"), "a rule without peers opens every destination"
            for peer in rule["to"]:
                if (block := peer.get("ipBlock")) is None:
                    continue
                cidr = ipaddress.ip_network(block["cidr"])
                inside = cidr.version == address.version and address in cidr
                if inside and not any(address in ipaddress.ip_network(e) for e in block.get("except", [])):
                    out.append(f"NetworkPolicy/{policy['metadata']['name']}")
    for policy in objects_of_kind(objs, "CiliumNetworkPolicy"):
        denied = [ipaddress.ip_network(c) for d in policy["spec"].get("egressDeny", []) for c in d["toCIDR"]]
        allowed = [r for r in policy["spec"]["egress"] if {"toCIDR", "toCIDRSet", "toEntities"} & r.keys()]
        assert not allowed, "agentkube opens addresses in NetworkPolicies, never in Cilium's"
        if by_name and not any(address in n for n in denied if n.version == address.version):
            out.append(f"CiliumNetworkPolicy/{policy['metadata']['name']} (its names may resolve there)")
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_policy_of_the_example_fleet_reaches_metadata_or_carrier_grade_nat(stack: str) -> None:
    objs = build(stack_fleet(stack))
    assert opened_to(objs, METADATA, by_name=True) == []
    assert opened_to(objs, CARRIER_GRADE) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleet=fleets(), engine=st.sampled_from(["kubernetes", "cilium"]))
def test_no_policy_of_a_generated_fleet_reaches_metadata_or_carrier_grade_nat(
    fleet: tuple[list[dict[str, Any]], dict[str, Any]], engine: str
) -> None:
    specs, stack = fleet
    try:
        objs = build(fleet_of(*specs, **stack, networkPolicy=engine))
    except SpecError as err:  # the other acceptable outcome, but never over an egress entry the strategies give
        assert not [p for p in err.problems if p.path.startswith("egress")], err
        return
    assert opened_to(objs, METADATA, by_name=True) == []
    assert opened_to(objs, CARRIER_GRADE) == []  # the strategies' entries never name a range inside it


def test_the_guide_quotes_what_validate_says_of_an_in_cluster_name() -> None:
    guide = (ROOT / "docs/guides/agent-native-runtime.md").read_text()
    search = {**BASE, "name": "search", "egress": ["pgvector.agentkube-infrastructure.svc:5432"]}
    (problem,) = spec_problems(PGVECTOR, search)
    assert f"  {problem}\n" in guide
