"""The text patterns of the spec, each with the words an error uses instead of the regular expression."""

from __future__ import annotations

import re

DNS_LABEL = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
PORT_NAME = r"^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
CONFIG_KEY = r"^[A-Za-z][A-Za-z0-9_]*$"
CONFIGMAP_KEY = r"^([-_a-zA-Z0-9][-._a-zA-Z0-9]*|\.[-_a-zA-Z0-9][-._a-zA-Z0-9]*|\.\.[-._a-zA-Z0-9]+)$"  # not . or ..
VERSION = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
HOST = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
URL_PATH = r"^/"
HOST_PORT = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:[0-9]{1,5}$"
LABEL_VALUE = r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
PERCENT = r"^[0-9]+%$"
DURATION = r"^[0-9]+[smh]$"

WORDS = {
    DNS_LABEL: "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit "
    "(e.g. 'research-agent')",
    DNS_SUBDOMAIN: "lowercase DNS labels joined by '.' (e.g. 'llm-keys' or 'keys.acme')",
    PORT_NAME: "at most 15 lowercase letters, digits and '-', starting with a letter (e.g. 'http')",
    ENV_NAME: "letters, digits and '_', not starting with a digit (e.g. 'OPENAI_API_KEY')",
    CONFIG_KEY: "letters, digits and '_', starting with a letter (e.g. 'searchApiKey')",
    CONFIGMAP_KEY: "a file name of letters, digits, '-', '_' and '.' (e.g. 'agent.yaml')",
    VERSION: "letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. '1.4.2')",
    HOST: "a DNS name with at least one dot, optionally starting with '*.' (e.g. 'agents.example.com')",
    URL_PATH: "a path starting with '/' (e.g. '/health')",
    HOST_PORT: "a host name and a port (e.g. 'redis.infra.svc:6379')",
    PERCENT: "a whole percentage (e.g. '25%')",
    LABEL_VALUE: "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    DURATION: "a number of seconds, minutes or hours (e.g. '30s', '1m')",
}


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a Kubernetes label key (`[prefix/]name`), in words; None when it is one."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not re.fullmatch(DNS_SUBDOMAIN.replace("[a-z]", "[a-z0-9]", 1), prefix)):
        return f"'{key}' has an invalid prefix '{prefix}', expected {WORDS[DNS_SUBDOMAIN]}"
    if not re.fullmatch(LABEL_VALUE, name):
        return f"'{key}' is not a label key, expected an optional DNS prefix and '/', then {WORDS[LABEL_VALUE]}"
    return None
