"""What a stateful agent (`storage`) cannot be combined with, and where its volume may be mounted: each refused
with one line naming the file, the field and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import SERVING, TASKS, canary, fleet_of, spec_problems

STORAGE = {"size": "10Gi", "mountPath": "/data"}
STORE = {**SERVING, "storage": STORAGE}
FILE = "agents/worker.yaml"


def with_storage(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "storage": STORAGE}


def test_a_fixed_size_stateful_agent_validates() -> None:
    assert fleet_of({**STORE, "scaling": {"replicas": 3}}).agent("worker").storage is not None


@pytest.mark.parametrize(
    ("autoscale", "why"),
    [
        ({"min": 2, "max": 6}, "a pod added by load starts with none of the data"),
        ({"min": 0, "max": 2, "triggers": [TASKS]}, "0 would stop the only pods that hold the data"),
    ],
)
def test_autoscaling_is_refused_with_storage(autoscale: dict[str, Any], why: str) -> None:
    (problem,) = spec_problems({**STORE, "scaling": {"autoscale": autoscale}}, keda=True)
    assert problem.startswith(f"{FILE}: scaling.autoscale: with storage: ")
    assert why in problem and problem.endswith("expected fixed scaling.replicas")


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_a_release_with_a_second_track_is_refused_with_storage(strategy: str) -> None:
    spec = (
        canary(10)
        if strategy == "canary"
        else {
            **SERVING,
            "rollout": {
                "strategy": "blue-green",
                "blueGreen": {"active": "blue", "blue": {"image": "ghcr.io/acme/worker:1.1.0"}},
            },
        }
    )
    problems = spec_problems(with_storage(spec))
    assert problems == [
        f"{FILE}: rollout.strategy: '{strategy}' with storage: a second track would start on empty volumes of its "
        "own while the data stays with the first; expected rolling (a StatefulSet replaces each pod in place, one at "
        "a time, and the new pod mounts the old one's volume)"
    ]


def test_a_surge_is_refused_with_storage() -> None:
    problems = spec_problems({**STORE, "rollout": {"rolling": {"maxSurge": 1}}})
    assert problems == [
        f"{FILE}: rollout.rolling.maxSurge: is not used with storage: a StatefulSet replaces each pod in place, one "
        "at a time, and the new pod mounts the old one's volume; expected none"
    ]


def test_a_sandbox_pool_or_a_job_is_refused_with_storage() -> None:
    pool = {**STORE, "isolation": {"runtimeClass": "gvisor"}, "sandbox": {"size": 2}}
    (problem,) = spec_problems(pool, runtimeClasses=["gvisor"])
    assert problem.startswith(f"{FILE}: storage: a sandbox pool's pods are interchangeable")
    job = {**SERVING, "ports": [], "kind": "job", "job": {"schedule": "@daily"}, "storage": STORAGE}
    (problem,) = spec_problems(job)
    assert problem.startswith(f"{FILE}: storage: a job agent's pods run to completion and keep nothing")


@pytest.mark.parametrize(
    ("extra", "other"),
    [
        ({"config": {"data": {"a.yaml": "x"}, "mountPath": "/data"}}, "config.mountPath"),
        ({"secrets": [{"path": "/data/key", "secretRef": {"name": "s", "key": "k"}}]}, "secrets[0].path"),
    ],
)
def test_the_volume_needs_a_directory_of_its_own(extra: dict[str, Any], other: str) -> None:
    problems = spec_problems({**STORE, **extra})
    assert f"{FILE}: storage.mountPath: mounts /data, which {other} mounts too, expected a directory of its own" in (
        problems
    )


def test_the_volume_cannot_replace_tmp() -> None:
    (problem,) = spec_problems({**SERVING, "storage": {**STORAGE, "mountPath": "/tmp/"}})
    assert problem == (
        f"{FILE}: storage.mountPath: mounts /tmp, which (the writable /tmp) mounts too, expected a directory of its own"
    )


@pytest.mark.parametrize(
    ("storage", "path", "words"),
    [
        ({"size": "10", "mountPath": "/data"}, "storage.size", "'10' is below 1Mi"),
        ({"size": "10GB", "mountPath": "/data"}, "storage.size", "did you mean '10Gi'?"),
        ({"size": "10Gi", "mountPath": "data"}, "storage.mountPath", "must be an absolute path"),
        ({"size": "10Gi", "mountPath": "/"}, "storage.mountPath", "must be an absolute path"),
        ({"size": "10Gi"}, "storage.mountPath", "required field is missing"),
        ({**STORAGE, "accessMode": "ReadOnlyMany"}, "storage.accessMode", "ReadWriteOnce"),
        ({**STORAGE, "storageClass": "Fast_SSD"}, "storage.storageClass", "lowercase DNS labels"),
    ],
)
def test_a_bad_storage_block_is_named_by_its_field(storage: dict[str, Any], path: str, words: str) -> None:
    (problem,) = spec_problems({**SERVING, "storage": storage})
    assert problem.startswith(f"{FILE}: {path}: ") and words in problem, problem
