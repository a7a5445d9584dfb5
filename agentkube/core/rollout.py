"""Release strategies: which tracks (versions) an agent runs, with what share, behind which Services."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..spec import placeholders
from ..spec.agent import AgentSpec
from ..spec.delivery import Candidate
from . import naming
from .analysis import ARGO_TRACKS, CANARY, argo_metrics, filled
from .autoscaler import autoscaler, replicas
from .cronjob import cron_job
from .keda import scaled_job, trigger_authentications
from .network import service
from .statefulset import headless_service, stateful_set
from .workload import config_map, config_map_name, deployment

ARGO = "argoproj.io/v1alpha1"


@dataclass(frozen=True)
class Track:
    """One running version of an agent: a Deployment (or Argo Rollout) of its own."""

    name: str  # object name
    track: str  # stable | canary | blue | green
    spec: AgentSpec  # the agent as this track runs it (image, version, config)
    replicas: int | None  # None: the autoscaler (HPA or KEDA) decides, within `bounds`
    weight: int  # percent of traffic
    bounds: tuple[int, int] | None = None  # the autoscaler's min and max; None: the spec's

    @property
    def min_pods(self) -> int:
        if self.replicas is not None:
            return self.replicas
        return self.bounds[0] if self.bounds else self.spec.scaling.min

    @property
    def max_pods(self) -> int:
        if self.replicas is not None:
            return self.replicas
        return self.bounds[1] if self.bounds else self.spec.scaling.max

    def summary(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "version": self.spec.resolved_version,
            "image": self.spec.image,
            "weight": self.weight,
        }


def as_candidate(spec: AgentSpec, candidate: Candidate) -> AgentSpec:
    """The agent running the candidate's image, version and (if given) config."""
    return spec.model_copy(
        update={"image": candidate.image, "version": candidate.version, "config": candidate.config or spec.config}
    )


def canary_split(total: int, weight: int) -> tuple[int, int]:
    """(stable, canary) pods for `total` at `weight`%: a canary pod from 1%, a stable pod below 100%."""
    canary = 0 if weight == 0 else max(1, math.ceil(total * weight / 100))
    stable = 0 if weight == 100 else max(total - canary, 1)
    return stable, canary


def tracks(spec: AgentSpec) -> list[Track]:
    """The agent's tracks, stable (or active colour) first."""
    rollout = spec.rollout
    if spec.scheduled and spec.job is not None:  # a CronJob: no pods between runs, at most `runs_at_once` in them
        return [Track(spec.name, "stable", spec, None, 100, (0, spec.job.runs_at_once))]
    if rollout.canary is not None:
        canary = rollout.canary
        candidate = as_candidate(spec, canary)
        if canary.traffic == "argo":  # one Rollout object; Argo shifts the weight itself
            return [Track(spec.name, "stable", candidate, replicas(spec), 100)]
        auto, weight, gateway = spec.scaling.autoscale, canary.weight, canary.traffic == "gateway"
        if auto:  # two autoscalers: the candidate's share of the pods on top of stable's minimum, by weight at max
            c_min, c_max = canary_split(auto.min, weight)[1], canary_split(auto.max, weight)[1]
            if auto.min == 0:  # scaled to zero, both tracks are: KEDA wakes each on the same triggers
                c_min = 0
            # the route splits traffic by itself: stable keeps its full capacity until 100%
            s_max = auto.max if gateway else max(auto.max - c_max, auto.min)
            stable = Track(spec.name, "stable", spec, None, 100 - weight, (auto.min, s_max)) if weight < 100 else None
            canary_track = Track(
                object_names.track(spec.name, "canary"), "canary", candidate, None, weight, (c_min, c_max)
            )
        else:
            stable_n, canary_n = canary_split(spec.scaling.replicas, weight)
            if gateway:  # the route splits traffic: stable keeps full capacity until 100%
                stable_n = 0 if weight == 100 else spec.scaling.replicas
            stable = Track(spec.name, "stable", spec, stable_n, 100 - weight)
            canary_track = Track(object_names.track(spec.name, "canary"), "canary", candidate, canary_n, weight)
        if stable is None:  # weight 100 with an autoscaler: the stable Deployment runs no pods
            stable = Track(spec.name, "stable", spec, 0, 0)
        return [stable, canary_track] if weight > 0 else [stable]
    if rollout.blue_green is not None:
        bg = rollout.blue_green
        colours = sorted(("blue", "green"), key=lambda c: c != bg.active)
        return [
            Track(
                object_names.track(spec.name, c),
                c,
                as_candidate(spec, cand),
                replicas(spec),
                100 if c == bg.active else 0,
            )
            for c in colours
            if (cand := getattr(bg, c)) is not None
        ]
    return [Track(spec.name, "stable", spec, replicas(spec), 100)]


