"""Hypothesis strategies for whole fleets: agent spec documents and stack settings as a user writes them,
spread over the spec language (ports, env, config, secrets by any key the Secret grammar allows, probes,
expose with TLS Secrets, MCP ports by name or number, metrics, long agent names near the limits of the names
derived from them, security opt-outs, every rollout strategy, KEDA scale to zero, job agents per task or on a
schedule, stateful agents with a volume per pod, egress hosts, addresses and ranges, the collector, exposed hosts,
label maps: node selectors, metric selectors, the stack's labels), so that what `validate` accepts can be put
before a real API server; now and then a value it must refuse (an IP address as the exposed host, a label outside
the grammar), which the server would refuse too; and fleets of plain rolling agents, over which the
core's invariants hold."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from hypothesis import strategies as st

NAME = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?", fullmatch=True)
PORT_NAME = st.sampled_from(["http", "grpc", "metrics", "admin", "mcp"])
ENV_NAME = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
TAG = st.one_of(
    st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,90}", fullmatch=True),
)
REGISTRY = st.sampled_from(["ghcr.io/acme", "registry.local:5000/acme", "localhost:5000", "docker.io/library"])
CPU = st.sampled_from(["50m", "100m", "250m", "1", "2"])
MEMORY = st.sampled_from(["64Mi", "256Mi", "1Gi", "3Gi"])
LABEL_TEXT = st.from_regex(r"[a-z0-9]([-a-z0-9_.]{0,20}[a-z0-9])?", fullmatch=True)
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")), max_size=10)
PATH = st.sampled_from(
    ["/etc/agent", "/tmp", "/config", "/var/run/secrets/agent", "/etc/agent/extra", "/etc/agentx", "/tmp/agent"]
)
# within the API server's grammars: a Secret's data key, a Secret's name (a DNS subdomain), an IngressClass
SECRET_KEY = st.from_regex(r"\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]{0,20}", fullmatch=True)
SUBDOMAIN = st.from_regex(r"[a-z]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,5}[a-z0-9])?){0,2}", fullmatch=True)
# labels as the API server takes them (`[prefix/]name` keys; values up to 63 characters, empty too), now and then
# one it refuses; a KEDA metric's selector keys are PromQL label names too
LABEL_KEY = st.one_of(
    LABEL_TEXT,
    st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?", fullmatch=True),
    st.builds(lambda prefix, name: f"{prefix}/{name}", SUBDOMAIN, LABEL_TEXT),
)
PROMQL_LABEL_KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}[A-Za-z0-9]", fullmatch=True)
LABEL_VALUE = st.one_of(
    st.just(""),
    LABEL_TEXT,
    st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", fullmatch=True),
)
REFUSED_LABELS = st.sampled_from([{"tier name": "a"}, {"/tier": "a"}, {"tier": "-a"}, {"tier": "a b"}, {"t": "v" * 64}])


@st.composite
def label_maps(
    draw: st.DrawFn, keys: st.SearchStrategy[str] = LABEL_KEY, max_size: int = 2, refused: bool = True
) -> dict[str, str]:
    """A map of labels; with `refused`, one time in twenty one the grammar refuses."""
    if refused and draw(st.integers(0, 19)) == 13:  # never the 0 hypothesis draws most
        return draw(REFUSED_LABELS)
    return draw(st.dictionaries(keys, LABEL_VALUE, max_size=max_size))


@st.composite
def queue_metric(draw: st.DrawFn, keda: bool) -> dict[str, Any]:
    """An external queue-depth metric, its selector a label map (of PromQL label names too, for KEDA); for an HPA
    its name is sometimes one the metrics API refuses."""
    selector = draw(label_maps(PROMQL_LABEL_KEY if keda else LABEL_KEY))
    names = ["agent_queue_depth"] if keda else ["agent_queue_depth", "nginx.ingress.requests", "queue/depth", ".."]
    return {"external": {"name": draw(st.sampled_from(names)), "selector": selector, "averageValue": "10"}}


# hosts an Ingress routes by: DNS names, a wildcard's first label; now and then an IP address, which the API server
# refuses there, or a name ending in a number, which no DNS name does
@st.composite
def exposed_hosts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 7:  # never the 0 hypothesis draws most
        return draw(st.one_of(st.ip_addresses().map(str), st.just("agents.example.42")))
    name = ".".join([*draw(st.lists(DNS, min_size=1, max_size=3)), draw(TLD)])
    return f"*.{name}" if draw(st.integers(0, 3)) == 0 else name


TRIGGER = st.sampled_from(
    [
        {"prometheus": {"query": "sum(agent_tasks_waiting)", "threshold": "5"}},
        {"prometheus": {"query": 'sum(agent_tasks_waiting{namespace="$namespace",queue=~"tasks$"})', "threshold": "5"}},
        {"prometheus": {"query": 'sum(agent_inflight{agent="${agent}",track="$track"})', "threshold": "2"}},
        {"redis": {"address": "redis.infra.svc:6379", "list": "tasks", "length": 3}},
        {"kafka": {"bootstrapServers": ["kafka.infra.svc:9092"], "topic": "tasks", "consumerGroup": "agents"}},
    ]
)

# PromQL as a user writes it: regexes with `$` anchors, braces, quotes, backslashes, `$1` of label_replace;
# never the letter k, so no `track="` matcher arises outside the placeholders (with traffic: argo it is rewritten)
PROMQL_CHAR = st.sampled_from(list("abcmnopqrsuvwxyzAEX_:019 {}()[]\"'=~!.^|\\,+-*/<>@\té"))
PROMQL_DOLLAR = st.sampled_from(['$"', "$)", "$|", "$1", "$ ", "$.", "$}", "$]", "$^"])
PROMQL_TEXT = st.lists(st.one_of(PROMQL_CHAR, PROMQL_CHAR, PROMQL_DOLLAR), max_size=24).map("".join)
PROMQL_NAME_START = re.compile(r"[A-Za-z0-9_]")


@st.composite
def promql_queries(draw: st.DrawFn, names: tuple[str, ...] = ("agent", "namespace", "track", "window")) -> list[str]:
    """A query as its parts: PromQL text, and agentkube's placeholders as `("$", name)`; join with `written`
    or `filled`. No text is a placeholder of ours or of another syntax (checked by the caller)."""
    parts: list[Any] = []
    for _ in range(draw(st.integers(1, 6))):
        if names and draw(st.booleans()):
            parts.append(("$", draw(st.sampled_from(names))))
        else:
            parts.append(draw(PROMQL_TEXT))
    return parts


def written(parts: list[Any]) -> str:
    """The query as the spec holds it: a placeholder before a name character is written `${name}`."""
    out = ""
    for i, part in enumerate(parts):
        if isinstance(part, tuple):
            after = next((p for p in parts[i + 1 :] if p), "")
            braced = isinstance(after, tuple) or PROMQL_NAME_START.match(after[:1]) is not None
            out += f"${{{part[1]}}}" if braced else f"${part[1]}"
        else:
            out += part
    return out


def filled(parts: list[Any], values: dict[str, str]) -> str:
    """The query as agentkube must send it: each placeholder its value, every other character as written."""
    return "".join(values[p[1]] if isinstance(p, tuple) else p for p in parts)


@st.composite
def long_names(draw: st.DrawFn, low: int = 1, high: int = 56) -> str:
    """Agent names of every length from `low` to `high`, often near the limits of the names derived from them."""
    near = [n for n in (41, 42, 43, 44, 49, 50, 51) if low <= n <= high]
    length = draw(st.integers(low, high) | st.sampled_from(near or [low]))
    inner = draw(st.text(st.sampled_from("abz09-"), min_size=max(length - 2, 0), max_size=max(length - 2, 0)))
    return draw(st.sampled_from("akz")) + inner + ("" if length == 1 else draw(st.sampled_from("az9")))


@st.composite
def triggers(draw: st.DrawFn) -> dict[str, Any]:
    """A KEDA trigger; a RabbitMQ one reads its URL from any Secret key the grammar allows."""
    if draw(st.integers(0, 3)) == 0:
        return {"rabbitmq": {"queue": "tasks", "hostFromSecret": {"name": draw(SUBDOMAIN), "key": draw(SECRET_KEY)}}}
    return draw(TRIGGER)


SCHEDULE = st.sampled_from(["0 2 * * *", "*/15 * * * *", "0 9-17/2 * * MON-FRI", "30 4 1,15 * *", "@hourly", "@daily"])
STORAGE_SIZE = st.sampled_from(["1Gi", "10Gi", "512Mi", "1.5Gi"])
STORAGE_PATH = st.sampled_from(["/data", "/var/lib/agent", "/qdrant/storage", "/etc/agent"])  # the last: config's


@st.composite
def schedule(draw: st.DrawFn) -> dict[str, Any]:
    """A scheduled job's `job` block: a CronJob, with or without its optional settings."""
    block: dict[str, Any] = {"schedule": draw(SCHEDULE)}
    if draw(st.booleans()):
        block["timeZone"] = draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]))
    if draw(st.booleans()):
        block["concurrency"] = draw(st.sampled_from(["Forbid", "Replace"]))
    if draw(st.booleans()):
        block["startingDeadlineSeconds"] = draw(st.integers(10, 600))
    if draw(st.booleans()):
        block |= {"activeDeadlineSeconds": draw(st.integers(60, 3600)), "retries": draw(st.integers(0, 5))}
    return block


