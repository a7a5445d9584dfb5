"""`agentkube analyze` against a real Prometheus (built from its Go module) fed by backfilled samples."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.helpers import RunLine
from tests.prometheus import install, merged, serving, traffic

SPEC = """name: worker
image: ghcr.io/acme/worker:1.0.0
ports: [{name: http, port: 8080}]
rollout:
  strategy: canary
  canary:
    image: ghcr.io/acme/worker:1.1.0
    weight: 10
    analysis:
      metrics:
        - {builtin: errorRate, maxRatioToStable: 1.5}
        - {builtin: tokensPerRequest, maxRatioToStable: 1.5}
        - {builtin: errorRate, name: error-ceiling, max: 0.2}
"""


def analyze_args(project: Path, *extra: str) -> list[str]:
    """`agentkube analyze worker` on the test project's dev stack, then `extra`."""
    return [
        "agentkube",
        "analyze",
        "worker",
        "--stack",
        "dev",
        "--project",
        str(project),
        "--agents",
        str(project / "agents"),
        *extra,
    ]


@pytest.fixture(scope="module")
def prometheus_tools() -> Path:
    return install()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "worker.yaml").write_text(SPEC)
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  agentkube:environment: dev\n")
    return tmp_path


Analyze = Callable[..., tuple[int, dict]]


@pytest.fixture
def analyze(project: Path, prometheus_tools: Path, tmp_path: Path, run_line: RunLine) -> Iterator[Analyze]:
    def analyzed(families: dict[str, str], *extra: str) -> tuple[int, dict]:
        with serving(prometheus_tools, tmp_path / "prometheus", families) as url:
            done = run_line(analyze_args(project, "--prometheus", url, "--output", "json", *extra))
        return done.code, json.loads(done.out)

    (tmp_path / "prometheus").mkdir()
    yield analyzed


def by_check(report: dict) -> dict[str, dict]:
    return {r["check"]: r for r in report["results"]}


def test_a_healthy_canary_passes_with_both_tracks_values(analyze: Analyze) -> None:
    code, report = analyze(merged(traffic("stable", 0.02, 800), traffic("canary", 0.025, 850)))
    assert (code, report["verdict"]) == (0, "pass")
    checks = by_check(report)
    assert checks["errorRate"]["stable"] == pytest.approx(0.02, rel=0.05)
    assert checks["errorRate"]["canary"] == pytest.approx(0.025, rel=0.05)
    assert checks["tokensPerRequest"]["canary"] == pytest.approx(850, rel=0.05)
    assert {r["verdict"] for r in report["results"]} == {"pass"}


@pytest.mark.parametrize(("errors", "tokens", "failed"), [(0.1, 800, "errorRate"), (0.02, 4000, "tokensPerRequest")])
def test_a_canary_five_times_worse_than_stable_fails(
    analyze: Analyze, errors: float, tokens: float, failed: str
) -> None:
    code, report = analyze(merged(traffic("stable", 0.02, 800), traffic("canary", errors, tokens)))
    assert (code, report["verdict"]) == (1, "fail")
    verdicts = {name: r["verdict"] for name, r in by_check(report).items()}
    assert verdicts[failed] == "fail"
    assert list(verdicts.values()).count("fail") == 1
    assert "x stable" in by_check(report)[failed]["reason"]


def test_no_data_for_the_canary_is_inconclusive_never_a_pass(analyze: Analyze) -> None:
    code, report = analyze(traffic("stable", 0.02, 800))
    assert (code, report["verdict"]) == (3, "inconclusive")
    assert all(r["canary"] is None and r["verdict"] == "inconclusive" for r in report["results"])


def test_text_output_is_a_table_with_the_verdict(
    project: Path, prometheus_tools: Path, tmp_path: Path, run_line: RunLine
) -> None:
    (tmp_path / "p").mkdir()
    with serving(
        prometheus_tools, tmp_path / "p", merged(traffic("stable", 0.02, 800), traffic("canary", 0.1, 800))
    ) as url:
        done = run_line(analyze_args(project, "--prometheus", url, "--window", "10m"))
    out = done.out
    assert done.code == 1
    assert out.splitlines()[0].split() == ["CHECK", "STABLE", "CANARY", "BOUND", "VERDICT", "WHY"]
    assert "errorRate" in out and "<= 1.5x stable" in out and "fail" in out
    assert "worker: fail over the last 10m" in out


