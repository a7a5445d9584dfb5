"""Every object name agentkube derives from an agent's name, with its kind, and the namespace it lives in.

The core names its objects with these functions, and `name_rules` holds each name `derived_names` lists to
its kind's limit (`spec.patterns.NAME_LIMITS`) and to one owner per namespace, so what is checked is what is
rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.agent import AgentSpec, Layer
from ..spec.stack import StackSettings

DIGEST_LENGTH = 10  # the content digest a versioned ConfigMap's name ends in
DIGEST_CHARACTERS = frozenset("0123456789abcdef")  # a digest is lowercase hex
DEFAULT_DENY = "default-deny-ingress"  # the NetworkPolicy that denies all ingress in each namespace
LAYER_LIMITS = "agentkube"  # each namespace's ResourceQuota and LimitRange


def namespace(layer: Layer, settings: StackSettings) -> str:
    """`<prefix>-<layer>`, or `<prefix>` alone when the stack folds layers: where the layer's agents live."""
    return settings.namespace if settings.fold_layers else f"{settings.namespace}-{layer}"


def config_map(agent: str) -> str:
    """The agent's ConfigMap (hot reload; a canary's stable track)."""
    return f"{agent}-config"


def versioned_config_map(agent: str, digest: str) -> str:
    """The immutable ConfigMap of one track, named by its content's digest."""
    return f"{config_map(agent)}-{digest[:DIGEST_LENGTH]}"


def config_secret(agent: str) -> str:
    """The Secret holding the agent's Pulumi config secrets."""
    return f"{agent}-secrets"


def track(agent: str, track_name: str) -> str:
    """The Deployment (and autoscaler) of one release track: the agent's own name for stable."""
    return agent if track_name == "stable" else f"{agent}-{track_name}"


def track_service(agent: str, track_name: str) -> str:
    """The Service selecting one track's pods (`stable`, `canary`, or `preview` for the inactive colour)."""
    return f"{agent}-{track_name}"


def analysis_template(agent: str) -> str:
    return f"{agent}-analysis"


def trigger_authentication(agent: str, index: int) -> str:
    """The TriggerAuthentication of trigger `index`."""
    return f"{agent}-trigger-{index}"


def headless_service(agent: str) -> str:
    """The StatefulSet's governing Service of a stateful agent: a DNS name per pod (`<agent>-0.<this>`)."""
    return f"{agent}-headless"


def cron_job(agent: str) -> str:
    """The CronJob of a scheduled job agent."""
    return agent


def recycler(agent: str) -> str:
    """The sandbox pool's recycler: its CronJob, ServiceAccount, Role and RoleBinding, and its pods' name label."""
    return f"{agent}-recycler"


@dataclass(frozen=True)
class DerivedName:
    """A name the core gives an object of the agent: `kind` is a Kubernetes kind, `label` (a label value) or
    `container`; a `hashed` name continues with a content digest."""

    kind: str
    name: str
    hashed: bool = False

    @property
    def length(self) -> int:
        return len(self.name) + (DIGEST_LENGTH if self.hashed else 0)

    def shown(self) -> str:
        return self.name + "<digest>" if self.hashed else self.name

    def matches(self, kind: str, name: str) -> bool:
        """Whether a rendered object of `kind` named `name` is this one."""
        if kind != self.kind:
            return False
        return name.startswith(self.name) and len(name) == self.length if self.hashed else name == self.name

    def overlaps(self, other: DerivedName) -> bool:
        """Whether this name and `other` can name one object: the same kind and name, digests included."""
        if self.hashed and other.hashed:
            return self.kind == other.kind and self.name == other.name
        hashed, plain = (self, other) if self.hashed else (other, self)
        digest = plain.name[len(hashed.name) :] if hashed.hashed else ""
        return hashed.matches(plain.kind, plain.name) and set(digest) <= DIGEST_CHARACTERS


def namespace_names() -> list[DerivedName]:
    """The objects agentkube gives every namespace it makes, besides its agents' (`core.layers`)."""
    return [
        DerivedName("NetworkPolicy", DEFAULT_DENY),
        DerivedName("ResourceQuota", LAYER_LIMITS),
        DerivedName("LimitRange", LAYER_LIMITS),
    ]


def derived_names(spec: AgentSpec) -> list[DerivedName]:
    """Every name the core may give an object of the agent, with its kind (never fewer than it renders)."""
    name = spec.name
    out = [DerivedName(k, name) for k in ("ServiceAccount", "container", "label", "NetworkPolicy")]
    out.append(DerivedName("CiliumNetworkPolicy", name))
    if spec.ports:
        out.append(DerivedName("Service", name))
    if any(item.config for item in spec.secrets):
        out.append(DerivedName("Secret", config_secret(name)))
    rollout, auto = spec.rollout, spec.scaling.autoscale
    configured = bool(spec.config.data) or any(
        c is not None and c.config is not None
        for c in (rollout.canary, *((rollout.blue_green.blue, rollout.blue_green.green) if rollout.blue_green else ()))
    )
    if configured:
        out.append(DerivedName("ConfigMap", config_map(name)))
        if rollout.strategy != "rolling":
            out.append(DerivedName("ConfigMap", f"{config_map(name)}-", hashed=True))
    if spec.kind == "job":
        if spec.job is not None and spec.job.schedule is not None:
            out.append(DerivedName("CronJob", cron_job(name)))
            return out
        out.append(DerivedName("ScaledJob", name))
        if auto:
            out += _trigger_auths(spec)
        return out
    tracks = [track(name, t) for t in _track_names(spec)]
    workload = "Rollout" if rollout.canary is not None and rollout.canary.traffic == "argo" else "Deployment"
    if spec.storage:
        workload = "StatefulSet"
        out.append(DerivedName("Service", headless_service(name)))
    out += [DerivedName(workload, t) for t in tracks]
    if auto:
        out += [DerivedName("ScaledObject" if auto.keda else "HorizontalPodAutoscaler", t) for t in tracks]
        out += _trigger_auths(spec)
    if spec.scaling.min >= 2:
        out.append(DerivedName("PodDisruptionBudget", name))
    if rollout.canary is not None and rollout.canary.traffic == "gateway":
        out += [DerivedName("Service", track_service(name, t)) for t in ("stable", "canary")]
        out.append(DerivedName("HTTPRoute", name))
    if workload == "Rollout":
        out.append(DerivedName("AnalysisTemplate", analysis_template(name)))
    if rollout.blue_green is not None and rollout.blue_green.preview:
        out.append(DerivedName("Service", track_service(name, "preview")))
    if spec.expose:
        out.append(DerivedName("Ingress", name))
    if spec.metrics:
        out.append(DerivedName("PodMonitor", name))
    if spec.sandbox and spec.sandbox.max_lifetime:
        kinds = ("ServiceAccount", "Role", "RoleBinding", "CronJob", "label")
        out += [DerivedName(k, recycler(name)) for k in kinds]
    return out


def _track_names(spec: AgentSpec) -> list[str]:
    rollout = spec.rollout
    if rollout.blue_green is not None:
        return ["blue", "green"]
    if rollout.canary is not None and rollout.canary.traffic != "argo":
        return ["stable", "canary"]
    return ["stable"]


def _trigger_auths(spec: AgentSpec) -> list[DerivedName]:
    auto = spec.scaling.autoscale
    triggers = auto.triggers if auto else []
    return [
        DerivedName("TriggerAuthentication", trigger_authentication(spec.name, i))
        for i, t in enumerate(triggers)
        if t.rabbitmq
    ]
