"""A host an Ingress routes by (`expose.host`, in its rule and its TLS entry) is one the API server takes there:
a DNS name, never an IP address; validation says so naming the field and the fix."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.spec.problems import SpecError
from tests.helpers import SERVING, fleet_of, one_object, spec_problems

# the API server's rule for an Ingress rule's host and a TLS entry's hosts (networking validation), written out
# here rather than read from the code under test: not an IP address (read sloppily: leading zeros too), and a
# DNS-1123 subdomain, or `*.` and one
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def server_is_ip(host: str) -> bool:
    parts = host.split(".")
    if len(parts) == 4 and all(p.isascii() and p.isdigit() and int(p) <= 255 for p in parts):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def server_accepts_host(host: str) -> bool:
    if server_is_ip(host) or len(host) > 253:
        return False
    return SUBDOMAIN.fullmatch(host.removeprefix("*.") if host.startswith("*.") else host) is not None


def exposed(host: str, tls: bool = True) -> dict[str, object]:
    return {**SERVING, "expose": {"host": host, **({"tlsSecret": "agents-tls"} if tls else {})}}


@pytest.mark.parametrize("host", ["10.0.0.1", "203.0.113.7", "010.000.000.001", "2001:db8::1", "[2001:db8::1]"])
def test_an_ip_address_as_the_exposed_host_is_refused_saying_to_name_it(host: str) -> None:
    assert spec_problems(exposed(host)) == [
        f"agents/worker.yaml: expose.host: '{host}' is an IP address, which the API server refuses here (an "
        "Ingress or route matches requests by host name); expected a DNS name whose record points at the address "
        "(e.g. 'agents.example.com')"
    ]


@pytest.mark.parametrize("host", ["agents.example.123", "*.10.0.0.1", "256.1.1.1"])
def test_a_host_ending_in_a_number_is_refused_as_no_domain_ends_so(host: str) -> None:
    (problem,) = spec_problems(exposed(host))
    last = host.rsplit(".", 1)[1]
    assert problem.startswith(
        f"agents/worker.yaml: expose.host: '{host}' ends in '{last}', but a top-level domain is never a number; "
        "expected a DNS name"
    )


@given(st.ip_addresses())
def test_every_ip_address_is_refused_as_the_exposed_host(address: IPAddress) -> None:
    (problem,) = spec_problems(exposed(str(address), tls=False))
    assert problem.startswith(f"agents/worker.yaml: expose.host: '{address}' is an IP address")


LABELS = st.sampled_from(["agents", "a", "x-1", "10", "0", "007", "255", "256", "1a", "*", "-a", "io", "com", "A"])


@given(st.lists(LABELS, min_size=1, max_size=5).map(".".join) | st.sampled_from(["a" * 63 + ".com", "a" * 250 + ".io"]))
def test_every_host_validate_accepts_is_one_the_server_takes_and_is_routed_as_written(host: str) -> None:
    try:
        fleet = fleet_of(exposed(host))
    except SpecError as err:
        (problem,) = err.problems
        assert problem.path == "expose.host" and problem.message.startswith(f"'{host}' ")
        return
    assert server_accepts_host(host)
    ingress = one_object(build(fleet), "Ingress")["spec"]
    assert [r["host"] for r in ingress["rules"]] == [host]
    assert ingress["tls"] == [{"hosts": [host], "secretName": "agents-tls"}]