def test_an_unreachable_prometheus_is_a_clear_error_and_changes_nothing(project: Path, run_line: RunLine) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    done = run_line(analyze_args(project, "--prometheus", "http://127.0.0.1:9"))
    err = done.err
    assert done.code == 4
    assert "Prometheus at http://127.0.0.1:9 is unreachable" in err and "--prometheus URL" in err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_an_agent_without_checks_says_how_to_add_them(project: Path, run_line: RunLine) -> None:
    (project / "agents" / "worker.yaml").write_text("name: worker\nimage: ghcr.io/acme/worker:1.0.0\n")
    done = run_line(analyze_args(project))
    err = done.err
    assert done.code == 4
    assert "worker.yaml: rollout.canary.analysis.metrics: worker has no canary checks" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["release", "worker", "--steps", "0,50"], "--steps: every weight must be 1..100, got '0,50'"),
        (["release", "worker", "--steps", "ten"], "--steps takes weights such as 10,25,50,100, not 'ten'"),
        (["release", "worker", "--pause", "5 minutes"], "expected a duration such as 30s, 10m or 1h"),
        (["analyze", "worker", "--window", "1d"], "expected a duration such as 30s, 10m or 1h"),
        (["analyze", "worker", "--window", "0m"], "expected a duration above 0 such as 30s, 10m or 1h, not '0m'"),
        (
            ["analyze", "worker", "--prometheus", "prometheus.monitoring:9090"],
            "'prometheus.monitoring:9090' is not a Prometheus URL, expected http://HOST:PORT or https://HOST:PORT",
        ),
        (["release", "worker", "--prometheus", "http://p:9090/api"], "is not a Prometheus URL"),
    ],
)
def test_bad_release_arguments_are_usage_errors(
    project: Path, run_line: RunLine, args: list[str], message: str
) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    done = run_line(
        ["agentkube", *args, "--stack", "dev", "--project", str(project), "--agents", str(project / "agents")]
    )
    assert done.code == 2
    assert message in done.err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


ANCHORED = """name: worker
image: ghcr.io/acme/worker:1.0.0
ports: [{name: http, port: 8080}]
rollout:
  strategy: canary
  canary:
    image: ghcr.io/acme/worker:1.1.0
    traffic: TRAFFIC
    analysis:
      metrics:
        - name: server-errors
          query: 'sum(rate(http_requests_total{agent="$agent",track="$track",code=~"5..$"}[$window]))'
          max: 0.1
"""


def test_a_regex_anchor_in_a_query_is_sent_to_prometheus_not_a_traceback(project: Path, run_line: RunLine) -> None:
    (project / "agents" / "worker.yaml").write_text(ANCHORED.replace("TRAFFIC", "replicas"))
    done = run_line(analyze_args(project, "--prometheus", "http://127.0.0.1:9"))
    assert done.code == 4  # it got as far as asking
    (line,) = done.err.splitlines()
    assert line.startswith("agentkube: Prometheus at http://127.0.0.1:9 is unreachable")


def test_an_argo_canary_with_a_regex_anchor_renders(project: Path, run_line: RunLine) -> None:
    (project / "agents" / "worker.yaml").write_text(ANCHORED.replace("TRAFFIC", "argo"))
    args = ["--stack", "dev", "--project", str(project), "--agents", str(project / "agents")]
    done = run_line(["agentkube", "render", *args, "-o", "-"])
    assert done.code == 0, done.err
    (template,) = [o for o in yaml.safe_load_all(done.out) if o and o["kind"] == "AnalysisTemplate"]
    assert template["spec"]["metrics"][0]["provider"]["prometheus"]["query"] == (
        'sum(rate(http_requests_total{agent="worker",rollouts_pod_template_hash="{{args.canary-hash}}",'
        'code=~"5..$"}[5m]))'
    )


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (
            ('track="$track"', 'track="{{args.canary-hash}}"'),
            "worker.yaml: rollout.canary.analysis.metrics[0].query: '{{args.canary-hash}}' is Go/Helm/Argo template "
            "syntax, which agentkube does not fill; a query may use $agent, $namespace, $track, $window",
        ),
        (("$window", "$__rate_interval"), "metrics[0].query: unknown placeholder $__rate_interval"),
        (("max: 0.1", "max: 0.1\n          min: 0.5"), "metrics[0]: min (0.5) is above max (0.1): no value can pass"),
        (("metrics:", "window: 0s\n      metrics:"), "rollout.canary.analysis.window: '0s' is not valid"),
    ],
)
def test_bad_analysis_input_is_one_line_naming_the_field(
    project: Path, run_line: RunLine, edit: tuple[str, str], line: str
) -> None:
    (project / "agents" / "worker.yaml").write_text(ANCHORED.replace("TRAFFIC", "replicas").replace(*edit))
    done = run_line(analyze_args(project, "--prometheus", "http://127.0.0.1:9"))
    assert done.code == 4
    (first, *rest) = done.err.splitlines()
    assert line in first and "agents/worker.yaml: rollout.canary.analysis" in first
    assert "Traceback" not in done.err and all("problem(s) found" in r for r in rest)


def test_a_prometheus_address_without_a_scheme_is_refused_reading_the_stack(project: Path, run_line: RunLine) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  agentkube:prometheusAddress: prometheus.monitoring:9090\n")
    done = run_line(analyze_args(project))
    assert done.code == 4
    assert (
        "Pulumi.dev.yaml: config.agentkube:prometheusAddress: 'prometheus.monitoring:9090' is not valid, "
        "expected http://HOST:PORT or https://HOST:PORT" in done.err.splitlines()[0]
    )
    assert "Traceback" not in done.err
