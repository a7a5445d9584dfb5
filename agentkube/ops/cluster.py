"""The project's own local Kubernetes control plane: `agentkube cluster up|down|status`.

kwokctl runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as local processes
bound to 127.0.0.1, from the binaries `scripts/install-cluster` builds (nothing is downloaded). kwok
fakes a node pool (one large node per zone and a tainted GPU node) and the status of the pods scheduled
to it, so they become Running and Ready with no container runtime. The CRDs in `crds/` (Argo Rollouts,
Gateway API, Prometheus Operator, KEDA, Cilium) make the API server validate those objects, and the
gvisor and kata RuntimeClasses let isolated pods be admitted.

Everything lives in `<project>/.agentkube/`: the kubeconfig, kwokctl's configuration and its working
directory `kwok/clusters/<name>/` (certificates, etcd data, logs, pid files). The name is unique per
project directory, so two checkouts never share a cluster.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..project import LOCAL_CLUSTER, WORK_DIR, local_kubeconfig
from .engine import EngineError
from .kube import Cluster

INSTALL_SCRIPT = "scripts/install-cluster"
CRDS_DIR = Path(__file__).with_name("crds")
# kwokctl's component names, in the order `down` stops them: the API server's clients, it, then etcd.
STOP_ORDER = (("kwok-controller", "kube-scheduler", "kube-controller-manager"), ("kube-apiserver",), ("etcd",))
COMPONENTS = frozenset(name for group in STOP_ORDER for name in group)
ZONES = ("zone-a", "zone-b", "zone-c")
REGION = "local"
GPU_NODE = "gpu-zone-a"
GPUS = 8
GPU_RESOURCE = "nvidia.com/gpu"
NODES = (*(f"node-{zone}" for zone in ZONES), GPU_NODE)
RUNTIME_CLASSES = {"gvisor": "runsc", "kata": "kata"}  # name -> handler, for `isolation.runtimeClass`
PROBE_POD = "agentkube-probe"  # scheduled once by a cold `up` to prove pods become Running and Ready
TIMEOUT = 120.0  # seconds for a cold `up` to have every node Ready and every CRD Established
RESTART_TIMEOUT = 60.0  # seconds for a stopped cluster to run pods again before it is created anew
NODE_LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"


class ClusterError(EngineError):
    """The local cluster could not be built, started, reached or stopped."""


@dataclass(frozen=True)
class Node:
    name: str
    zone: str
    ready: bool
    gpus: int


@dataclass(frozen=True)
class ClusterInfo:
    """A running local cluster: where it answers, its processes and its nodes."""

    name: str
    apiserver: str  # https://127.0.0.1:<port>
    version: str  # the API server's gitVersion
    kubeconfig: Path
    work_dir: Path  # kwokctl's directory of the cluster: certificates, etcd data, logs, pid files
    pids: Mapping[str, int]  # kwokctl component name -> process id
    nodes: tuple[Node, ...]
    created: bool = False  # this `up` created it anew (False: it was running, or was restarted)
    restarted: bool = False  # this `up` started a stopped cluster again, its objects kept
    missing: tuple[str, ...] = field(default=())  # expected nodes and CRDs that are absent or not ready

    @property
    def healthy(self) -> bool:
        return not self.missing

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(kubeconfig=str(self.kubeconfig), work_dir=str(self.work_dir), pids=dict(self.pids))
        data["healthy"] = self.healthy
        return data


@dataclass(frozen=True)
class _Paths:
    """Where one project's cluster keeps its files."""

    project: Path
    name: str
    work: Path  # <project>/.agentkube
    kwok_home: Path  # KWOK_WORKDIR
    cluster: Path  # kwokctl's directory of this cluster
    config: Path  # the KwokctlConfiguration
    kubeconfig: Path

    @classmethod
    def of(cls, project_dir: Path) -> _Paths:
        project = project_dir.resolve()
        owner = (project / WORK_DIR).resolve().parent  # a copy whose .agentkube links here shares its cluster
        name = f"{LOCAL_CLUSTER}-{hashlib.sha256(str(owner).encode()).hexdigest()[:8]}"
        work = owner / WORK_DIR
        kwok_home = work / "kwok"
        return cls(
            project,
            name,
            work,
            kwok_home,
            kwok_home / "clusters" / name,
            work / "kwokctl.yaml",
            local_kubeconfig(project),
        )