@st.composite
def storage(draw: st.DrawFn) -> dict[str, Any]:
    """A stateful agent's `storage`: a claim per pod of its StatefulSet."""
    block: dict[str, Any] = {"size": draw(STORAGE_SIZE), "mountPath": draw(STORAGE_PATH)}
    if draw(st.booleans()):
        block["accessMode"] = draw(st.sampled_from(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]))
    if draw(st.integers(0, 3)) == 0:
        block["storageClass"] = "standard"
    return block


# egress entries: (kind, text, target, port); kind "host" (target: the name), "network" (target: the range as
# agentkube must render it) or "refused". Ranges no policy may open, and the carrier-grade NAT range that
# fleets() never names (so the property "nothing reaches 100.64.0.1" holds over its fleets):
NEVER = [ipaddress.ip_network(c) for c in ("127.0.0.0/8", "169.254.0.0/16", "::1/128", "::ffff:0:0/96", "fe80::/10")]
NEVER += [ipaddress.ip_network("fd00:ec2::254/128")]
CARRIER_GRADE = ipaddress.ip_network("100.64.0.0/10")
EGRESS_PORT = st.one_of(st.none(), st.integers(1, 65535))
DNS = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
TLD = st.sampled_from(["com", "io", "co", "org", "ai", "de"])


