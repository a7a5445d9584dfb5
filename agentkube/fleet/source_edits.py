"""Edits of the files a team owns, as `promote`, `abort` and `release` make them: a change merged into a stack's
`agentkube:overrides.<agent>` or into a spec file, or taken out of an override. Each keeps the rest of the file
(comments, layout) as it is and replaces the file atomically."""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..project import config_key, stack_file
from .overlay import deep_merge


def write_override(project_dir: Path, stack: str, agent: str, change: Mapping[str, Any]) -> Path:
    """Merge `change` into `agentkube:overrides.<agent>` of `Pulumi.<stack>.yaml`."""
    path = stack_file(project_dir, stack)
    doc = _load(path)
    overrides = doc.setdefault("config", {}).setdefault(config_key("overrides"), {})
    overrides[agent] = deep_merge(overrides.get(agent, {}), change)
    _dump(doc, path)
    return path


def without_change(override: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """`override` with every leaf that `change` sets taken out, and the maps that leaves empty (pure)."""
    kept = override.copy() if isinstance(override, dict) else dict(override)
    for key, value in change.items():
        if key not in kept:
            continue
        if isinstance(value, Mapping) and isinstance(kept[key], Mapping):
            rest = without_change(kept[key], value)
            if rest:
                kept[key] = rest
            else:
                del kept[key]
        else:
            del kept[key]
    return kept


def drop_override(project_dir: Path, stack: str, agent: str, change: Mapping[str, Any]) -> Path:
    """Take what `change` sets out of `agentkube:overrides.<agent>` (`without_change`); an override left empty
    goes, and so does an empty `agentkube:overrides`."""
    path = stack_file(project_dir, stack)
    doc = _load(path)
    config = doc.get("config") or {}
    overrides = config.get(config_key("overrides")) or {}
    if agent not in overrides:
        return path
    rest = without_change(overrides[agent], change)
    if rest:
        overrides[agent] = rest
    else:
        del overrides[agent]
        if not overrides:
            del config[config_key("overrides")]
    _dump(doc, path)
    return path


def merged_spec(doc: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """A spec document with `change` merged in, where a None value removes its key (pure)."""
    merged = doc.copy() if isinstance(doc, dict) else dict(doc)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merged_spec(merged[key], value)
        else:
            merged[key] = value
    return merged


def write_spec(path: Path, change: Mapping[str, Any]) -> Path:
    """Merge `change` into the spec file at `path` (`merged_spec`)."""
    _dump(merged_spec(_load(path), change), path)
    return path


def _load(path: Path) -> Any:
    return _round_trip().load(path.read_text(encoding="utf-8"))


def _dump(doc: Any, path: Path) -> None:
    """Write `doc` to `path` in the list indentation that keeps most of the file's lines as they are."""
    original = path.read_text(encoding="utf-8").splitlines()
    texts = [_text(doc, indent) for indent in _INDENTS]
    text = min(texts, key=lambda t: sum(1 for _ in difflib.unified_diff(original, t.splitlines(), n=0)))
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)


_INDENTS = [(2, 0), (4, 2), (2, 2), (6, 4), (4, 0)]  # (sequence, offset of the dash): `- a`, `  - a`, ...


def _text(doc: Any, indent: tuple[int, int]) -> str:
    yaml_rt = _round_trip()
    yaml_rt.indent(mapping=2, sequence=indent[0], offset=indent[1])
    out = io.StringIO()
    yaml_rt.dump(doc, out)
    return out.getvalue()


def _round_trip() -> Any:
    from ruamel.yaml import YAML

    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096  # keep long flow mappings on one line
    return yaml_rt
