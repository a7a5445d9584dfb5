"""The spec's shared vocabulary: the strict `Model` base and the annotated types several models use."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .image import check_image
from .patterns import (
    DATA_KEY,
    DATA_KEY_MAX,
    DNS_LABEL,
    DNS_SUBDOMAIN,
    DNS_SUBDOMAIN_MAX,
    ENV_NAME,
    HOST,
    PORT_NAME,
    host_problem,
    label_key_problem,
    label_value_problem,
)


def _absolute(path: str) -> str:
    if not path.startswith("/") or path.rstrip("/") == "":
        raise ValueError(f"'{path}' must be an absolute path below / such as /etc/agent")
    if any(part in ("", ".", "..") for part in path.rstrip("/").split("/")[1:]):
        raise ValueError(f"'{path}' has an empty, '.' or '..' part, expected a plain absolute path such as /etc/agent")
    return path.rstrip("/")


AbsPath = Annotated[str, AfterValidator(_absolute)]
Image = Annotated[str, AfterValidator(check_image)]


def _no_control_characters(text: str) -> str:
    bad = next((c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise ValueError(
            f"contains the control character U+{ord(bad):04X}, which YAML tools such as `kubectl apply -f` refuse; "
            "expected printable text"
        )
    return text


Text = Annotated[str, AfterValidator(_no_control_characters)]
EnvName = Annotated[str, Field(pattern=ENV_NAME)]
DataKey = Annotated[str, Field(pattern=DATA_KEY, max_length=DATA_KEY_MAX)]
"""A key of a Secret's or ConfigMap's data."""
DnsLabel = Annotated[str, Field(pattern=DNS_LABEL)]
"""A DNS-1123 label: a namespace, a Service (the pattern holds it to 63 characters)."""
DnsSubdomain = Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=DNS_SUBDOMAIN_MAX)]
"""A DNS-1123 subdomain: the name of most objects (a Secret, an IngressClass, a RuntimeClass)."""


def _label_key(key: str) -> str:
    if why := label_key_problem(key):
        raise ValueError(why)  # as a map's key, the error says "key" itself
    return key


def _label_value(value: str) -> str:
    if why := label_value_problem(value):
        raise ValueError(why)
    return value


LabelKey = Annotated[str, AfterValidator(_label_key)]
"""A label (or annotation) key: `[DNS-subdomain prefix/]name`."""
LabelValue = Annotated[str, AfterValidator(_label_value)]
"""A label value: empty, or at most 63 letters, digits, '-', '_' and '.'."""
LabelMap = dict[LabelKey, LabelValue]
"""Labels, or the labels a selector matches: every map of them the spec and the stack take (a node selector,
a metric's selector, the labels of every object) is checked by this one rule."""
PortRef = int | Annotated[str, Field(pattern=PORT_NAME)]


def _metric_name(name: str) -> str:
    if not name or "/" in name or "%" in name or name in (".", ".."):
        raise ValueError(
            f"'{name}' is not a metric name the autoscaling API takes: expected a non-empty name without '/' or "
            "'%', not '.' or '..' (e.g. 'agent_queue_depth')"
        )
    return name


MetricName = Annotated[str, AfterValidator(_metric_name)]
"""A custom or external metric's name: one segment of the metrics API's path, as the HPA's validation has it."""


def _host_name(host: object) -> object:
    if isinstance(host, str) and (why := host_problem(host)):
        raise ValueError(why)
    return host


HostName = Annotated[str, Field(pattern=HOST, max_length=DNS_SUBDOMAIN_MAX), BeforeValidator(_host_name)]
"""A host an Ingress rule, its TLS entry or an HTTPRoute routes by: a DNS name, never an IP address (the pattern
keeps it in the schema; the validator, run first, says why an address or a number is none)."""


class Model(BaseModel):
    """Strict base: unknown fields are errors, YAML uses camelCase, values are immutable."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)