def _with_port(host: str, port: int | None, v6: bool = False) -> str:
    if port is None:
        return host
    return f"[{host}]:{port}" if v6 else f"{host}:{port}"


@st.composite
def host_entries(draw: st.DrawFn) -> tuple[str, str, Any, int]:
    labels = draw(st.lists(DNS, min_size=1, max_size=3))
    name = ".".join(labels) + "." + draw(TLD)
    if draw(st.booleans()):
        name = "*." + name
    port = draw(EGRESS_PORT)
    return "host", _with_port(name, port), name, port or 443


@st.composite
def network_entries(draw: st.DrawFn, allow: bool = True) -> tuple[str, str, Any, int]:
    """An IP address or range; `allow` False: only ones agentkube accepts and outside carrier-grade NAT."""
    v6 = draw(st.booleans())
    address = draw(st.ip_addresses(v=6 if v6 else 4))
    prefix = draw(st.one_of(st.none(), st.integers(0, 128 if v6 else 32)))
    network = ipaddress.ip_network(f"{address}/{prefix if prefix is not None else (128 if v6 else 32)}", strict=False)
    text = str(network.network_address) if prefix is None else str(network)
    port = draw(EGRESS_PORT)
    entry = _with_port(text, port, v6) if v6 or prefix is None else _with_port(text, port)
    never = any(network.version == n.version and network.subnet_of(n) for n in NEVER)  # type: ignore[arg-type]
    cgnat = network.version == 4 and network.subnet_of(CARRIER_GRADE)  # type: ignore[arg-type]
    if not allow and (never or cgnat):
        entry, network, never = "203.0.113.9", ipaddress.ip_network("203.0.113.9/32"), False
        port = None
    return ("refused" if never else "network"), entry, str(network), port or 443


