"""Looking at the local cluster from the live tests: a small fleet of its own, pods, and watches."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from agentkube.ops.kube import Cluster
from agentkube.project import WORK_DIR
from tests.helpers import ROOT, Project

T = TypeVar("T")
KINDS = (
    "deployments,services,configmaps,secrets,serviceaccounts,networkpolicies,horizontalpodautoscalers,"
    "poddisruptionbudgets,resourcequotas,limitranges,ingresses,namespaces,priorityclasses"
)
SERVER_SET = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")


@contextmanager
def deployed_fleet(
    root: Path,
    tools: str,
    namespace: str,
    specs: dict[str, str],
    settings: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Project]:
    """A project of its own with `specs` (name -> YAML) as its agents, deployed by `pulumi up` of a dev stack
    on the local cluster under the namespace prefix `namespace` (so modules never touch each other's
    objects), with more stack `settings` (`keda` -> `true`), on the backend `env` names (default its own
    `.pulumi/`), and destroyed after the block."""
    project = Project(root, tools)
    project.env.update(env or {})
    (project.root / WORK_DIR).symlink_to(ROOT / WORK_DIR)
    shutil.rmtree(project.root / "agents")
    (project.root / "agents").mkdir()
    for name, text in specs.items():
        (project.root / "agents" / f"{name}.yaml").write_text(text)
    (project.root / "Pulumi.dev.yaml").write_text(
        f"config:\n  agentkube:environment: dev\n  agentkube:localCluster: true\n  agentkube:namespace: {namespace}\n"
        + "".join(f"  agentkube:{key}: {value}\n" for key, value in sorted((settings or {}).items()))
    )
    project.run("stack", "init", "--secrets-provider", "passphrase")
    try:
        project.up()  # a failed up may have created objects too
        yield project
    finally:
        project.run("destroy", "--yes", "--skip-preview", check=False)


def until(what: str, check: Callable[[], T | None], timeout: float = 60.0) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.5)


def pods(kube: Cluster, namespace: str, selector: str) -> dict[str, dict[str, Any]]:
    """Pods not being deleted, by UID."""
    items = json.loads(kube.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout)["items"]
    return {p["metadata"]["uid"]: p for p in items if not p["metadata"].get("deletionTimestamp")}


def get(kube: Cluster, kind: str, namespace: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(kube.kubectl("get", kind, name, "-n", namespace, "-o", "json").stdout)
    return found


def settled(kube: Cluster, namespace: str, selector: str, count: int) -> dict[str, dict[str, Any]]:
    """The pods of `selector` once exactly `count` of them run, all Ready, and none is terminating."""

    def ready() -> dict[str, dict[str, Any]] | None:
        items = json.loads(kube.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout)["items"]
        ok = all(
            not p["metadata"].get("deletionTimestamp")
            and any(c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions", []))
            for p in items
        )
        return {p["metadata"]["uid"]: p for p in items} if ok and len(items) == count else None

    return until(f"{count} ready pods of {selector} in {namespace}", ready)


@contextmanager
def watching(kube: Cluster, *args: str) -> Iterator[list[dict[str, Any]]]:
    """`kubectl get ARGS --watch -o json` in the background: the list fills with every version of the
    watched objects seen until the block ends (the current ones first)."""
    command = ["kubectl", "--kubeconfig", str(kube.kubeconfig), "get", *args, "--watch", "-o", "json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: list[dict[str, Any]] = []

    def read() -> None:
        assert process.stdout is not None
        decoder, buffer = json.JSONDecoder(), ""
        for line in process.stdout:
            buffer += line
            while buffer.strip():
                try:
                    obj, end = decoder.raw_decode(buffer.lstrip())
                except ValueError:
                    break
                seen.append(obj)
                buffer = buffer.lstrip()[end:]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        until("the watch to list the current objects", lambda: seen, timeout=20)
        yield seen
        time.sleep(1.0)  # the last events of the block reach the watch
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def fleet_objects(kube: Cluster, prefix: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every object of the fleet deployed under namespace prefix `prefix`, as (kind, namespace, name) -> object."""
    selector = f"app.kubernetes.io/managed-by=agentkube,app.kubernetes.io/part-of={prefix}"
    items = json.loads(kube.kubectl("get", KINDS, "-A", "-l", selector, "-o", "json").stdout)["items"]
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in items}


def in_state(project: Project) -> set[tuple[str, str, str]]:
    out = set()
    for r in project.state():
        if r["type"].startswith("kubernetes:") and not r["type"].startswith("pulumi:") and "kind" in r["inputs"]:
            meta = r["inputs"]["metadata"]
            out.add((r["inputs"]["kind"], meta.get("namespace", ""), meta["name"]))
    return out


def normalized(objects: dict[tuple[str, str, str], dict[str, Any]]) -> str:
    """The objects without what the server and controllers set (ids, versions, status, cluster IPs, the
    replicas an autoscaler chose), as canonical JSON."""
    autoscaled = {(ns, name) for kind, ns, name in objects if kind == "HorizontalPodAutoscaler"}
    out = {}
    for key, obj in objects.items():
        obj = json.loads(json.dumps(obj))
        obj.pop("status", None)
        for field in SERVER_SET:
            obj["metadata"].pop(field, None)
        obj["metadata"].get("annotations", {}).pop("deployment.kubernetes.io/revision", None)
        if obj["kind"] == "Deployment" and key[1:] in autoscaled:
            obj["spec"].pop("replicas")
        if obj["kind"] == "Service":
            obj["spec"].pop("clusterIP", None)
            obj["spec"].pop("clusterIPs", None)
        out["/".join(key)] = obj
    return json.dumps(out, sort_keys=True, indent=1)