def track_config(track: Track, fleet: Fleet) -> dict[str, Any] | None:
    """The ConfigMap a track mounts, named by `config_name`."""
    if _shares_agent_config(track):
        return config_map(track.spec, fleet)
    return config_map(track.spec, fleet, name=config_name(track), immutable=True)


def config_name(track: Track) -> str:
    """A canary's stable track keeps the agent's own ConfigMap, as under `rolling` (hot reload works, and
    starting, aborting or promoting a canary never restarts a stable pod for a config name); every other
    track mounts an immutable ConfigMap named by its content, so each track keeps the config of its version."""
    if _shares_agent_config(track):
        return config_map_name(track.spec)
    return object_names.versioned_config_map(track.spec.name, naming.content_hash(track.spec.config.data))


def _shares_agent_config(track: Track) -> bool:
    canary = track.spec.rollout.canary
    return track.track == "stable" and canary is not None and canary.traffic != "argo"


def workload_objects(spec: AgentSpec, fleet: Fleet) -> list[dict[str, Any]]:
    """ConfigMaps, Services, Deployments (or Rollout, a stateful agent's StatefulSet, a job agent's ScaledJob or
    CronJob) and autoscalers of every track, after the TriggerAuthentications their KEDA triggers use."""
    settings = fleet.settings
    all_tracks = tracks(spec)
    auths = trigger_authentications(spec, settings)
    if spec.kind == "job":
        runner = cron_job(spec, fleet) if spec.scheduled else scaled_job(spec, fleet)
        return [o for o in (config_map(spec, fleet), *auths, runner) if o is not None]
    if spec.storage is not None:  # validation keeps a stateful agent rolling, at a fixed replica count
        pods = stateful_set(spec, fleet, spec.scaling.replicas)
        return [o for o in (config_map(spec, fleet), service(spec, fleet), headless_service(spec, fleet), pods) if o]
    if spec.rollout.strategy == "rolling":
        track = all_tracks[0]
        return [
            o
            for o in (
                config_map(spec, fleet),
                service(spec, fleet),
                *auths,
                deployment(spec, fleet, replicas=track.replicas, extra_labels={naming.TRACK: "stable"}),
                autoscaler(spec, settings),
            )
            if o is not None
        ]
    configs = {c["metadata"]["name"]: c for t in all_tracks if (c := track_config(t, fleet))}
    out: list[dict[str, Any]] = list(configs.values())
    out += _services(spec, fleet, all_tracks)
    out += auths
    canary = spec.rollout.canary
    if canary is not None and canary.traffic == "argo":
        return out + argo_objects(spec, all_tracks[0], fleet)
    for track in all_tracks:
        out.append(
            deployment(
                track.spec,
                fleet,
                name=track.name,
                replicas=track.replicas,
                extra_labels={naming.TRACK: track.track},
                config_map=config_name(track),
            )
        )
        if track.replicas is None and (
            auto := autoscaler(track.spec, settings, target=track.name, bounds=track.bounds, track=track.track)
        ):
            out.append(auto)
    if canary is not None and canary.traffic == "gateway":
        out.append(http_route(spec, fleet, 100 - canary.weight, canary.weight))
    return out


def _services(spec: AgentSpec, fleet: Fleet, all_tracks: list[Track]) -> list[dict[str, Any]]:
    bg, canary = spec.rollout.blue_green, spec.rollout.canary
    if bg is not None:
        main = service(spec, fleet, extra_selector={naming.TRACK: bg.active})
        inactive = [t for t in all_tracks if t.track != bg.active]
        preview = (
            service(
                spec,
                fleet,
                name=object_names.track_service(spec.name, "preview"),
                extra_selector={naming.TRACK: inactive[0].track},
            )
            if bg.preview and inactive
            else None
        )
        return [s for s in (main, preview) if s]
    services = [service(spec, fleet)]
    if canary is not None and canary.traffic == "gateway":
        services += [
            service(spec, fleet, name=object_names.track_service(spec.name, t), extra_selector={naming.TRACK: t})
            for t in ("stable", "canary")
        ]
    return [s for s in services if s]