REFUSED = st.one_of(
    st.builds(lambda a: ("refused", str(a), None, 0), st.ip_addresses(network="169.254.0.0/16")),
    st.builds(lambda a: ("refused", str(a), None, 0), st.ip_addresses(network="127.0.0.0/8")),
    st.builds(lambda a: ("refused", f"::ffff:{a}", None, 0), st.ip_addresses(v=4)),
    st.builds(lambda a: ("refused", f"[{a}]:443", None, 0), st.ip_addresses(network="fe80::/10")),
    st.builds(lambda n, ns: ("refused", f"{n}.{ns}.svc:5432", None, 0), DNS, DNS),
    st.builds(lambda n, ns: ("refused", f"{n}.{ns}.svc.cluster.local", None, 0), DNS, DNS),
    st.builds(lambda n: ("refused", f"{n}.agentkube-infrastructure:5432", None, 0), DNS),
    st.builds(lambda n: ("refused", n, None, 0), DNS),
    st.builds(lambda n: ("refused", f"https://{n}.example.com", None, 0), DNS),
    st.builds(lambda n: ("refused", f"{n}.example.com/v1", None, 0), DNS),
    st.builds(lambda p: ("refused", f"api.example.com:{p}", None, 0), st.integers(65536, 99999)),
    st.just(("refused", "api.example.com:0", None, 0)),
    st.builds(lambda a: ("refused", f"{a}/8", None, 0), st.ip_addresses(v=4).filter(lambda a: int(a) & 0xFFFFFF)),
)


def egress_entries(with_refused: bool = False) -> st.SearchStrategy[tuple[str, str, Any, int]]:
    """Egress entries of every kind with what they mean; with_refused: also entries to refuse."""
    accepted = st.one_of(host_entries(), network_entries(allow=with_refused))
    return st.one_of(accepted, accepted, REFUSED) if with_refused else accepted


@st.composite
def images(draw: st.DrawFn, name: str) -> str:
    ref = f"{draw(REGISTRY)}/{name}"
    if draw(st.booleans()):
        ref += f":{draw(TAG)}"
    if not ref.count(":") - ref.split("/")[0].count(":") or draw(st.booleans()):
        ref += "@sha256:" + draw(st.from_regex(r"[a-f0-9]{64}", fullmatch=True))
    return ref


CHECK_QUERIES = [
    'sum(rate(http_requests_total{namespace="$namespace",agent="$agent",track="$track",code=~"5..$"}[$window]))',
    'max(label_replace(agent_queue_wait_seconds{agent="$agent",track="$track"}, "q", "$1", "queue", "(.*)$"))',
    'avg(agent_score{agent="${agent}",track="${track}",model!~"^test-.*$"}) or vector(0)',
]


