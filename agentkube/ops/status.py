"""`agentkube status`: each agent as the cluster runs it, per release track."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..core import naming
from ..core.keda import uses_keda
from ..core.mcp import ToolServer, tool_servers
from ..core.rollout import Track, tracks
from ..spec.agent import AgentSpec
from .kube import Cluster, cluster_of
from .stack_target import StackTarget


@dataclass(frozen=True)
class TrackStatus:
    track: str
    deployment: str
    ready: int
    desired: int
    image: str
    version: str
    autoscaler: str | None  # "current/min..max"
    available: bool


@dataclass(frozen=True)
class AgentStatus:
    agent: str
    namespace: str
    tracks: list[TrackStatus]
    endpoints: dict[str, int] = field(default_factory=dict)  # ready Service endpoints per track
    why: list[str] = field(default_factory=list)  # recent warnings of its pods and replica sets

    @property
    def available(self) -> bool:
        return all(t.available for t in self.tracks)

    def share(self) -> dict[str, int]:
        """Percent of the Service's ready endpoints per track."""
        total = sum(self.endpoints.values())
        return {t: round(100 * n / total) for t, n in sorted(self.endpoints.items())} if total else {}

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "available": self.available, "share": self.share()}


def status(target: StackTarget) -> tuple[list[AgentStatus], list[ToolServer]]:
    """Every agent of the stack's fleet, read from its cluster in one query per namespace, and the fleet's
    MCP tool servers with the agents that use them."""
    fleet = target.fleet()
    cluster = cluster_of(target.project, fleet.settings, target.stack)
    argo = any(a.rollout.canary and a.rollout.canary.traffic == "argo" for a in fleet.agents)
    keda = any(uses_keda(a) for a in fleet.agents)
    cron = any(a.scheduled for a in fleet.agents)
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    out = []
    for spec in fleet.agents:
        ns = naming.namespace(spec.layer, fleet.settings)
        if ns not in by_namespace:
            by_namespace[ns] = _namespace_objects(cluster, ns, argo, keda, cron)
        out.append(_agent_status(spec, ns, by_namespace[ns]))
    return out, tool_servers(fleet)


def _namespace_objects(cluster: Cluster, ns: str, argo: bool, keda: bool, cron: bool = False) -> list[dict[str, Any]]:
    kinds = "deployments,statefulsets,horizontalpodautoscalers,pods,endpointslices,events"
    kinds += ",rollouts.argoproj.io" * argo + ",scaledobjects.keda.sh,scaledjobs.keda.sh" * keda
    kinds += ",cronjobs" * cron + ",jobs" * (keda or cron)
    return cluster.items(kinds, "-n", ns)


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any] | None:
    return next((o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name), None)


def _agent_status(spec: AgentSpec, ns: str, objects: list[dict[str, Any]]) -> AgentStatus:
    if spec.scheduled:
        track_list = [_cron_status(spec, objects)]
    elif spec.kind == "job":
        track_list = [_job_status(spec, objects)]
    else:
        track_list = [_track_status(t, objects) for t in tracks(spec) if t.max_pods or t.replicas is None]
    pods = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Pod"}
    endpoints: Counter[str] = Counter()
    for piece in objects:
        if (
            piece["kind"] != "EndpointSlice"
            or piece["metadata"].get("labels", {}).get("kubernetes.io/service-name") != spec.name
        ):
            continue
        for endpoint in piece.get("endpoints") or []:
            pod = pods.get((endpoint.get("targetRef") or {}).get("name", ""))
            if pod and (endpoint.get("conditions") or {}).get("ready"):
                endpoints[pod["metadata"].get("labels", {}).get(naming.TRACK, "?")] += 1
    names = tuple(t.deployment for t in track_list)
    why = [
        f"{e['involvedObject']['kind']} {e['involvedObject']['name']}: {e.get('reason', '')}: {e.get('message', '')}"
        for e in objects
        if e["kind"] == "Event" and e.get("type") == "Warning" and e["involvedObject"].get("name", "").startswith(names)
    ]
    return AgentStatus(spec.name, ns, track_list, dict(sorted(endpoints.items())), why[-5:])