def http_route(spec: AgentSpec, fleet: Fleet, stable: int, canary: int) -> dict[str, Any]:
    gateway = fleet.settings.gateway
    assert gateway is not None  # a valid fleet: fleet.resolve refuses traffic: gateway in a stack without one
    port = spec.ports[0].port
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": naming.metadata(spec, fleet.settings),
        "spec": {
            # the Gateway for callers from outside; the agent's Service (Gateway API mesh, GAMMA) so that
            # in-cluster callers of <AGENT>_URL get the same split where a mesh implements it
            "parentRefs": [
                {"name": gateway.name, "namespace": gateway.namespace},
                {"group": "", "kind": "Service", "name": spec.name, "port": port},
            ],
            "rules": [
                {
                    "backendRefs": [
                        {"name": object_names.track_service(spec.name, "stable"), "port": port, "weight": stable},
                        {"name": object_names.track_service(spec.name, "canary"), "port": port, "weight": canary},
                    ],
                    **session_persistence(spec),
                }
            ],
        },
    }


def session_persistence(spec: AgentSpec) -> dict[str, Any]:
    """The route rule's session persistence for a sticky canary: a conversation stays on its version."""
    sticky = spec.rollout.canary.sticky if spec.rollout.canary else None
    if sticky is None:
        return {}
    kind, key = ("Header", sticky.header) if sticky.header else ("Cookie", sticky.cookie)
    timeouts = {"absoluteTimeout": sticky.absolute_timeout, "idleTimeout": sticky.idle_timeout}
    return {"sessionPersistence": {"sessionName": key, "type": kind, **{k: v for k, v in timeouts.items() if v}}}


def argo_objects(spec: AgentSpec, track: Track, fleet: Fleet) -> list[dict[str, Any]]:
    """An Argo Rollouts Rollout (instead of a Deployment) and the AnalysisTemplate it runs."""
    canary = spec.rollout.canary
    assert canary is not None and canary.analysis is not None  # a valid fleet: the Canary model refuses argo without
    analysis, settings = canary.analysis, fleet.settings
    template_name = object_names.analysis_template(spec.name)
    base = deployment(
        track.spec,
        fleet,
        name=track.name,
        replicas=track.replicas,
        extra_labels={naming.TRACK: "stable"},
        config_map=config_name(track),
    )
    metrics = argo_metrics(spec, settings, analysis.interval, analysis.count, analysis.failure_limit)
    if analysis.error_rate is not None:
        error_query = filled(analysis.error_rate.query, spec, settings, ARGO_TRACKS[CANARY], analysis.window)
        metrics.insert(
            0,
            {
                "name": "error-rate",
                "interval": analysis.interval,
                "count": analysis.count,
                "failureLimit": analysis.failure_limit,
                "successCondition": f"result[0] <= {analysis.error_rate.max}",
                "provider": {"prometheus": {"address": settings.prometheus_address, "query": error_query}},
            },
        )
    run: dict[str, Any] = {"templates": [{"templateName": template_name}]}
    template_spec: dict[str, Any] = {"metrics": metrics}
    by_hash = analysis.error_rate is not None and placeholders.uses(analysis.error_rate.query, "track")
    if analysis.metrics or by_hash:  # the per-track queries select the stable and the canary pods by Argo's hashes
        run["args"] = [
            {"name": f"{which}-hash", "valueFrom": {"podTemplateHashValue": value}}
            for which, value in (("stable", "Stable"), ("canary", "Latest"))
        ]
        template_spec["args"] = [{"name": "stable-hash"}, {"name": "canary-hash"}]
    strategy = {
        "canary": {
            "steps": [
                {"setWeight": canary.weight},
                {"pause": {"duration": analysis.interval}},
                {"analysis": run},
            ]
        }
    }
    rollout_spec = {k: v for k, v in base["spec"].items() if k != "strategy"} | {"strategy": strategy}
    out: list[dict[str, Any]] = [
        {
            "apiVersion": ARGO,
            "kind": "AnalysisTemplate",
            "metadata": naming.metadata(track.spec, settings, template_name),
            "spec": template_spec,
        },
        {"apiVersion": ARGO, "kind": "Rollout", "metadata": base["metadata"], "spec": rollout_spec},
    ]
    if track.replicas is None and (auto := autoscaler(track.spec, settings, target=track.name)):
        auto["spec"]["scaleTargetRef"] = {"apiVersion": ARGO, "kind": "Rollout", "name": track.name}
        out.append(auto)
    return out
