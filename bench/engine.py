"""C. The real engine: `pulumi preview`, `pulumi up` and a no-change `up` in render mode on a local
backend, agentkube's program against bench/baseline (same objects, declared directly).

    python bench/engine.py [--sizes 10 100 300] [--repeat 3] [--checkpoints]

By default both run with PULUMI_SKIP_CHECKPOINTS=true: the file backend otherwise rewrites the
whole state after every resource, which costs O(N^2) and would hide the programs' own cost
(`--checkpoints` measures with them).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentkube.core.build import fleet_objects
from agentkube.core.secrets import without_secret_values
from agentkube.fleet.loader import load_fleet
from agentkube.ops.environment import pulumi_env
from bench.common import ROOT, arguments, copy_program, row
from bench.fleet import write_project


def prepare(work: Path, n: int, program: str) -> Path:
    project = write_project(work / f"{program}-{n}", n)
    (project / ".venv").symlink_to(ROOT / ".venv")
    (project / ".pulumi").mkdir()
    if program == "agentkube":
        copy_program(project)
    else:
        shutil.copy(ROOT / "bench" / "baseline" / "__main__.py", project)
        (project / "Pulumi.yaml").write_text("name: agentkube-baseline\nruntime: python\n")
        fleet = load_fleet(project / "agents", "bench", project)
        objects = fleet_objects(fleet)
        groups = [
            {"name": f"layer-{layer}", "dependsOn": [], "objects": without_secret_values(objs)}
            for layer, objs in objects.layers.items()
        ]
        layers = [g["name"] for g in groups]
        groups += [
            {
                "name": spec.name,
                "dependsOn": layers + spec.depends_on,
                "objects": without_secret_values(objects.agents[spec.name]),
            }
            for spec in fleet.dependency_order()
        ]
        (project / "objects.json").write_text(json.dumps({"groups": groups}))
    return project


def pulumi(project: Path, env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["pulumi", *args, "--stack", "bench"],
        cwd=project,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - start


def measure(project: Path, env: dict[str, str]) -> tuple[float, float, float, int]:
    """(preview, up, no-change up) seconds from an empty stack; resources in the stack."""
    shutil.rmtree(project / ".pulumi")
    (project / ".pulumi").mkdir()
    shutil.rmtree(project / "rendered", ignore_errors=True)
    pulumi(project, env, "stack", "init", "--secrets-provider", "passphrase")
    preview = pulumi(project, env, "preview")
    up = pulumi(project, env, "up", "--yes", "--skip-preview")
    again = pulumi(project, env, "up", "--yes", "--skip-preview")
    exported = subprocess.run(
        ["pulumi", "stack", "export", "--stack", "bench"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return preview, up, again, len(json.loads(exported)["deployment"]["resources"])


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, [10, 100, 300], 3)
    parser.add_argument("--checkpoints", action="store_true", help="keep the file backend's per-step checkpoints")
    args = parser.parse_args(argv)
    tools = subprocess.run(
        [str(ROOT / "scripts" / "install-pulumi")], check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    print(
        f"C. real engine, render mode, local backend, checkpoints {'on' if args.checkpoints else 'off'}; "
        f"medians of {args.repeat} (seconds)"
    )
    widths = [6, 10, 9, 8, 8, 8, 9, 9, 9]
    print(
        row(
            ["agents", "program", "resources", "preview", "up", "no-op up", "ms/res up", "up ratio", "pv ratio"], widths
        )
    )
    summary: dict[int, dict[str, tuple[float, float, float, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            summary[n] = {}
            for program in ("baseline", "agentkube"):
                project = prepare(Path(tmp), n, program)
                env = {**pulumi_env(project, tools=tools, own_backend=True), "PULUMI_CONFIG_PASSPHRASE": "bench"}
                if not args.checkpoints:
                    env["PULUMI_SKIP_CHECKPOINTS"] = "true"
                runs = [measure(project, env) for _ in range(args.repeat)]
                med = tuple(statistics.median(r[i] for r in runs) for i in range(3))
                summary[n][program] = (*med, runs[0][3])  # type: ignore[assignment]
                base = summary[n]["baseline"]
                print(
                    row(
                        [
                            n,
                            program,
                            runs[0][3],
                            f"{med[0]:.2f}",
                            f"{med[1]:.2f}",
                            f"{med[2]:.2f}",
                            f"{1000 * med[1] / runs[0][3]:.1f}",
                            f"{med[1] / base[1]:.2f}x",
                            f"{med[0] / base[0]:.2f}x",
                        ],
                        widths,
                    )
                )
    big, small = max(args.sizes), min(args.sizes)
    ours, base = summary[big]["agentkube"], summary[big]["baseline"]
    per_resource = (ours[1] / ours[3]) / (summary[small]["agentkube"][1] / summary[small]["agentkube"][3])
    print(
        f"summary: real engine at {big} agents: up {ours[1] / base[1]:.2f}x, preview {ours[0] / base[0]:.2f}x, "
        f"no-change up {ours[2] / base[2]:.2f}x the baseline (target <= 1.1x); "
        f"{1000 * ours[1] / ours[3]:.1f} ms per resource, {per_resource:.2f}x of N={small}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