def cluster_name(project_dir: Path) -> str:
    """`agentkube-<hash of the project path that holds its .agentkube data>`."""
    return _Paths.of(project_dir).name


def tools_dir(project_dir: Path) -> Path:
    """The directory of the control-plane binaries, from `scripts/install-cluster` (builds them once)."""
    candidates = (project_dir.resolve() / INSTALL_SCRIPT, Path(__file__).resolve().parents[2] / INSTALL_SCRIPT)
    script = next((c for c in candidates if c.is_file()), None)
    if script is None:
        raise ClusterError(f"{INSTALL_SCRIPT} is not in {project_dir.resolve()}; run agentkube from its checkout")
    done = subprocess.run([str(script)], stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise ClusterError(f"{INSTALL_SCRIPT} failed (exit {done.returncode}); its messages are above")
    return Path(lines[-1])


def status(project_dir: Path) -> ClusterInfo | None:
    """The project's cluster if all its processes run and its API server is ready, else None."""
    paths = _Paths.of(project_dir)
    pids = _processes(paths.cluster)
    if set(pids) != COMPONENTS or not paths.kubeconfig.is_file():
        return None
    try:
        api = _Api(paths.cluster)
        if api.text("/readyz") != "ok":
            return None
        version = str(api.json("/version").get("gitVersion", ""))
        nodes = tuple(_node(item) for item in api.json("/api/v1/nodes").get("items") or [])
        missing = _missing(api, nodes)
    except (OSError, ValueError, ClusterError):  # URLError, ssl, timeouts: OSError; a bad reply: ValueError
        return None
    return ClusterInfo(paths.name, api.server, version, paths.kubeconfig, paths.cluster, pids, nodes, missing=missing)


def up(project_dir: Path, timeout: float = TIMEOUT) -> ClusterInfo:
    """Start the project's cluster, or reuse it when healthy; a broken leftover is removed first."""
    if not project_dir.is_dir():
        raise ClusterError(f"{project_dir} is not a directory")
    paths = _Paths.of(project_dir)
    with _locked(paths):
        found = status(project_dir)
        if found is not None and found.healthy:
            return found
        if found is None and _restart(paths, tools_dir(project_dir), timeout):
            return replace(_healthy(project_dir, paths), restarted=True)
        created = found is None
        try:
            if created:
                _stop(paths)  # whatever a broken cluster left: processes, pid files, data
                _create(paths, tools_dir(project_dir), timeout)
            _provision(paths, probe=created, timeout=timeout)
        except BaseException:
            if created:
                _stop(paths, remove=False)  # the logs stay for a look; the next `up` removes them
            raise
        return replace(_healthy(project_dir, paths), created=created)


def stop(project_dir: Path) -> bool:
    """Stop the project's cluster and keep its files (etcd data too): the next `up` starts it with every
    object it held. False when nothing was running."""
    paths = _Paths.of(project_dir)
    if not paths.work.is_dir():
        return False
    with _locked(paths):
        pids = list(_processes(paths.cluster).values())
        _stop(paths, remove=False)
    _wait_reaped(pids, 3.0)
    return bool(pids)


def down(project_dir: Path) -> bool:
    """Stop the project's cluster and remove its files; False when nothing was there."""
    paths = _Paths.of(project_dir)
    if not paths.work.is_dir():
        return False
    with _locked(paths):
        pids = list(_processes(paths.cluster).values())
        stopped = _stop(paths)
    _wait_reaped(pids, 3.0)
    return stopped


# --- starting ------------------------------------------------------------------------------------


def _create(paths: _Paths, tools: Path, timeout: float) -> None:
    """`kwokctl create cluster` with the local binaries and a kubeconfig of the project's own."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:  # kwokctl would download one
        raise ClusterError("kubectl is not on PATH; install it to run the local cluster")
    for binary in ("kwokctl", "kwok", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        if not os.access(tools / binary, os.X_OK):
            raise ClusterError(f"{tools / binary} is missing; run {INSTALL_SCRIPT}")
    paths.kwok_home.mkdir(parents=True, exist_ok=True)
    paths.kubeconfig.unlink(missing_ok=True)  # only this cluster's context, never a stale one
    config = {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokctlConfiguration",
        "options": {"bindAddress": "127.0.0.1", "kubectlBinary": kubectl},
    }
    paths.config.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")  # JSON is YAML
    command = [
        str(tools / "kwokctl"),
        *("--name", paths.name, "--config", str(paths.config)),
        *("create", "cluster", "--runtime", "binary"),
        *("--kube-apiserver-binary", str(tools / "kube-apiserver")),
        *("--kube-controller-manager-binary", str(tools / "kube-controller-manager")),
        *("--kube-scheduler-binary", str(tools / "kube-scheduler")),
        *("--kwok-controller-binary", str(tools / "kwok")),
        *("--etcd-binary", str(tools / "etcd")),
        *("--kube-admission", "--kube-authorization", "--kubeconfig", str(paths.kubeconfig)),
    ]
    try:
        done = subprocess.run(command, env=_kwok_env(paths), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ClusterError(f"kwokctl create cluster took over {timeout:.0f}s; see {paths.cluster}/logs") from None
    if done.returncode != 0:
        raise ClusterError(f"kwokctl create cluster: {_kwokctl_error(done.stderr)}")


def _restart(paths: _Paths, tools: Path, timeout: float) -> bool:
    """Start a stopped (or partly dead) cluster again from its files, keeping etcd's data: True when it is
    healthy after that, False when it has to be created anew (no files, or they do not start)."""
    if not (paths.cluster / "kwok.yaml").is_file() or not paths.kubeconfig.is_file():
        return False
    timeout = min(timeout, RESTART_TIMEOUT)
    pids = list(_processes(paths.cluster).values())
    _stop(paths, remove=False)  # what still runs of it
    _wait_reaped(pids, 3.0)
    for stale in (paths.cluster / "pids").glob("*.pid"):  # kwokctl skips a component whose pid is alive
        stale.unlink()
    command = [str(tools / "kwokctl"), "--name", paths.name, "start", "cluster"]
    try:
        done = subprocess.run(command, env=_kwok_env(paths), capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            return False
        # The stopped kwok's node leases (200 s) would keep the new one from running pods until they expire.
        _Api(paths.cluster).json(NODE_LEASES, "DELETE", accept=(200, 404))
        # The probe pod runs once the scheduler and controllers have waited out their old leader leases.
        _provision(paths, probe=True, timeout=timeout)
    except (subprocess.TimeoutExpired, OSError, ValueError, ClusterError):
        return False
    return status(paths.project) is not None


def _healthy(project_dir: Path, paths: _Paths) -> ClusterInfo:
    info = status(project_dir)
    if info is None or not info.healthy:
        raise ClusterError(f"the local cluster is not healthy after starting; see the logs in {paths.cluster}/logs")
    return info


def _kwok_env(paths: _Paths) -> dict[str, str]:
    """The caller's environment without its KWOK_* settings; kwokctl's working directory in the project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KWOK_")}
    env["KWOK_WORKDIR"] = str(paths.kwok_home)
    return env


def _kwokctl_error(stderr: str) -> str:
    """The last error kwokctl logged (it logs JSON lines), or its last line."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("ERROR", "WARN"):
            return " ".join(f"{entry.get('msg')}: {entry.get('err', '')}".rstrip(": ").split())
    return " ".join(lines[-1].split()) if lines else "failed with no message"


def _provision(paths: _Paths, probe: bool, timeout: float) -> None:
    """Apply the CRDs and nodes, wait until they are Established and Ready, and (`probe`) run one pod."""
    nodes = json.dumps({"apiVersion": "v1", "kind": "List", "items": node_manifests() + runtime_classes()})
    apply = ["apply", "--server-side", "--force-conflicts", "--field-manager", LOCAL_CLUSTER, "-f", str(CRDS_DIR)]
    try:
        Cluster(paths.kubeconfig).kubectl(*apply, "-f", "-", stdin=nodes, timeout=timeout)
    except EngineError as err:
        raise ClusterError(f"applying the CRDs and nodes failed: {err}") from None
    api = _Api(paths.cluster)
    deadline = time.monotonic() + timeout

    def until(what: str, ready: Callable[[], bool]) -> None:
        while not ready():
            if time.monotonic() > deadline:
                raise ClusterError(f"{what} after {timeout:.0f}s; see the logs in {paths.cluster}/logs")
            time.sleep(0.05)

    def converged() -> bool:
        nodes = tuple(_node(item) for item in api.json("/api/v1/nodes").get("items") or [])
        return not _missing(api, nodes)

    until("nodes or CRDs are not ready", converged)
    if not probe:
        return
    until("no default service account", lambda: api.status("/api/v1/namespaces/default/serviceaccounts/default") == 200)
    pods = "/api/v1/namespaces/default/pods"
    api.json(pods, "POST", _probe_pod(), accept=(201, 409))
    until("the probe pod is not Running and Ready", lambda: _pod_ready(api.json(f"{pods}/{PROBE_POD}")))
    api.json(f"{pods}/{PROBE_POD}", "DELETE", {"gracePeriodSeconds": 0}, accept=(200, 202, 404))


def node_manifests() -> list[dict[str, Any]]:
    """The fake pool: one large node per zone and a GPU node in the first zone, all managed by kwok."""

    def node(name: str, zone: str, extra_labels: dict[str, str], gpus: int = 0) -> dict[str, Any]:
        resources = {"cpu": "64", "memory": "256Gi", "pods": "110", "ephemeral-storage": "1Ti"}
        if gpus:
            resources[GPU_RESOURCE] = str(gpus)
        labels = {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": "kwok-64c-256g" + (f"-{gpus}gpu" if gpus else ""),
            "topology.kubernetes.io/region": REGION,
            "topology.kubernetes.io/zone": zone,
            "type": "kwok",
            **extra_labels,
        }
        spec = {"taints": [{"key": GPU_RESOURCE, "value": "present", "effect": "NoSchedule"}]} if gpus else {}
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": labels,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            },
            "spec": spec,
            "status": {"capacity": resources, "allocatable": resources},  # kept on create, as for any Node
        }

    pool = [node(f"node-{zone}", zone, {}) for zone in ZONES]
    return [*pool, node(GPU_NODE, ZONES[0], {"nvidia.com/gpu.present": "true"}, gpus=GPUS)]


def runtime_classes() -> list[dict[str, Any]]:
    """The sandboxing RuntimeClasses a real cluster installs with gVisor or Kata (kwok runs any pod alike)."""
    return [
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": LOCAL_CLUSTER}},
            "handler": handler,
        }
        for name, handler in RUNTIME_CLASSES.items()
    ]


def _probe_pod() -> dict[str, Any]:
    container = {"name": "probe", "image": "registry.invalid/probe:never-pulled"}  # kwok pulls nothing
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": PROBE_POD, "labels": {"app.kubernetes.io/managed-by": LOCAL_CLUSTER}},
        "spec": {"containers": [container], "automountServiceAccountToken": False},
    }


def _pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return bool(status.get("phase") == "Running" and conditions.get("Ready") == "True")


def _node(item: dict[str, Any]) -> Node:
    metadata, status = item.get("metadata") or {}, item.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return Node(
        metadata.get("name", ""),
        (metadata.get("labels") or {}).get("topology.kubernetes.io/zone", ""),
        conditions.get("Ready") == "True",
        int((status.get("allocatable") or {}).get(GPU_RESOURCE, 0)),
    )


def _crd_names() -> list[str]:
    return sorted(p.stem for p in CRDS_DIR.glob("*.yaml"))


def _missing(api: _Api, nodes: tuple[Node, ...]) -> tuple[str, ...]:
    """The expected nodes that are absent or not Ready and the CRDs that are not Established."""
    ready = {n.name for n in nodes if n.ready}
    missing = [f"node/{name}" for name in NODES if name not in ready]
    for name in _crd_names():
        crd = api.json(f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}", accept=(200, 404))
        conditions = {c.get("type"): c.get("status") for c in (crd.get("status") or {}).get("conditions") or []}
        if conditions.get("Established") != "True":
            missing.append(f"crd/{name}")
    return tuple(missing)


# --- reaching the API server ---------------------------------------------------------------------


class _Api:
    """The API server with the cluster's admin certificate, never through a proxy."""

    def __init__(self, cluster_dir: Path) -> None:
        found = re.search(r"^\s*server:\s*(\S+)", (cluster_dir / "kubeconfig.yaml").read_text(), re.MULTILINE)
        if found is None:
            raise ValueError(f"no server in {cluster_dir / 'kubeconfig.yaml'}")
        self.server = found.group(1)
        pki = cluster_dir / "pki"
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self._open = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        ).open

    def _call(self, path: str, method: str = "GET", body: Any = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with self._open(request, timeout=5) as reply:
                return int(reply.status), bytes(reply.read())
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def status(self, path: str) -> int:
        return self._call(path)[0]

    def text(self, path: str) -> str:
        return self._call(path)[1].decode()

    def json(self, path: str, method: str = "GET", body: Any = None, accept: tuple[int, ...] = (200,)) -> Any:
        code, data = self._call(path, method, body)
        if code not in accept:
            raise ClusterError(f"{method} {path}: HTTP {code} {data[:200].decode(errors='replace')}")
        return json.loads(data) if code < 300 else {}


# --- stopping ------------------------------------------------------------------------------------


def _processes(cluster_dir: Path) -> dict[str, int]:
    """The live processes of this cluster by component: those running a program of its `bin/`.

    Found in /proc, not only kwokctl's pid files: a pid file may be stale (and name another process
    by now) or gone while its process still runs.
    """
    prefix = f"{cluster_dir / 'bin'}/"
    found: dict[str, int] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                program = (entry / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
            except OSError:
                continue
            if program.startswith(prefix):  # a zombie's cmdline is empty: it counts as gone
                found[program[len(prefix) :]] = int(entry.name)
        return found
    for pid_file in (cluster_dir / "pids").glob("*.pid"):  # no /proc (macOS): trust kwokctl's files
        try:
            pid = int(pid_file.read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            continue
        found[pid_file.stem] = pid
    return found


def _stop(paths: _Paths, remove: bool = True) -> bool:
    """Stop this cluster's processes, its API server's clients first and etcd last, then remove its files.

    A whole cluster gets SIGTERM and 5 s before SIGKILL; a partial one SIGKILL at once (an API server
    whose etcd is gone does not finish shutting down). Not `kwokctl delete cluster`: it sends SIGKILL to
    the pids of its pid files without waiting, and a stale pid file makes it kill whatever has that pid now.
    """
    running = _processes(paths.cluster)
    grace = 5.0 if set(running) == COMPONENTS else 0.0
    for group in STOP_ORDER:
        pids = [running[name] for name in group if name in running]
        if grace:
            _signal(pids, signal.SIGTERM)
        if not (grace and _wait_gone(paths.cluster, pids, grace)):
            _signal(pids, signal.SIGKILL)
            if not _wait_gone(paths.cluster, pids, 5.0):
                raise ClusterError(f"processes {pids} of the local cluster do not stop; kill them and retry")
    others = list(_processes(paths.cluster).values())  # anything else run from the cluster's bin/
    _signal(others, signal.SIGKILL)
    if not _wait_gone(paths.cluster, others, 5.0):
        raise ClusterError(f"processes {sorted(others)} of the local cluster do not stop; kill them and retry")
    existed = bool(running) or paths.cluster.exists()
    if remove:
        existed = existed or paths.kubeconfig.exists()
        shutil.rmtree(paths.cluster, ignore_errors=True)
        for leftover in (paths.kubeconfig, paths.config):
            leftover.unlink(missing_ok=True)
        for empty in (paths.cluster.parent, paths.kwok_home):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()
    return existed


def _signal(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


def _wait_gone(cluster_dir: Path, pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while set(pids) & set(_processes(cluster_dir).values()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _wait_reaped(pids: list[int], timeout: float) -> None:
    """Give init a moment to reap the stopped processes, so `ps` lists no `<defunct>` one of the cluster
    (an init that reaps every few seconds is not rare in containers; where it never does, a zombie is gone)."""
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)


@contextmanager
def _locked(paths: _Paths) -> Iterator[None]:
    """One `up` or `down` at a time per project (a lock on `.agentkube/` itself, so no file is left)."""
    paths.work.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.work, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
