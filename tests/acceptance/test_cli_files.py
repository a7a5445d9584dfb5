"""`agentkube validate` end to end on the files a team writes: specs in subdirectories, YAML merge keys,
and a stack file with a key written without its namespace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, RunLine


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "agents", tmp_path / "agents")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_spec_in_a_subdirectory_is_validated_with_the_rest(project: Path, run_line: RunLine) -> None:
    before = run_line(["agentkube", "validate", "--stack", "dev"])
    assert before.code == 0 and "valid: 8 agents" in before.out
    (project / "agents" / "infra").mkdir()
    (project / "agents" / "vector-store.yaml").rename(project / "agents" / "infra" / "vector-store.yaml")
    done = run_line(["agentkube", "validate", "--stack", "dev"])
    assert done.code == 0 and done.out == before.out
    assert done.err == before.err.replace("agents/vector-store.yaml", "agents/infra/vector-store.yaml")
    (project / "agents" / "infra" / "vector-store.yaml").write_text("name: [vector-store\n")
    broken = run_line(["agentkube", "validate", "--stack", "dev"])
    assert broken.code == 1 and broken.err.startswith(
        "agents/infra/vector-store.yaml: line 2, column 1: malformed YAML"
    )


def test_merge_keys_are_read_as_yaml_defines_them(project: Path, run_line: RunLine) -> None:
    spec = project / "agents" / "indexer.yaml"
    text = spec.read_text()
    requests, limits = "  requests: {cpu: 250m, memory: 512Mi}\n", '  limits: {cpu: "1", memory: 1Gi}\n'
    assert requests in text and limits in text
    spec.write_text(text.replace(limits, '  limits: {cpu: "1", memory: 512Mi}\n'))  # what the merge below says
    spelt_out = run_line(["agentkube", "render", "--stack", "dev", "-o", "-"])
    assert spelt_out.code == 0
    merged = text.replace(requests, requests.replace("{", "&small {")).replace(
        limits, '  limits:\n    <<: *small\n    cpu: "1"\n'
    )
    spec.write_text(merged)
    done = run_line(["agentkube", "validate", "--stack", "dev"])
    assert done.code == 0 and "valid: 8 agents" in done.out and "Traceback" not in done.err
    assert run_line(["agentkube", "render", "--stack", "dev", "-o", "-"]).out == spelt_out.out


def test_a_stack_key_without_its_namespace_is_refused(project: Path, run_line: RunLine) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("  agentkube:keda: true", "  keda: true"))
    done = run_line(["agentkube", "validate", "--stack", "dev"])
    assert done.code == 1
    assert done.err.splitlines()[0] == "Pulumi.dev.yaml: config.keda: write it as agentkube:keda"
    assert "Traceback" not in done.err
