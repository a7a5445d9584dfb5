"""A. Render: `agentkube render` against PyYAML's floor and `helm template`; D. its peak memory.

All three write one multi-document YAML stream to /dev/null, so file-system noise stays out:
- ours: `agentkube render --stack bench -o -` in-process (spec loading, validation, build, YAML);
- floor: the same objects, prebuilt, through PyYAML's C dumper (`yaml.dump_all`, CSafeDumper);
- helm: `helm template` of bench/chart with the same agents as values, a process like
  `agentkube` as a command (whose own process time is reported too).

python bench/render.py [--sizes 10 100 1000] [--repeat 5] [--no-helm]
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentkube.cli.main import main as agentkube
from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from agentkube.fleet.loader import load_fleet
from bench.common import ROOT, arguments, median_seconds, peak_rss_mb, row
from bench.fleet import write_project

CHART = ROOT / "bench" / "chart"
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def ours_args(project: Path) -> list[str]:
    return ["render", "--stack", "bench", "--project", str(project), "--agents", str(project / "agents"), "-o", "-"]


def render_ours(project: Path) -> None:
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        assert agentkube(ours_args(project)) == 0


def render_ours_process(project: Path) -> None:
    command = [sys.executable, "-m", "agentkube", *ours_args(project)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def render_floor(objects: list[dict[str, object]]) -> None:
    with open(os.devnull, "w") as sink:
        sink.write(yaml.dump_all(objects, Dumper=Dumper, sort_keys=False))


def helm_values(project: Path, target: Path, namespace: str = "agentkube") -> None:
    fleet = load_fleet(project / "agents", "bench", project)
    agents = [
        {**a.model_dump(mode="json", by_alias=True, exclude_none=True), "version": a.resolved_version}
        for a in fleet.agents
    ]
    target.write_text(json.dumps({"namespace": namespace, "agents": agents}))


def render_helm(helm: str, values: Path) -> None:
    subprocess.run(
        [helm, "template", "agents", str(CHART), "-f", str(values)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_of(project: Path) -> float:
    """Peak RSS of a fresh `agentkube render` process."""
    return peak_rss_mb(
        "import contextlib, os\nfrom agentkube.cli.main import main\n"
        "with open(os.devnull, 'w') as s, contextlib.redirect_stdout(s), contextlib.redirect_stderr(s):\n"
        f"    main({ours_args(project)!r})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, [10, 100, 1000], 5)
    parser.add_argument("--no-helm", action="store_true", help="skip the helm baseline")
    args = parser.parse_args(argv)
    helm = None
    if not args.no_helm:
        installer = subprocess.run([str(ROOT / "bench" / "install-helm")], check=True, capture_output=True, text=True)
        helm = installer.stdout.split()[-1]
    widths = [6, 8, 9, 9, 9, 9, 9, 10, 10]
    print("A. render, medians of", args.repeat, "runs (seconds)")
    print(row(["agents", "objects", "ours", "floor", "ours cmd", "helm", "ours/flr", "cmd/helm", "objects/s"], widths))
    results: dict[int, tuple[float, float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.sizes:
            project = write_project(work / f"fleet-{n}", n)
            objects = without_secret_values(build(load_fleet(project / "agents", "bench", project)))
            ours = median_seconds(lambda p=project: render_ours(p), args.repeat)
            floor = median_seconds(lambda o=objects: render_floor(o), args.repeat)
            command = median_seconds(lambda p=project: render_ours_process(p), args.repeat)
            helm_s = float("nan")
            if helm:
                values = work / f"values-{n}.json"
                helm_values(project, values)
                helm_s = median_seconds(lambda v=values: render_helm(helm, v), args.repeat)
            results[n] = (ours, floor, command, helm_s)
            print(
                row(
                    [
                        n,
                        len(objects),
                        f"{ours:.3f}",
                        f"{floor:.3f}",
                        f"{command:.3f}",
                        f"{helm_s:.3f}",
                        f"{ours / floor:.2f}x",
                        f"{command / helm_s:.2f}x",
                        f"{len(objects) / ours:.0f}",
                    ],
                    widths,
                )
            )
        small, big = min(args.sizes), max(args.sizes)
        rss = rss_of(work / f"fleet-{big}")
    print(f"D. peak RSS of `agentkube render` at {big} agents: {rss:.0f} MiB")
    base_n = 100 if 100 in results and big != 100 else small  # the target compares N=1000 with N=100
    per_agent = (results[big][0] / big) / (results[base_n][0] / base_n)
    ours, floor, command, helm_s = results[big]
    print(
        f"summary: render at {big} agents {ours / floor:.2f}x the PyYAML floor (target <= 1.5x), "
        f"command {command / helm_s:.2f}x helm template (target < 1x), "
        f"per-agent time {per_agent:.2f}x of N={base_n} (target <= 1.2x), peak RSS {rss:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
