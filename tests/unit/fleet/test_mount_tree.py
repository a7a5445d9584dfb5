"""The container's mounts form a tree the kubelet can make: no two at one directory, none inside a read-only
mount, each secret file once; validation checks the very list the builder renders."""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.spec.problems import SpecError
from tests.helpers import SERVING, fleet_of, one_object, spec_problems


def secret(path: str, key: str = "k") -> dict[str, Any]:
    return {"path": path, "secretRef": {"name": "app-keys", "key": key}}


def mounts_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    deployment = one_object(build(fleet_of(spec)), "Deployment")
    mounts: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    return mounts


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"secrets": [secret("/etc/app/key"), secret("/etc/app/key", "other")]},
            "secrets[1].path: /etc/app/key is secrets[0].path too, expected one file each",
        ),
        (
            {"secrets": [secret("/etc/app/key"), secret("/etc/app/keys/tls.crt")]},
            "secrets[1].path: mounts /etc/app/keys inside /etc/app, which secrets[0].path mounts read-only",
        ),
        (
            {"config": {"mountPath": "/etc/app", "data": {"a": "b"}}, "secrets": [secret("/etc/app/keys/key")]},
            "secrets[0].path: mounts /etc/app/keys inside /etc/app, which config.mountPath mounts read-only",
        ),
        (
            {"config": {"mountPath": "/etc/app/conf", "data": {"a": "b"}}, "secrets": [secret("/etc/app/key")]},
            "config.mountPath: mounts /etc/app/conf inside /etc/app, which secrets[0].path mounts read-only",
        ),
        (
            {"config": {"mountPath": "/etc/app", "data": {"a": "b"}}, "secrets": [secret("/etc/app/key")]},
            "secrets[0].path: mounts /etc/app, which config.mountPath mounts too",
        ),
    ],
)
def test_mounts_that_overlap_are_refused(change: dict[str, Any], expected: str) -> None:
    (problem,) = spec_problems({**SERVING, **change})
    assert problem.startswith(f"agents/worker.yaml: {expected}")


def test_siblings_that_share_a_prefix_and_mounts_inside_the_writable_tmp_are_fine() -> None:
    spec = {
        **SERVING,
        "config": {"mountPath": "/etc/app", "data": {"a": "b"}},
        "secrets": [secret("/etc/application/key"), secret("/tmp/keys/key", "k2")],
    }
    assert [m["mountPath"] for m in mounts_of(spec)] == ["/tmp", "/etc/app", "/etc/application", "/tmp/keys"]


@pytest.mark.parametrize("path", ["/etc//app/key", "/etc/./key", "/etc/app/../key"])
def test_paths_with_empty_dot_or_dot_dot_parts_are_refused(path: str) -> None:
    (problem,) = spec_problems({**SERVING, "secrets": [secret(path)]})
    assert problem.startswith("agents/worker.yaml: secrets[0].path: ")
    assert "has an empty, '.' or '..' part" in problem


SEGMENT = st.sampled_from(["etc", "app", "application", "tmp", "keys"])
DIRECTORY = st.lists(SEGMENT, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))


def within(path: str, directory: str) -> bool:
    return PurePosixPath(path).is_relative_to(PurePosixPath(directory))


def tree_is_sound(config: str | None, files: list[str]) -> bool:
    """The kubelet's view, with pathlib: distinct mount points, none inside a read-only one, distinct files."""
    read_only = sorted({posixpath.dirname(f) for f in files} | ({config} if config else set()))
    if config in {posixpath.dirname(f) for f in files} or "/tmp" in read_only or "/" in read_only:
        return False
    if len(set(files)) != len(files):
        return False
    points = ["/tmp", *read_only]
    return not any(a != b and within(a, b) for a in points for b in read_only)


@settings(max_examples=200, deadline=None)
@given(
    st.none() | DIRECTORY,
    st.lists(DIRECTORY.map(lambda d: d + "/key") | DIRECTORY.map(lambda d: d + "/tls.crt"), max_size=3),
)
def test_validate_accepts_exactly_the_mount_trees_the_kubelet_can_make(config: str | None, files: list[str]) -> None:
    spec: dict[str, Any] = {**SERVING, "secrets": [secret(f, f"k{i}") for i, f in enumerate(files)]}
    if config:
        spec["config"] = {"mountPath": config, "data": {"a": "b"}}
    try:
        mounts = mounts_of(spec)
    except SpecError as err:
        assert not tree_is_sound(config, files), err
        assert all("mount" in p.message or "expected one file each" in p.message for p in err.problems)
        return
    assert tree_is_sound(config, files)
    paths = [m["mountPath"] for m in mounts]
    assert len(set(paths)) == len(paths)
    for m in mounts:
        assert not any(o is not m and o.get("readOnly") and within(m["mountPath"], o["mountPath"]) for o in mounts)
