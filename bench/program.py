"""B. Program overhead under Pulumi mocks: agentkube's components against plain pulumi_kubernetes
resources for the same objects; D. peak memory of each at the largest N.

    python bench/program.py [--sizes 10 100 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pulumi

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_seconds, row
from bench.fleet import write_project
from components.loader import load_fleet
from components.manifests import build, without_secret_values
from components.pulumi_components import AgentFleet, register
from components.validation import Fleet

ROOT = Path(__file__).resolve().parent.parent


class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


def under_mocks(program: Any) -> None:
    pulumi.runtime.set_mocks(Echo(), project="agentkube", stack="bench", preview=False)
    pulumi.runtime.test(program)()


def ours(project: Path) -> None:
    """What `__main__` does: load and validate the specs, build, register through the components."""

    def program() -> None:
        fleet = load_fleet(project / "agents", "bench", project)
        AgentFleet("agentkube", fleet)

    under_mocks(program)


def baseline(objects: list[dict[str, Any]]) -> None:
    """The same objects, precomputed, declared one by one as pulumi_kubernetes resources."""

    def program() -> None:
        for obj in objects:
            register(obj, pulumi.ResourceOptions(), lambda key: pulumi.Output.secret(""))

    under_mocks(program)


def objects_of(fleet: Fleet) -> list[dict[str, Any]]:
    return without_secret_values(build(fleet))


def peak_rss_mb(which: str, project: Path) -> float:
    code = (
        f"import resource, sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path\n"
        "from bench.program import baseline, objects_of, ours\nfrom components.loader import load_fleet\n"
        f"p = Path({str(project)!r})\n"
        + ("ours(p)\n" if which == "ours" else "baseline(objects_of(load_fleet(p / 'agents', 'bench', p)))\n")
        + "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return int(out.split()[-1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    widths = [6, 9, 10, 10, 8, 12]
    print("B. program under mocks, medians of", args.repeat, "runs (seconds)")
    print(row(["agents", "resources", "agentkube", "baseline", "ratio", "ms/agent"], widths))
    results: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            project = write_project(Path(tmp) / f"fleet-{n}", n)
            objects = objects_of(load_fleet(project / "agents", "bench", project))
            ours_s = median_seconds(lambda p=project: ours(p), args.repeat)
            base_s = median_seconds(lambda o=objects: baseline(o), args.repeat)
            results[n] = (ours_s, base_s)
            print(
                row(
                    [
                        n,
                        len(objects),
                        f"{ours_s:.3f}",
                        f"{base_s:.3f}",
                        f"{ours_s / base_s:.2f}x",
                        f"{1000 * ours_s / n:.2f}",
                    ],
                    widths,
                )
            )
        small, big = min(args.sizes), max(args.sizes)
        project = Path(tmp) / f"fleet-{big}"
        rss_ours, rss_base = peak_rss_mb("ours", project), peak_rss_mb("baseline", project)
    print(f"D. peak RSS at {big} agents: agentkube {rss_ours:.0f} MiB, baseline {rss_base:.0f} MiB")
    per_agent = (results[big][0] / big) / (results[small][0] / small)
    ours_s, base_s = results[big]
    print(
        f"summary: program at {big} agents {ours_s / base_s:.2f}x the plain pulumi_kubernetes baseline "
        f"(target <= 1.15x), per-agent time {per_agent:.2f}x of N={small}, "
        f"peak RSS {rss_ours:.0f} vs {rss_base:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
