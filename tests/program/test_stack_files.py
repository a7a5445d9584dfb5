"""One reader of stack files: `agentkube validate` and the Pulumi program (under mocks) read the same stack file
to the same settings, or refuse it with the same lines; messages name the stack, never its `environment`."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from agentkube.components.program import load
from agentkube.fleet import Fleet, load_fleet
from agentkube.spec.problems import SpecError
from tests.helpers import Recorder

WORKER = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\nports: [{name: http, port: 8080}]\n"
INDEXER = (
    "name: indexer\nimage: ghcr.io/acme/indexer:1.0.0\n"
    "scaling: {autoscale: {min: 0, max: 3, triggers: [{prometheus: {query: 'sum(q)', threshold: '5'}}]}}\n"
)


def through_validate(project: Path, stack: str, monkeypatch: pytest.MonkeyPatch) -> Fleet | list[str]:
    """The fleet `agentkube validate --stack STACK` (run in the project) accepts, or the lines it refuses with."""
    monkeypatch.chdir(project)
    try:
        return load_fleet(Path("agents"), stack, Path("."))
    except SpecError as err:
        return [str(p) for p in err.problems]


def through_the_program(project: Path, stack: str, monkeypatch: pytest.MonkeyPatch) -> Fleet | list[str]:
    """The fleet the Pulumi program deploys for the same files, or the lines of its RunError."""
    monkeypatch.chdir(project)
    pulumi.runtime.set_mocks(Recorder(), project="agentkube", stack=stack, preview=False)
    pulumi.runtime.set_all_config({}, [])
    try:
        return load(Path("agents"), Path(f"Pulumi.{stack}.yaml"))
    except pulumi.RunError as err:
        return str(err).splitlines()[1:]


def project_with(tmp_path: Path, stack: str, config: str, *specs: str) -> Path:
    (tmp_path / "agents").mkdir()
    for spec in specs or (WORKER, INDEXER):
        (tmp_path / "agents" / f"{spec.split()[1]}.yaml").write_text(spec)
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(config)
    return tmp_path


CASES = {
    "bare setting": ("config:\n  keda: true\n", ["Pulumi.staging.yaml: config.keda: write it as agentkube:keda"]),
    "bare near miss": (
        "config:\n  agentkube:keda: true\n  minReplica: 2\n",
        [
            "Pulumi.staging.yaml: config.minReplica: unknown setting 'minReplica' (did you mean 'minReplicas'?); "
            "write settings as agentkube:<setting>"
        ],
    ),
    "bare secret": (
        "config:\n  agentkube:keda: true\n  searchApiKey: {secure: v1:abc}\n",
        [
            "Pulumi.staging.yaml: config.searchApiKey: a key needs its namespace: agentkube:searchApiKey for a "
            "setting or a config secret, or the provider's (e.g. kubernetes:context)"
        ],
    ),
    "no keda in a stack named apart from its environment": (
        "config:\n  agentkube:environment: dev\n",
        [
            "agents/indexer.yaml: scaling.autoscale.min: 0 needs KEDA (an HPA cannot scale to zero), which the staging "
            "stack does not declare; set `agentkube:keda: true` in Pulumi.staging.yaml once KEDA runs in its cluster, "
            "or min: 1"
        ],
    ),
    "an override that breaks a field it does not set": (
        "config:\n  agentkube:keda: true\n  agentkube:overrides: {worker: {rollout: {canary: {weight: 10}}}}\n",
        ["Pulumi.staging.yaml: config.agentkube:overrides.worker.rollout.canary.image: required field is missing"],
    ),
    "an override with a broken list item": (
        "config:\n  agentkube:keda: true\n"
        "  agentkube:overrides: {worker: {secrets: [{env: KEY, secretRef: {name: k}}]}}\n",
        ["Pulumi.staging.yaml: config.agentkube:overrides.worker.secrets[0].secretRef.key: required field is missing"],
    ),
    "a default that breaks every agent": (
        "config:\n  agentkube:keda: true\n  agentkube:defaults: {shutdown: {gracePeriodSeconds: soon}}\n",
        [
            "Pulumi.staging.yaml: config.agentkube:defaults.shutdown.gracePeriodSeconds: 'soon' is not a whole number, "
            "expected a whole number without quotes or units"
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_and_the_program_refuse_a_stack_file_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    config, expected = CASES[case]
    project = project_with(tmp_path, "staging", config)
    assert through_validate(project, "staging", monkeypatch) == expected
    assert through_the_program(project, "staging", monkeypatch) == expected


def test_validate_and_the_program_read_a_stack_file_to_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = (
        "config:\n  agentkube:environment: dev\n  agentkube:keda: true\n  agentkube:minReplicas: 1\n"
        "  agentkube:labels: {team: support}\n  agentkube:overrides: {worker: {scaling: {replicas: 3}}}\n"
        "  kubernetes:context: other\n"
    )
    project = project_with(tmp_path, "staging", config)
    validated = through_validate(project, "staging", monkeypatch)
    deployed = through_the_program(project, "staging", monkeypatch)
    assert isinstance(validated, Fleet) and isinstance(deployed, Fleet)
    assert validated.settings == deployed.settings and validated.settings.keda
    assert validated.agents == deployed.agents
    assert {a.name: a.scaling.replicas for a in deployed.agents}["worker"] == 3


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            "agentkube:production: true",
            "agents/worker.yaml: image: 'ghcr.io/acme/worker:latest' is not pinned, expected a version tag or @sha256 "
            "digest in the production stack staging (':latest' moves)",
        ),
        (
            "agentkube:minReplicas: 2",
            "agents/worker.yaml: scaling.replicas: 1 is below the minReplicas of the staging stack (2), expected at "
            "least 2",
        ),
    ],
)
def test_messages_name_the_stack_not_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str, expected: str
) -> None:
    spec = WORKER.replace(":1.0.0", ":latest")
    project = project_with(tmp_path, "staging", f"config:\n  agentkube:environment: prod\n  {settings}\n", spec)
    assert through_validate(project, "staging", monkeypatch) == [expected]
    assert through_the_program(project, "staging", monkeypatch) == [expected]


def test_a_setting_given_project_wide_is_refused_by_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_with(tmp_path, "staging", "config:\n  agentkube:minReplicas: 1\n")
    (project / "Pulumi.yaml").write_text(
        "name: agentkube\nruntime: python\nconfig:\n  agentkube:keda: true\n  region: {type: string}\n"
        "  kubernetes:context: {default: kind}\n"
    )
    expected = [
        "Pulumi.yaml: config.agentkube:keda: agentkube reads settings from stack files only: set it in each "
        "Pulumi.<stack>.yaml as agentkube:keda"
    ]
    assert through_validate(project, "staging", monkeypatch) == expected
    assert through_the_program(project, "staging", monkeypatch) == expected


def test_a_yaml_boolean_in_a_stack_overlay_names_the_words_yaml_reads_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(
        tmp_path, "staging", "config:\n  agentkube:keda: true\n  agentkube:defaults: {env: {DEBUG: on}}\n"
    )
    expected = [
        "Pulumi.staging.yaml: config.agentkube:defaults.env.DEBUG: is the boolean true (YAML reads unquoted yes, no, "
        "on, off, true, false so), expected text: quote the word written (e.g. 'on')"
    ]
    assert through_validate(project, "staging", monkeypatch) == expected
    assert through_the_program(project, "staging", monkeypatch) == expected
