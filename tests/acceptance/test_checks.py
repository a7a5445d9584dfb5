"""Checks on what we generate, by tools nobody here wrote: Kubernetes schemas and checkov."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from kubernetes_validate.utils import all_versions

from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from agentkube.render.files import write_render_dir
from agentkube.render.schema import SCHEMA_FILE
from tests.acceptance.test_crds import CUSTOM, job_of, validate_custom
from tests.helpers import KUBERNETES_FLOOR, ROOT, fleet_of, stack_fleet

VERSIONS = sorted(
    {v for v in all_versions() if tuple(map(int, v.split(".")[:2])) >= KUBERNETES_FLOOR},
    key=lambda v: tuple(map(int, v.split("."))),
)


def rendered(stack: str) -> list[dict[str, Any]]:
    plain: list[dict[str, Any]] = json.loads(json.dumps(without_secret_values(build(stack_fleet(stack)))))
    return plain


def strict_errors(objects: list[dict[str, Any]], version: str) -> list[str]:
    """Objects against the Kubernetes schemas of `version`, custom resources against their CRD schemas, and the
    Job of every ScaledJob as a Job."""
    errors = []
    for obj in objects:
        try:
            if obj["apiVersion"] in CUSTOM:
                validate_custom(obj)
                if obj["kind"] == "ScaledJob":
                    kubernetes_validate.validate(job_of(obj), version, strict=True)
            else:
                kubernetes_validate.validate(obj, version, strict=True)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as err:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {err.message}")
    return errors


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_is_valid_in_strict_mode(stack: str, version: str) -> None:
    assert strict_errors(rendered(stack), version) == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_example_fleet_renders_every_kind_of_keda_object(stack: str) -> None:
    assert {"ScaledObject", "ScaledJob", "TriggerAuthentication"} <= {o["kind"] for o in rendered(stack)}


def test_versions_cover_1_30_to_the_newest_shipped() -> None:
    assert VERSIONS[0].startswith("1.30") and len(VERSIONS) >= 5


def checkov_report(objects: list[dict[str, Any]], directory: Path) -> dict[str, Any]:
    """checkov's JSON report on `objects` written as a render directory."""
    checkov = shutil.which("checkov", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    assert checkov, "checkov is installed by scripts/bootstrap"
    write_render_dir(objects, directory)
    run = subprocess.run(
        [
            checkov,
            "--skip-download",
            "--framework",
            "kubernetes",
            "-d",
            str(directory),
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=directory.parent,
        check=False,
    )
    report: dict[str, Any] = json.loads(run.stdout)
    return report


def assert_clean(report: dict[str, Any], passed: int) -> None:
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == [] and summary["failed"] == 0
    assert summary["passed"] >= passed, summary
    skipped = {c["check_id"] for c in report["results"]["skipped_checks"]}
    assert skipped <= {
        "CKV_K8S_43",
        "CKV_K8S_35",
        "CKV_K8S_40",
        "CKV_K8S_38",
    }  # the skips docs/guides/security-and-checks.md lists
    tokens = {c["resource"] for c in report["results"]["skipped_checks"] if c["check_id"] == "CKV_K8S_38"}
    assert all(r.startswith("CronJob.") and r.endswith("-recycler") for r in tokens), tokens  # only recyclers


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_checkov_finds_nothing_with_default_settings(stack: str, tmp_path: Path) -> None:
    """checkov knows no ScaledJob: each is also scanned as the Job KEDA makes of it, with the ScaledJob's metadata."""
    objects = rendered(stack)
    jobs = [{**job_of(o), "metadata": o["metadata"]} for o in objects if o["kind"] == "ScaledJob"]
    report = checkov_report(objects + jobs, tmp_path / stack)
    assert_clean(report, passed=900)  # 1002 (dev) and 1004 (prod) with checkov 3.3.30
    assert any(c["resource"].startswith("Job.") for c in report["results"]["passed_checks"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_secure_defaults_on_every_pod_template(stack: str) -> None:
    overridden = {"vector-store"}  # runAsUser set explicitly in its spec
    for obj in rendered(stack):
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        scratch = "2Gi" if obj["metadata"]["name"] == "code-runner" else "1Gi"  # its isolation.ephemeralStorage
        assert {"name": "tmp", "emptyDir": {"sizeLimit": scratch}} in pod["volumes"]
        for container in pod["containers"]:
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"]["drop"] == ["ALL"]
            assert ctx["runAsNonRoot"] is True
            assert ctx["runAsUser"] >= 10000 or obj["metadata"]["name"] in overridden
            assert set(container["resources"]["requests"]) >= {"cpu", "memory"}
            assert set(container["resources"]["limits"]) >= {"cpu", "memory"}
            assert {"readinessProbe", "livenessProbe"} <= set(container)


STATEFUL_AND_SCHEDULED = (
    {
        "name": "store",
        "image": "ghcr.io/acme/store:1.0.0",
        "ports": [{"name": "http", "port": 6333}],
        "storage": {"size": "10Gi", "mountPath": "/data", "storageClass": "standard"},
        "scaling": {"replicas": 3},
    },
    {
        "name": "nightly",
        "image": "ghcr.io/acme/nightly:1.0.0",
        "kind": "job",
        "job": {"schedule": "0 2 * * *", "timeZone": "Europe/Berlin", "activeDeadlineSeconds": 3600},
        "dependsOn": ["store"],
    },
)


@pytest.mark.parametrize("version", [VERSIONS[0], VERSIONS[-1]])
def test_stateful_and_scheduled_agents_are_valid_in_strict_mode(version: str) -> None:
    objects = json.loads(json.dumps(without_secret_values(build(fleet_of(*STATEFUL_AND_SCHEDULED)))))
    assert {"StatefulSet", "CronJob"} <= {o["kind"] for o in objects}
    assert strict_errors(objects, version) == []


def test_checkov_finds_nothing_in_stateful_and_scheduled_agents(tmp_path: Path) -> None:
    objects = json.loads(json.dumps(without_secret_values(build(fleet_of(*STATEFUL_AND_SCHEDULED)))))
    report = checkov_report(objects, tmp_path / "stateful")
    assert_clean(report, passed=100)
    scanned = {c["resource"].split(".")[0] for c in report["results"]["passed_checks"]}
    assert {"StatefulSet", "CronJob"} <= scanned


def test_example_specs_validate_against_the_json_schema() -> None:
    import jsonschema
    import yaml

    schema = json.loads((ROOT / SCHEMA_FILE).read_text())
    for path in sorted((ROOT / "agents").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "image": "y:1", "replicas": 2}, schema)