@st.composite
def check(draw: st.DrawFn) -> dict[str, Any]:
    """A canary check: a builtin or a query of ours (with `$` anchors), and bounds that can pass."""
    builtin = draw(st.sampled_from(["errorRate", "latencyP95", "tokensPerRequest", "evalScore", None]))
    out: dict[str, Any] = (
        {"builtin": builtin} if builtin else {"name": "custom", "query": draw(st.sampled_from(CHECK_QUERIES))}
    )
    ceiling = 1.0 if builtin == "errorRate" else 1000.0
    low, high = sorted(draw(st.floats(0, ceiling, allow_nan=False)) for _ in range(2))
    bounds = draw(st.sets(st.sampled_from(["min", "max", "maxRatioToStable", "minRatioToStable"]), min_size=1))
    values = {
        "min": low,
        "max": high,
        "minRatioToStable": 0.5 + low / ceiling,
        "maxRatioToStable": 1.5 + high / ceiling,
    }
    return out | {b: values[b] for b in sorted(bounds)}


@st.composite
def probe(draw: st.DrawFn, ports: list[dict[str, Any]]) -> dict[str, Any]:
    kinds = ["exec"] + (["http", "tcp", "grpc"] if ports else [])
    kind = draw(st.sampled_from(kinds))
    timing = {"periodSeconds": draw(st.integers(1, 30)), "failureThreshold": draw(st.integers(1, 10))}
    if kind == "exec":
        return {"exec": {"command": ["/bin/check"]}, **timing}
    port = draw(st.sampled_from(ports))
    ref = port["name"] if draw(st.booleans()) else port["port"]
    handler: dict[str, Any] = {"port": ref}
    if kind == "http":
        handler["path"] = draw(st.sampled_from(["/", "/health", "/ready"]))
    return {kind: handler, **timing}


@st.composite
def keda_autoscale(draw: st.DrawFn, job: bool) -> dict[str, Any]:
    """Scaling by KEDA: from zero on a queue-depth metric or triggers (and, for a service, maybe cpu too)."""
    auto: dict[str, Any] = {"min": draw(st.integers(0, 1)) if not job else 0, "max": draw(st.integers(1, 6))}
    if draw(st.booleans()):
        auto["metrics"] = [draw(queue_metric(keda=True))]
    if "metrics" not in auto or draw(st.booleans()):
        auto["triggers"] = draw(st.lists(triggers(), min_size=1, max_size=2))
    if not job and draw(st.booleans()):
        auto["cpu"] = draw(st.integers(50, 90))
    if not job and draw(st.booleans()):
        auto["scaleDown"] = {"stabilizationSeconds": draw(st.integers(0, 600))}
    if auto["min"] == 0 and not job and draw(st.booleans()):  # KEDA's wait before going to 0: with min 0 only
        auto["cooldownSeconds"] = draw(st.integers(0, 600))
    return auto


