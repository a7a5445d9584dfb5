"""Objects as YAML: a small block-style writer of our own, deterministic and round-trip tested."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
# characters YAML does not allow raw, or reads as line breaks, inside a double-quoted scalar
_UNSAFE = re.compile("[\x85\u2028\u2029\ufeff]|[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000 else f"\\U{ord(m.group()):08x}", quoted
    )


def _scalar(value: Any) -> str:
    """A scalar as YAML: plain when unambiguous, else a JSON string (valid YAML double-quoted)."""
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) and value.lower() not in _RESERVED
        return value if plain else _quoted(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _emit(value: Any, indent: str, out: list[str]) -> None:
    # block style as PyYAML writes it: nested mappings indented, list items at the key's indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(str(key))}:"
            if isinstance(item, dict) and item:
                out.append(head + "\n")
                _emit(item, indent + "  ", out)
            elif isinstance(item, list) and item:
                out.append(head + "\n")
                _emit(item, indent, out)
            else:
                out.append(f"{head} {_flow(item)}\n")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                lines: list[str] = []
                _emit(item, indent + "  ", lines)
                lines[0] = f"{indent}- {lines[0][len(indent) + 2 :]}"
                out.extend(lines)
            else:
                out.append(f"{indent}- {_flow(item)}\n")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(obj: dict[str, Any]) -> str:
    """One object as block YAML, keys in the core's order; deterministic, no anchors, no tags.

    A small emitter of our own: the objects hold only mappings, lists, strings, numbers,
    booleans and null, and PyYAML's general representer costs more than the whole core.
    """
    out: list[str] = []
    _emit(obj, "", out)
    return "".join(out)


def to_stream(objects: Iterable[dict[str, Any]]) -> str:
    return "".join(f"---\n{to_yaml(obj)}" for obj in objects)
