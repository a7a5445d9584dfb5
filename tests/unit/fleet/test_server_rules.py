"""What the API server and its admission would refuse is refused by validation first, with the field and
the fix; what they accept is accepted (the live acceptance test checks the same against a real server)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.spec.problems import SpecError
from tests.helpers import SERVING, fleet_of, spec_problems


@given(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", fullmatch=True))
def test_every_tag_gives_a_valid_version_label_or_a_clear_error(tag: str) -> None:
    spec = {**SERVING, "image": f"ghcr.io/acme/worker:{tag}"}
    try:
        fleet = fleet_of(spec)
    except SpecError as err:
        (problem,) = err.problems
        assert "cannot be the app.kubernetes.io/version label" in problem.message
        assert "set `version` explicitly" in problem.message
        fleet = fleet_of({**spec, "version": "1.0.0"})  # the fix the message names works
    labels = [o["metadata"]["labels"]["app.kubernetes.io/version"] for o in build(fleet) if o["kind"] == "Deployment"]
    assert all(len(v) <= 63 and v[0].isalnum() and v[-1].isalnum() for v in labels)


def test_a_port_number_twice_is_refused() -> None:
    spec = {**SERVING, "ports": [{"name": "http", "port": 8080}, {"name": "api", "port": 8080}]}
    assert spec_problems(spec) == [
        "agents/worker.yaml: ports[1].port: 8080/TCP is already port 'http', "
        "expected each port number once per protocol"
    ]
    udp = {**SERVING, "ports": [{"name": "http", "port": 8080}, {"name": "dns", "port": 8080, "protocol": "UDP"}]}
    assert fleet_of(udp).agents[0].ports[1].protocol == "UDP"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"config": {"mountPath": "/tmp", "data": {"a": "b"}}}, "config.mountPath: mounts /tmp, which (the writable"),
        (
            {
                "config": {"data": {"a": "b"}},
                "secrets": [{"path": "/etc/agent/key", "secretRef": {"name": "s", "key": "k"}}],
            },
            "secrets[0].path: mounts /etc/agent, which config.mountPath mounts too",
        ),
        ({"secrets": [{"path": "/tmp/key", "secretRef": {"name": "s", "key": "k"}}]}, "secrets[0].path: mounts /tmp"),
        ({"secrets": [{"path": "/key", "secretRef": {"name": "s", "key": "k"}}]}, "secrets[0].path: mounts / itself"),
    ],
)
def test_two_things_mounted_at_one_directory_are_refused(change: dict[str, Any], expected: str) -> None:
    (problem,) = spec_problems({**SERVING, **change})
    assert problem.startswith(f"agents/worker.yaml: {expected}")


def test_secrets_in_one_directory_share_its_mount() -> None:
    refs = [{"path": f"/var/run/secrets/agent/k{i}", "secretRef": {"name": "s", "key": f"k{i}"}} for i in range(2)]
    assert len(fleet_of({**SERVING, "secrets": refs}).agents[0].secrets) == 2


def test_a_restart_config_key_and_env_of_the_same_name_collide() -> None:
    spec = {**SERVING, "env": {"MODEL": "a"}, "config": {"reload": "restart", "data": {"MODEL": "b"}}}
    assert spec_problems(spec) == [
        "agents/worker.yaml: config.data.MODEL: sets MODEL, which env.MODEL sets too, expected each variable once"
    ]
    hot = {**spec, "config": {"reload": "hot", "data": {"MODEL": "b"}}}  # files only: no collision
    assert fleet_of(hot).agents[0].env == {"MODEL": "a"}


def test_expose_port_must_be_declared() -> None:
    (problem,) = spec_problems({**SERVING, "expose": {"host": "a.example.com", "port": 9090}})
    assert problem == "agents/worker.yaml: expose.port: 9090 is not a declared port, expected one of: 8080"


@pytest.mark.parametrize(
    ("security", "level"),
    [
        ({"addCapabilities": ["NET_BIND_SERVICE"]}, "restricted"),
        ({"runAsUser": 0, "runAsNonRoot": False}, "baseline"),
        ({"allowPrivilegeEscalation": True}, "baseline"),
        ({"addCapabilities": ["CHOWN"]}, "baseline"),
        ({"addCapabilities": ["SYS_ADMIN"]}, "privileged"),
        ({"seccompProfile": "Unconfined"}, "privileged"),
    ],
)
def test_opt_outs_get_the_level_that_admits_them_and_a_warning(security: dict[str, Any], level: str) -> None:
    fleet = fleet_of({**SERVING, "security": security})
    (namespace,) = [o for o in build(fleet) if o["kind"] == "Namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == level
    warnings = [str(w) for w in fleet.warnings]
    if level == "restricted":
        assert warnings == []
    else:
        assert warnings == [
            f"agents/worker.yaml: security: warning: its namespace enforces Pod Security '{level}' instead of "
            "'restricted' for these opt-outs"
        ]


def test_production_checks_every_image_of_every_track() -> None:
    canary = {
        **SERVING,
        "scaling": {"replicas": 2},
        "rollout": {"strategy": "canary", "canary": {"image": "ghcr.io/acme/worker:latest"}},
    }
    assert spec_problems(canary, environment="live", production=True, minReplicas=2) == [
        "agents/worker.yaml: rollout.canary.image: 'ghcr.io/acme/worker:latest' is not pinned, expected a version "
        "tag or @sha256 digest in the production stack test (':latest' moves)"
    ]
    colours = {
        **SERVING,
        "rollout": {
            "strategy": "blue-green",
            "blueGreen": {"blue": {"image": "ghcr.io/acme/worker:1"}, "green": {"image": "ghcr.io/acme/worker"}},
        },
    }
    assert spec_problems(colours, production=True) == [
        "agents/worker.yaml: rollout.blueGreen.green.image: 'ghcr.io/acme/worker' is not pinned, expected a version "
        "tag or @sha256 digest in the production stack test (':latest' moves)"
    ]
    # the environment's name is free: only `production` turns the rule on
    assert fleet_of({**SERVING, "image": "ghcr.io/acme/worker:latest"}, environment="prod").agents


def test_an_overlay_cannot_rename_an_agent() -> None:
    assert spec_problems(SERVING, overrides={"worker": {"name": "other"}}, defaults={"name": "x"}) == [
        "Pulumi.test.yaml: config.agentkube:defaults.name: cannot rename agents, expected the name in the spec file",
        "Pulumi.test.yaml: config.agentkube:overrides.worker.name: cannot rename agents, expected the name in the "
        "spec file",
    ]
