"""The control plane's processes: kwokctl creates and starts them, this module finds and stops them.

kwokctl runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as local processes
bound to 127.0.0.1, from the binaries `scripts/install-cluster` builds (nothing is downloaded).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .layout import ClusterPaths
from .state import ClusterError

INSTALL_SCRIPT = "scripts/install-cluster"
# kwokctl's component names, in the order they are stopped: the API server's clients, it, then etcd.
STOP_ORDER = (("kwok-controller", "kube-scheduler", "kube-controller-manager"), ("kube-apiserver",), ("etcd",))
COMPONENTS = frozenset(name for group in STOP_ORDER for name in group)
BINARIES = ("kwokctl", "kwok", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")


def tools_dir(project_dir: Path) -> Path:
    """The directory of the control-plane binaries, from `scripts/install-cluster` (builds them once)."""
    candidates = (project_dir.resolve() / INSTALL_SCRIPT, Path(__file__).resolve().parents[3] / INSTALL_SCRIPT)
    script = next((c for c in candidates if c.is_file()), None)
    if script is None:
        raise ClusterError(f"{INSTALL_SCRIPT} is not in {project_dir.resolve()}; run agentkube from its checkout")
    done = subprocess.run([str(script)], stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise ClusterError(f"{INSTALL_SCRIPT} failed (exit {done.returncode}); its messages are above")
    return Path(lines[-1])


# --- starting ------------------------------------------------------------------------------------


def create(paths: ClusterPaths, tools: Path, timeout: float) -> None:
    """`kwokctl create cluster` with the local binaries and a kubeconfig of the project's own."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:  # kwokctl would download one
        raise ClusterError("kubectl is not on PATH; install it to run the local cluster")
    for binary in BINARIES:
        if not os.access(tools / binary, os.X_OK):
            raise ClusterError(f"{tools / binary} is missing; run {INSTALL_SCRIPT}")
    paths.kwok_home.mkdir(parents=True, exist_ok=True)
    paths.kubeconfig.unlink(missing_ok=True)  # only this cluster's context, never a stale one
    config = {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokctlConfiguration",
        "options": {"bindAddress": "127.0.0.1", "kubectlBinary": kubectl},
        # the in-tree hostPath provisioner binds the claims of stateful agents (fixtures/storageclasses.yaml)
        "componentsPatches": [
            {"name": "kube-controller-manager", "extraArgs": [{"key": "enable-hostpath-provisioner", "value": "true"}]}
        ],
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


def can_start_again(paths: ClusterPaths) -> bool:
    """Whether the files of a stopped cluster are there to start it from."""
    return (paths.cluster / "kwok.yaml").is_file() and paths.kubeconfig.is_file()


def start_again(paths: ClusterPaths, tools: Path, timeout: float) -> bool:
    """`kwokctl start cluster` from the cluster's files, etcd's data kept, after stopping what still runs
    of it; False when kwokctl fails (subprocess.TimeoutExpired when it takes over `timeout`)."""
    pids = list(running(paths.cluster).values())
    stop_all(paths, remove=False)
    wait_reaped(pids, 3.0)
    for stale in (paths.cluster / "pids").glob("*.pid"):  # kwokctl skips a component whose pid is alive
        stale.unlink()
    command = [str(tools / "kwokctl"), "--name", paths.name, "start", "cluster"]
    done = subprocess.run(command, env=_kwok_env(paths), capture_output=True, text=True, timeout=timeout)
    return done.returncode == 0


def _kwok_env(paths: ClusterPaths) -> dict[str, str]:
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


# --- finding and stopping ------------------------------------------------------------------------


def running(cluster_dir: Path) -> dict[str, int]:
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


def stop_all(paths: ClusterPaths, remove: bool = True) -> bool:
    """Stop this cluster's processes, its API server's clients first and etcd last, then (`remove`) its files.

    A whole cluster gets SIGTERM and 5 s before SIGKILL; a partial one SIGKILL at once (an API server
    whose etcd is gone does not finish shutting down). Not `kwokctl delete cluster`: it sends SIGKILL to
    the pids of its pid files without waiting, and a stale pid file makes it kill whatever has that pid now.
    """
    found = running(paths.cluster)
    grace = 5.0 if set(found) == COMPONENTS else 0.0
    for group in STOP_ORDER:
        pids = [found[name] for name in group if name in found]
        if grace:
            _signal(pids, signal.SIGTERM)
        if not (grace and _wait_gone(paths.cluster, pids, grace)):
            _signal(pids, signal.SIGKILL)
            if not _wait_gone(paths.cluster, pids, 5.0):
                raise ClusterError(f"processes {pids} of the local cluster do not stop; kill them and retry")
    others = list(running(paths.cluster).values())  # anything else run from the cluster's bin/
    _signal(others, signal.SIGKILL)
    if not _wait_gone(paths.cluster, others, 5.0):
        raise ClusterError(f"processes {sorted(others)} of the local cluster do not stop; kill them and retry")
    existed = bool(found) or paths.cluster.exists()
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
    while set(pids) & set(running(cluster_dir).values()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_reaped(pids: list[int], timeout: float) -> None:
    """Give init a moment to reap the stopped processes, so `ps` lists no `<defunct>` one of the cluster
    (an init that reaps every few seconds is not rare in containers; where it never does, a zombie is gone)."""
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)


@contextmanager
def locked(paths: ClusterPaths) -> Iterator[None]:
    """One start, stop or delete at a time per project (a lock on `.agentkube/` itself, so no file is left)."""
    paths.work.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.work, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