def _track_status(track: Track, objects: list[dict[str, Any]]) -> TrackStatus:
    found = next((w for k in ("Deployment", "Rollout", "StatefulSet") if (w := _named(objects, k, track.name))), None)
    auto = _named(objects, "HorizontalPodAutoscaler", track.name)
    scaled = _named(objects, "ScaledObject", track.name)
    autoscaler = None
    if auto is not None:
        current = auto.get("status", {}).get("currentReplicas", "?")  # unknown until the HPA first acts
        autoscaler = f"{current}/{auto['spec'].get('minReplicas', 1)}..{auto['spec']['maxReplicas']}"
    elif scaled is not None:  # KEDA scales the workload itself between 0 and 1, its HPA above
        current = (found or {}).get("status", {}).get("replicas", 0)
        autoscaler = (
            f"{current}/{scaled['spec'].get('minReplicaCount', 0)}..{scaled['spec'].get('maxReplicaCount', 100)}"
        )
    if found is None:
        return TrackStatus(
            track.track, track.name, 0, track.min_pods, track.spec.image, track.spec.resolved_version, autoscaler, False
        )
    desired = found["spec"].get("replicas", 1)
    state = found.get("status", {})
    ready = state.get("readyReplicas", 0)
    conditions = {c["type"]: c["status"] for c in state.get("conditions") or []}
    container = found["spec"]["template"]["spec"]["containers"][0]
    labels = found["metadata"].get("labels", {})
    return TrackStatus(
        track.track,
        track.name,
        ready,
        desired,
        container["image"],
        labels.get("app.kubernetes.io/version", "?"),
        autoscaler,
        # a StatefulSet has no Available condition: its rollout status is the whole test
        _rolled_out(found, desired) and (found["kind"] == "StatefulSet" or conditions.get("Available") == "True"),
    )


def _rolled_out(workload: dict[str, Any], desired: int) -> bool:
    """`kubectl rollout status`'s test: the controller saw the last change, every pod runs the current
    template, none of the old ones is left, and all of them are available."""
    state = workload.get("status", {})
    return bool(
        state.get("observedGeneration", 0) >= workload["metadata"].get("generation", 0)
        and state.get("updatedReplicas", 0) >= desired
        and state.get("replicas", 0) <= desired
        and state.get("availableReplicas", 0) >= desired
    )


def _job_status(spec: AgentSpec, objects: list[dict[str, Any]]) -> TrackStatus:
    """A job agent: its ScaledJob, and as ready/desired the Jobs it runs now. Available while the ScaledJob
    exists and KEDA does not report it broken (a cluster without a KEDA controller reports nothing)."""
    scaled = _named(objects, "ScaledJob", spec.name)
    running = [
        o
        for o in objects
        if o["kind"] == "Job"
        and (o["metadata"].get("labels") or {}).get("scaledjob.keda.sh/name") == spec.name
        and (o.get("status") or {}).get("active")
    ]
    if scaled is None:
        return TrackStatus("job", spec.name, 0, 0, spec.image, spec.resolved_version, None, False)
    template = scaled["spec"]["jobTargetRef"]["template"]
    conditions = {c["type"]: c["status"] for c in (scaled.get("status") or {}).get("conditions") or []}
    return TrackStatus(
        "job",
        spec.name,
        len(running),
        len(running),
        template["spec"]["containers"][0]["image"],
        (scaled["metadata"].get("labels") or {}).get("app.kubernetes.io/version", "?"),
        f"{len(running)}/{scaled['spec'].get('minReplicaCount', 0)}..{scaled['spec'].get('maxReplicaCount', 100)}",
        conditions.get("Ready") != "False",
    )


def _cron_status(spec: AgentSpec, objects: list[dict[str, Any]]) -> TrackStatus:
    """A scheduled job agent: its CronJob, and as ready/desired the Jobs it runs now; the schedule in place of an
    autoscaler. Available while the CronJob exists and is not suspended."""
    cron = _named(objects, "CronJob", naming.cron_job(spec))
    if cron is None:
        return TrackStatus("cron", spec.name, 0, 0, spec.image, spec.resolved_version, None, False)
    running = [
        o
        for o in objects
        if o["kind"] == "Job"
        and any(
            ref.get("kind") == "CronJob" and ref.get("name") == cron["metadata"]["name"]
            for ref in o["metadata"].get("ownerReferences") or []
        )
        and (o.get("status") or {}).get("active")
    ]
    template = cron["spec"]["jobTemplate"]["spec"]["template"]
    return TrackStatus(
        "cron",
        spec.name,
        len(running),
        len(running),
        template["spec"]["containers"][0]["image"],
        (cron["metadata"].get("labels") or {}).get("app.kubernetes.io/version", "?"),
        cron["spec"]["schedule"],
        not cron["spec"].get("suspend", False),
    )
