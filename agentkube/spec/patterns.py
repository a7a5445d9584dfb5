"""The Kubernetes grammars and limits the spec's fields feed, each pattern with the words an error uses instead
of the regular expression. Every field that becomes a Kubernetes name, key or label takes its grammar from
here (through the annotated types of `base`), and every name agentkube derives is held to `NAME_LIMITS`."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

DNS_LABEL = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
PORT_NAME = r"^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
CONFIG_KEY = r"^[A-Za-z][A-Za-z0-9_]*$"
# a Secret's or ConfigMap's data key: [-._a-zA-Z0-9]+, but not '.', '..' nor starting with '..'
DATA_KEY = r"^\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$"
VERSION = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
# a host an Ingress or HTTPRoute routes by: a DNS name (never an IP address, which the API server refuses there)
# ending in a top-level domain, which starts with a letter; '*.' only as the first label
HOST = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.[a-z]([-a-z0-9]*[a-z0-9])?$"
URL_PATH = r"^/"
HOST_PORT = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:[0-9]{1,5}$"
DNS_LABEL_MAX = 63  # a DNS-1123 (or DNS-1035) label
DNS_SUBDOMAIN_MAX = 253  # a DNS-1123 subdomain, and most object names
DATA_KEY_MAX = 253
LABEL_VALUE_MAX = 63
LABEL_VALUE = r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
PERCENT = r"^[0-9]+%$"
DURATION = r"^[0-9]+[smh]$"
POSITIVE_DURATION = r"^0*[1-9][0-9]*[smh]$"
PROMQL_METRIC = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
PROMQL_LABEL = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_URL_HOST = r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\[[0-9a-f:.]+\])"
SERVICE_URL = rf"^https?://{_URL_HOST}(:{_PORT})?/?$"  # a server's root: scheme, host, port; no path or query

WORDS = {
    DNS_LABEL: "a DNS label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with "
    "a letter or digit (e.g. 'research-agent')",
    DNS_SUBDOMAIN: "a DNS subdomain: lowercase DNS labels joined by '.', at most 253 characters (e.g. 'llm-keys' "
    "or 'keys.acme')",
    PORT_NAME: "at most 15 lowercase letters, digits and '-', starting with a letter (e.g. 'http')",
    ENV_NAME: "letters, digits and '_', not starting with a digit (e.g. 'OPENAI_API_KEY')",
    CONFIG_KEY: "letters, digits and '_', starting with a letter (e.g. 'searchApiKey')",
    DATA_KEY: "a Secret or ConfigMap key of letters, digits, '-', '_' and '.' (no '/'), not '.' and not "
    "starting with '..' (e.g. 'api-key' or 'agent.yaml')",
    VERSION: "letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. '1.4.2')",
    HOST: "a DNS name of lowercase labels with at least one dot, ending in a top-level domain (e.g. "
    "'agents.example.com'), optionally starting with '*.' (e.g. '*.example.com')",
    URL_PATH: "a path starting with '/' (e.g. '/health')",
    HOST_PORT: "a host name and a port (e.g. 'redis.infra.svc:6379')",
    PERCENT: "a whole percentage (e.g. '25%')",
    LABEL_VALUE: "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    DURATION: "a number of seconds, minutes or hours (e.g. '30s', '1m')",
    SERVICE_URL: "http://HOST:PORT or https://HOST:PORT, no path or query "
    "(e.g. 'http://prometheus.monitoring.svc:9090')",
    PROMQL_METRIC: "expected letters, digits, '_' and ':', not starting with a digit (e.g. 'agent_queue_depth')",
    PROMQL_LABEL: "expected letters, digits and '_', not starting with a digit (e.g. 'queue')",
    POSITIVE_DURATION: "a number above 0 of seconds, minutes or hours (e.g. '30s', '5m')",
}


@dataclass(frozen=True)
class NameLimit:
    """How long a name of one kind may be, and why in words when the reason is not the name's grammar."""

    max: int
    why: str = ""


DEFAULT_NAME_LIMIT = NameLimit(DNS_SUBDOMAIN_MAX)
NAME_LIMITS: dict[str, NameLimit] = {
    # the CronJob controller names each Job `<cronjob>-<11 digits>`, and a Job's name is a pod label
    "CronJob": NameLimit(52, "its Jobs add 11 characters and a Job name is a label value"),
    "Job": NameLimit(LABEL_VALUE_MAX, "a Job's name is a label value of its pods"),
    "Service": NameLimit(DNS_LABEL_MAX, "a Service name is a DNS-1035 label"),
    "Namespace": NameLimit(DNS_LABEL_MAX, "a namespace name is a DNS-1123 label"),
    "container": NameLimit(DNS_LABEL_MAX, "a container name is a DNS-1123 label"),
    # KEDA labels what it makes with the name (scaledobject.keda.sh/name, scaledjob.keda.sh/name)
    "ScaledObject": NameLimit(LABEL_VALUE_MAX, "KEDA puts the name in a label"),
    "ScaledJob": NameLimit(LABEL_VALUE_MAX, "KEDA puts the name in a label"),
    "label": NameLimit(LABEL_VALUE_MAX, "a label value"),
}


def name_limit(kind: str) -> NameLimit:
    """The longest name an object of `kind` may have (`label` for a label value, `container` for a container)."""
    return NAME_LIMITS.get(kind, DEFAULT_NAME_LIMIT)


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a label value (empty is one), in words; None when it is one."""
    if value and not re.fullmatch(LABEL_VALUE, value):
        return f"'{value}' is not a label value, expected {WORDS[LABEL_VALUE]}"
    return None


def host_problem(host: str) -> str | None:
    """Why `host` cannot be a host an Ingress or HTTPRoute routes by, when `HOST`'s words would not say it: an IP
    address (the API server reads leading zeros too), or a name ending in a number, as no top-level domain does."""
    parts = host.split(".")
    if _is_ip(host.strip("[]")) or (len(parts) == 4 and all(map(_is_ipv4_part, parts))):
        return (
            f"'{host}' is an IP address, which the API server refuses here (an Ingress or route matches requests by "
            "host name); expected a DNS name whose record points at the address (e.g. 'agents.example.com')"
        )
    if re.fullmatch(r"[0-9]+", parts[-1]):
        return f"'{host}' ends in '{parts[-1]}', but a top-level domain is never a number; expected {WORDS[HOST]}"
    return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_ipv4_part(text: str) -> bool:
    """A part of an IPv4 address as the API server reads one (leading zeros too)."""
    return text.isascii() and text.isdigit() and int(text) <= 255


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a Kubernetes label key (`[prefix/]name`), in words; None when it is one."""
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return f"'{key}' has an empty prefix before '/', expected a DNS subdomain there (e.g. 'acme.io/team') or no '/'"
    if prefix and (len(prefix) > 253 or not re.fullmatch(DNS_SUBDOMAIN.replace("[a-z]", "[a-z0-9]", 1), prefix)):
        return f"'{key}' has an invalid prefix '{prefix}', expected {WORDS[DNS_SUBDOMAIN]}"
    if not re.fullmatch(LABEL_VALUE, name):
        return f"'{key}' is not a label key, expected an optional DNS prefix and '/', then {WORDS[LABEL_VALUE]}"
    return None