@st.composite
def agent(draw: st.DrawFn, name: str, callable_agents: list[str], keda: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "image": draw(images(name)),
        "layer": draw(st.sampled_from(["orchestration", "agent-pool", "infrastructure"])),
        "resources": {"requests": {"cpu": draw(CPU), "memory": draw(MEMORY)}},
    }
    scaled_by_keda = keda and draw(st.integers(0, 2)) == 0  # a third of the agents of a KEDA stack
    job = scaled_by_keda and draw(st.booleans())
    scheduled = not scaled_by_keda and draw(st.integers(0, 5)) == 0  # a CronJob, in any stack
    if job:  # a task per Job from a queue: no ports, always rolled out gradually
        spec["kind"] = "job"
        if draw(st.booleans()):
            spec["job"] = {"activeDeadlineSeconds": draw(st.integers(60, 3600)), "retries": draw(st.integers(0, 5))}
    if scheduled:
        spec |= {"kind": "job", "job": draw(schedule())}
    port_names = [] if job or scheduled else draw(st.lists(PORT_NAME, max_size=3, unique=True))
    ports = [{"name": n, "port": draw(st.integers(1024, 65535))} for n in port_names]
    if ports:
        spec["ports"] = ports
    if scaled_by_keda:
        spec["scaling"] = {"autoscale": draw(keda_autoscale(job))}
    elif not scheduled and draw(st.booleans()):
        low = draw(st.integers(1, 4))
        spec["scaling"] = {"autoscale": {"min": low, "max": low + draw(st.integers(0, 6))}}
        if draw(st.integers(0, 2)) == 0:  # an HPA's external metric, matched by its selector
            spec["scaling"]["autoscale"]["metrics"] = [draw(queue_metric(keda=False))]
    elif not scheduled:  # a CronJob runs a Job per scheduled time: no replicas
        spec["scaling"] = {"replicas": draw(st.integers(0, 4))}
    if draw(st.booleans()):
        spec["env"] = draw(st.dictionaries(ENV_NAME, TEXT, max_size=3))
    if draw(st.booleans()):
        keys = st.one_of(ENV_NAME, st.sampled_from(["agent.yaml", "prompts.txt", "model"]))
        spec["config"] = {
            "reload": draw(st.sampled_from(["hot", "restart"])),
            "mountPath": draw(PATH),
            "data": draw(st.dictionaries(keys, TEXT, min_size=1, max_size=3)),
        }
    secrets = []
    for i in range(draw(st.integers(0, 2))):
        item: dict[str, Any] = {"env": draw(ENV_NAME)} if draw(st.booleans()) else {"path": f"{draw(PATH)}/key{i}"}
        if draw(st.booleans()):
            item["secretRef"] = {"name": draw(SUBDOMAIN), "key": draw(SECRET_KEY)}
        else:
            item["config"] = "searchApiKey"
        secrets.append(item)
    if secrets:
        spec["secrets"] = secrets
    if draw(st.booleans()):
        spec["health"] = {
            kind: draw(probe(ports)) for kind in draw(st.sets(st.sampled_from(["readiness", "liveness"])))
        }
    if ports and draw(st.booleans()):
        spec["expose"] = {"host": draw(exposed_hosts()), "port": draw(st.sampled_from(ports))["name"]}
        if draw(st.booleans()):
            spec["expose"]["tlsSecret"] = draw(SUBDOMAIN)
    if ports and draw(st.integers(0, 3)) == 0:
        port = draw(st.sampled_from(ports))
        spec["mcp"] = {} if draw(st.booleans()) else {"port": draw(st.sampled_from([port["name"], port["port"]]))}
    if ports and draw(st.booleans()):
        spec["metrics"] = {"port": draw(st.sampled_from(ports))["name"]}
    if draw(st.integers(0, 4)) == 0:
        spec["scheduling"] = {"nodeSelector": draw(label_maps(max_size=3))}
    if draw(st.integers(0, 4)) == 0:
        spec["security"] = draw(
            st.sampled_from(
                [
                    {"addCapabilities": ["NET_BIND_SERVICE"]},
                    {"addCapabilities": ["SYS_ADMIN"]},
                    {"seccompProfile": "Unconfined"},
                    {"readOnlyRootFilesystem": False},
                    {"runAsUser": 0, "runAsNonRoot": False},
                    {"allowPrivilegeEscalation": True},
                ]
            )
        )
    if draw(st.integers(0, 2)) == 0:
        spec["egress"] = sorted({e[1] for e in draw(st.lists(egress_entries(), max_size=3))})
    if callable_agents and draw(st.booleans()):
        spec["dependsOn"] = draw(st.lists(st.sampled_from(callable_agents), unique=True, max_size=2))
    strategy = "rolling" if job or scheduled else draw(st.sampled_from(["rolling", "rolling", "canary", "blue-green"]))
    fixed = "replicas" in spec.get("scaling", {})
    if not (job or scheduled) and strategy == "rolling" and fixed and draw(st.booleans()):
        spec["storage"] = draw(storage())  # a StatefulSet: fixed replicas, rolled out in place
    candidate = {"image": draw(images(name))}
    if strategy == "canary":
        traffic = draw(st.sampled_from(["replicas", "gateway"] + (["argo"] if ports else [])))
        canary: dict[str, Any] = {**candidate, "weight": draw(st.integers(0, 100)), "traffic": traffic}
        if traffic == "argo":
            canary["analysis"] = {"errorRate": {"max": 0.05, "query": "sum(rate(errors[1m]))"}}
        if draw(st.booleans()):
            checks = draw(st.lists(check(), min_size=1, max_size=3, unique_by=lambda c: c.get("name") or c["builtin"]))
            canary["analysis"] = {**canary.get("analysis", {}), "metrics": checks}
            canary["analysis"]["window"] = draw(st.sampled_from(["30s", "5m", "1h", "01m"]))
            canary["analysis"]["interval"] = draw(st.sampled_from(["10s", "1m", "2m"]))
        if traffic == "gateway" and not ports:
            canary["traffic"] = "replicas"
        spec["rollout"] = {"strategy": "canary", "canary": canary}
    elif strategy == "blue-green":
        spec["rollout"] = {"strategy": "blue-green", "blueGreen": {"active": "blue", "blue": candidate}}
    return spec


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(agent spec documents, stack settings) of a small fleet."""
    names = draw(st.lists(NAME | long_names(40, 50), min_size=1, max_size=4, unique=True))
    keda = draw(st.booleans())
    specs: list[dict[str, Any]] = []
    for name in names:
        callable_agents = [s["name"] for s in specs if s.get("ports")]
        specs.append(draw(agent(name, callable_agents, keda)))
    settings: dict[str, Any] = {"foldLayers": draw(st.booleans()), "prometheusOperator": draw(st.booleans())}
    if keda:
        settings["keda"] = True
    if draw(st.booleans()):
        settings["labels"] = draw(label_maps(refused=False))  # settings are checked before any fleet
    if draw(st.booleans()):
        settings["ingressClass"] = draw(SUBDOMAIN)
    if draw(st.booleans()):
        settings["otelEndpoint"] = draw(st.sampled_from(COLLECTORS))
    if any((s.get("rollout") or {}).get("canary", {}).get("traffic") == "gateway" for s in specs):
        settings["gateway"] = {"name": "public", "namespace": "gateways"}
    return specs, settings


COLLECTORS = [
    "http://otel-collector.observability:4318",
    "http://otel-collector.observability.svc:4318",
    "http://otel.observability.svc.cluster.local:4317",
    "https://otel.example.com",
    "http://10.0.5.4:4318",
    "http://[2001:db8::7]:4318",
]
PLAIN_NAME = st.from_regex(r"[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,8})?", fullmatch=True)
PLAIN_CPU = st.sampled_from(["50m", "100m", "250m", "1", "2", "1500m"])
PLAIN_MEMORY = st.sampled_from(["64Mi", "256Mi", "1Gi", "3Gi", "512M"])


@st.composite
def plain_fleet_specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Agent spec documents of a small fleet of plain rolling agents: ports, replicas or autoscale, resources
    (quantities in both notations) and dependencies, none of rollouts, KEDA or the runtime options."""
    names = draw(st.lists(PLAIN_NAME, min_size=1, max_size=4, unique=True))
    out = []
    for i, name in enumerate(names):
        spec: dict[str, Any] = {
            "name": name,
            "image": f"ghcr.io/acme/{name}:1.{i}",
            "layer": draw(st.sampled_from(["orchestration", "agent-pool", "infrastructure"])),
        }
        if draw(st.booleans()):
            spec["ports"] = [{"name": "http", "port": draw(st.integers(1024, 65535))}]
        if draw(st.booleans()):
            low = draw(st.integers(1, 5))
            spec["scaling"] = {"autoscale": {"min": low, "max": low + draw(st.integers(0, 10))}}
        else:
            spec["scaling"] = {"replicas": draw(st.integers(0, 6))}
        cpu = draw(PLAIN_CPU)
        spec["resources"] = {"requests": {"cpu": cpu, "memory": draw(PLAIN_MEMORY)}}
        earlier = [s["name"] for s in out if "ports" in s]
        if earlier:
            spec["dependsOn"] = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))
        out.append(spec)
    return out
