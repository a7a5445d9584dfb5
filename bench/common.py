"""Timing helpers: medians of repeated runs, printed as tables with ratios."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_program(project: Path) -> None:
    """The example project's program into `project`: Pulumi.yaml, __main__.py and the components/ it imports."""
    shutil.copy(ROOT / "Pulumi.yaml", project)
    shutil.copy(ROOT / "__main__.py", project)
    shutil.copytree(ROOT / "components", project / "components")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` runs after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(cells: list[object], widths: list[int]) -> str:
    return "  ".join(str(c).rjust(w) for c, w in zip(cells, widths, strict=True))


def arguments(doc: str | None, sizes: list[int], repeat: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: sizes and repetitions."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes, help=f"agent counts (default: {sizes})")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"runs per measurement (default: {repeat})")
    return parser


def peak_rss_mb(code: str) -> float:
    """Max RSS of a fresh Python process running `code` from the repo root, read inside that process."""
    script = f"{code}\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return int(out.split()[-1]) / 1024
