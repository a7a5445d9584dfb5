"""The agentkube command on the example fleet and on broken copies of it."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from tests.helpers import HASH_SEEDS, ROOT, RunLine, stack_fleet, stdout_per_hash_seed


def broken_copy(tmp_path: Path, file: str, text: str) -> Path:
    agents = tmp_path / "agents"
    shutil.copytree(ROOT / "agents", agents)
    (agents / file).write_text(text)
    for stack in ("dev", "prod"):
        shutil.copy(ROOT / f"Pulumi.{stack}.yaml", tmp_path)
    return tmp_path


def test_validate_example_fleet(run_line: RunLine) -> None:
    done = run_line(["agentkube", "validate", "--stack", "dev"])
    assert done.code == 0
    assert done.out == (
        "valid: 8 agents in 3 layers for stack dev (code-runner, coder, evaluator, indexer, orchestrator, "
        "researcher, tool-server, vector-store)\n"
    )


def test_validate_broken_copy_lists_every_problem(
    tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = broken_copy(
        tmp_path,
        "researcher.yaml",
        "name: researcher\nimage: r:1\nreplicaz: 2\nresources: {requests: {memory: 500mb}}\n",
    )
    monkeypatch.chdir(project)
    captured = run_line(["agentkube", "validate", "--stack", "dev"])
    assert captured.code == 1
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "agents/researcher.yaml: replicaz: unknown field 'replicaz', expected one of: args, command, config, "
        "dependsOn, disruption, egress, env, expose, health, image, isolation, job, kind, layer, mcp, metrics, name, "
        "ports, resources, rollout, sandbox, scaling, scheduling, secrets, security, serviceAccount, shutdown, "
        "storage, tracing, version",
        "agents/researcher.yaml: resources.requests.memory: '500mb' is not a Kubernetes quantity, expected a number "
        "with an optional suffix such as 250m, 1, 512Mi or 2Gi (did you mean '500Mi'?)",
        "2 problem(s) found; nothing was rendered or deployed",
    ]
    assert "Traceback" not in captured.err


CODER_WITH_UNKNOWN_DEPENDENCY = "name: coder\nimage: c:1\nports: [{name: http, port: 80}]\ndependsOn: [nobody]\n"


def test_validate_json_output(tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(broken_copy(tmp_path, "coder.yaml", CODER_WITH_UNKNOWN_DEPENDENCY))
    done = run_line(["agentkube", "validate", "--stack", "dev", "--output", "json"])
    assert done.code == 1
    report = json.loads(done.out)
    assert report == {
        "valid": False,
        "problems": [{"file": "agents/coder.yaml", "path": "dependsOn[0]", "message": "no agent named 'nobody'"}],
    }


def test_malformed_yaml_exits_1_with_the_line(
    tmp_path: Path, run_line: RunLine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(broken_copy(tmp_path, "coder.yaml", "name: coder\n  image: c:1\n"))
    done = run_line(["agentkube", "validate"])
    assert done.code == 1
    assert done.err.startswith("agents/coder.yaml: line 2, column 8: malformed YAML: ")


def test_usage_errors_exit_2(run_line: RunLine) -> None:
    done = run_line(["agentkube", "render"])
    assert done.code == 2
    assert "--stack" in done.err
    assert run_line(["agentkube", "bogus"]).code == 2
    done = run_line(["agentkube", "validate", "--stack", "staging"])
    assert done.code == 1
    assert "no such stack file; stacks here: dev, prod" in done.err


def test_help_shows_an_example(run_line: RunLine) -> None:
    done = run_line(["agentkube", "render", "--help"])
    assert done.code == 0
    assert "agentkube render --stack dev -o rendered/dev" in done.out


@pytest.mark.parametrize(
    ("command", "codes"),
    [
        ([], [0, 1, 2, 3, 4, 5, 130]),
        (["analyze"], [0, 1, 2, 3, 4]),
        (["release"], [0, 1, 2, 3, 4, 5, 130]),
        (["promote"], [0, 1, 2, 5]),
        (["abort"], [0, 1, 2, 5]),
    ],
)
def test_help_lists_the_exit_codes_the_command_returns(command: list[str], codes: list[int], run_line: RunLine) -> None:
    done = run_line(["agentkube", *command, "--help"])
    assert done.code == 0
    listed = done.out.split("exit codes:\n")[1].splitlines()
    assert [int(line.split()[0]) for line in listed if line.startswith("  ")] == codes


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_stdout_is_the_core_output_in_deterministic_bytes(stack: str, run_line: RunLine) -> None:
    first = run_line(["agentkube", "render", "--stack", stack, "-o", "-"])
    assert first.code == 0
    runs = stdout_per_hash_seed(sys.executable, "-m", "agentkube", "render", "--stack", stack, "-o", "-")
    assert runs == dict.fromkeys(HASH_SEEDS, first.out)  # the same bytes whatever the interpreter's hash seed
    docs = list(yaml.safe_load_all(first.out))
    assert docs == json.loads(json.dumps(without_secret_values(build(stack_fleet(stack)))))
    assert "searchApiKey" in first.err and "kubectl" in first.err  # how the secret value reaches the cluster


def test_render_directory_layout_and_safety(tmp_path: Path, run_line: RunLine) -> None:
    out = tmp_path / "out"
    assert run_line(["agentkube", "render", "--stack", "prod", "-o", str(out)]).code == 0
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    assert "agentkube-orchestration/deployment-orchestrator.yaml" in files
    assert "cluster/priorityclass-agentkube-orchestration.yaml" in files
    assert len(files) == len(without_secret_values(build(stack_fleet("prod"))))
    assert (
        run_line(["agentkube", "render", "--stack", "prod", "-o", str(out)]).code == 0
    )  # our own directory is replaced
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    done = run_line(["agentkube", "render", "--stack", "dev", "-o", str(foreign)])
    assert done.code == 2
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert "was not written by agentkube render" in done.err


def test_schema_command(run_line: RunLine) -> None:
    done = run_line(["agentkube", "schema"])
    assert done.code == 0
    schema = json.loads(done.out)
    assert schema["title"] == "agentkube agent spec"
    assert schema["required"] == ["name", "image"]
    assert schema["additionalProperties"] is False


def test_plan_table_and_json(run_line: RunLine) -> None:
    done = run_line(["agentkube", "plan", "--stack", "prod", "--output", "json"])
    assert done.code == 0
    report = json.loads(done.out)
    researcher = next(a for a in report["agents"] if a["agent"] == "researcher")
    # weight 10 by the route (prod's override): stable keeps 2..20 and the canary adds 1..2 under their HPAs
    assert (researcher["replicas_min"], researcher["replicas_max"]) == (3, 22)
    assert researcher["strategy"] == "canary 10% (gateway)"
    assert (researcher["cpu_min"], researcher["cpu_max"]) == ("750m", "5500m")
    assert (researcher["memory_min"], researcher["memory_max"]) == ("1536Mi", "11Gi")
    tool_server = next(a for a in report["agents"] if a["agent"] == "tool-server")
    assert (tool_server["replicas_min"], tool_server["replicas_max"]) == (4, 4)  # two full colours
    assert report["total"]["gpu_min"] == 2  # coder: 2 replicas in prod, 1 GPU each
    assert [row["agent"] for row in report["layers"]] == [
        "orchestration total",
        "agent-pool total",
        "infrastructure total",
    ]
    assert {t["name"]: t["used_by"] for t in report["toolServers"]} == {
        "code-runner": ["coder"],
        "tool-server": ["coder", "orchestrator", "researcher"],
    }
    done = run_line(["agentkube", "plan", "--stack", "dev"])
    assert done.code == 0
    table = done.out.splitlines()
    assert table[1].split() == ["AGENT", "LAYER", "ROLLOUT", "REPLICAS", "CPU", "MEMORY", "GPU"]
    tools = table.index("MCP tool servers:")
    assert table[tools - 1].split()[:2] == ["fleet", "total"]
    assert table[tools + 2] == (
        "  tool-server: http://tool-server.agentkube-agent-pool.svc:8080/mcp (streamable-http), "
        "used by coder, orchestrator, researcher"
    )
