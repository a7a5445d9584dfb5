"""B. Program overhead under Pulumi mocks: agentkube's components against plain pulumi_kubernetes
resources for the same objects; D. peak memory of each at the largest N.

    python bench/program.py [--sizes 10 100 1000] [--repeat 5]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import pulumi

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentkube.components import fleet as component
from agentkube.components.resources import register
from agentkube.core.build import build
from agentkube.core.secrets import without_secret_values
from agentkube.fleet import Fleet
from agentkube.fleet.loader import load_fleet
from bench.common import arguments, median_seconds, peak_rss_mb, row
from bench.fleet import write_project


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
        component.Fleet("agentkube", fleet)

    under_mocks(program)


def baseline(objects: list[dict[str, Any]]) -> None:
    """The same objects, precomputed, declared one by one as pulumi_kubernetes resources."""

    def program() -> None:
        for obj in objects:
            register(obj, pulumi.ResourceOptions(), lambda key: pulumi.Output.secret(""))

    under_mocks(program)


def objects_of(fleet: Fleet) -> list[dict[str, Any]]:
    return without_secret_values(build(fleet))


def rss_of(which: str, project: Path) -> float:
    """Peak RSS of a fresh process running one program at the fleet of `project`."""
    run = "ours(p)" if which == "ours" else "baseline(objects_of(load_fleet(p / 'agents', 'bench', p)))"
    return peak_rss_mb(
        "from pathlib import Path\nfrom bench.program import baseline, objects_of, ours\n"
        f"from agentkube.fleet.loader import load_fleet\np = Path({str(project)!r})\n{run}"
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, [10, 100, 1000], 5).parse_args(argv)
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
        rss_ours, rss_base = rss_of("ours", project), rss_of("baseline", project)
    print(f"D. peak RSS at {big} agents: agentkube {rss_ours:.0f} MiB, baseline {rss_base:.0f} MiB")
    base_n = 100 if 100 in results and big != 100 else small
    per_agent = (results[big][0] / big) / (results[base_n][0] / base_n)
    ours_s, base_s = results[big]
    print(
        f"summary: program at {big} agents {ours_s / base_s:.2f}x the plain pulumi_kubernetes baseline "
        f"(target <= 1.15x), per-agent time {per_agent:.2f}x of N={base_n} (target <= 1.2x), "
        f"peak RSS {rss_ours:.0f} vs {rss_base:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
