"""Render directories: one YAML file per object, replaced atomically, never over someone else's files."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .yaml_writer import to_yaml

MARKER = ".agentkube-render"


def file_name(obj: dict[str, Any]) -> str:
    """`<namespace>/<kind>-<name>.yaml`, cluster-scoped objects under `cluster/`."""
    meta = obj["metadata"]
    return f"{meta.get('namespace', 'cluster')}/{obj['kind'].lower()}-{meta['name']}.yaml"


def write_render_dir(objects: Sequence[dict[str, Any]], target: Path) -> list[Path]:
    """Replace `target` with one file per object, atomically; refuse a directory we did not write."""
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} is a file, not a directory; choose a new or empty directory")
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
