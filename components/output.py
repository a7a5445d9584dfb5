"""Writing what the core produced: YAML documents, render directories, tables."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


MARKER = ".agentkube-render"


def to_yaml(obj: Any) -> str:
    """One object as block YAML, keys in the core's order, no anchors."""
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16)


def to_stream(objects: Iterable[dict[str, Any]]) -> str:
    return "".join(f"---\n{to_yaml(obj)}" for obj in objects)


def file_name(obj: dict[str, Any]) -> str:
    """`<namespace>/<kind>-<name>.yaml`, cluster-scoped objects under `cluster/`."""
    meta = obj["metadata"]
    return f"{meta.get('namespace', 'cluster')}/{obj['kind'].lower()}-{meta['name']}.yaml"


def write_render_dir(objects: Sequence[dict[str, Any]], target: Path) -> list[Path]:
    """Replace `target` with one file per object, atomically; refuse a directory we did not write."""
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        raise FileExistsError(
            f"{target} exists and was not written by agentkube render; choose a new or empty directory"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    written = []
    for obj in objects:
        path = staging / file_name(obj)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_yaml(obj), encoding="utf-8")
        written.append(target / file_name(obj))
    (staging / MARKER).write_text("written by agentkube render; the whole directory is replaced on each render\n")
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old)
    else:
        staging.rename(target)
    return written


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain text table with left-aligned columns."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
