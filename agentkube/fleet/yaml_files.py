"""Parsing one YAML file: safe YAML with merge keys, no key given twice, one document per file, and the
source text of every scalar YAML typed for itself (`on`, `1.10`) so a message can quote what was written."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..spec.problems import Loc, Problem, SpecError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_TYPED = {f"tag:yaml.org,2002:{t}" for t in ("bool", "float", "int", "null", "timestamp")}
_MAX_NODES = 20_000  # aliases can make a small file a huge tree: quote texts of this many nodes at most


class Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe YAML with two changes: a key given twice in a mapping is an error, not a silent overwrite, and
    keys are text as written (`on:` is the key 'on', `1:` the key '1', never true or 1): every key of a spec
    or stack file names a field, a variable or a label.

    Merge keys (`<<: *shared`) work as YAML 1.1 defines them: the mapping's own keys win over merged ones.
    """

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        super().flatten_mapping(node)
        for key_node, _ in node.value:
            as_text_key(key_node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            as_text_key(key_node)
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base constructor names it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice, expected each key once", key_node.start_mark
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # flattens merge keys first
        return mapping


def as_text_key(node: yaml.Node) -> None:
    """A plain scalar key that YAML would type (`on`, `1`, `~`) is read as the text written."""
    if isinstance(node, yaml.ScalarNode) and node.tag in _TYPED:
        node.tag = _STR


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; SpecError naming the line on malformed input."""
    return parse(path)[0]


def parse(path: Path) -> tuple[Any, dict[Loc, str]]:
    """One YAML file's document and the source text of its typed scalars, by location; SpecError if malformed."""
    file = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError([Problem(file, "", f"cannot be read: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise SpecError(
            [Problem(file, f"line {line}", f"byte 0x{err.object[err.start]:02x} is not UTF-8, save the file as UTF-8")]
        ) from None
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        texts = typed_scalars(loader, node) if node is not None else {}
        return (loader.construct_document(node) if node is not None else None), texts
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if err.problem == "but found another document":
            message = "a second YAML document starts here, expected one document per file (one agent per spec file)"
            raise SpecError([Problem(file, where, message)]) from None
        raise SpecError([Problem(file, where, f"malformed YAML: {err.problem}")]) from None
    except yaml.YAMLError as err:
        raise SpecError([Problem(file, "", f"malformed YAML: {err}")]) from None
    except RecursionError:
        raise SpecError([Problem(file, "", "malformed YAML: nested too deeply")]) from None
    finally:
        loader.dispose()


def typed_scalars(loader: Loader, root: yaml.Node) -> dict[Loc, str]:
    """Location -> text of the scalars YAML gave a type of their own (booleans, numbers, null, dates)."""
    out: dict[Loc, str] = {}
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    visited = 0
    while stack and visited < _MAX_NODES:
        node, loc = stack.pop()
        visited += 1
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _TYPED:
                out[loc] = node.value
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*loc, i)) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            merged: list[yaml.Node] = []
            for key_node, value in node.value:
                if key_node.tag == _MERGE:  # merged mappings are walked first, so the mapping's own keys win
                    merged += value.value if isinstance(value, yaml.SequenceNode) else [value]
                elif isinstance(key_node, yaml.ScalarNode):
                    as_text_key(key_node)
                    key = loader.construct_object(key_node)
                    if isinstance(key, (str, int)):
                        stack.append((value, (*loc, key)))
            stack += [(source, loc) for source in merged]  # popped last to first: the first merged wins
    return out


def source_texts(documents: Mapping[str, Any]) -> Mapping[str, Mapping[Loc, str]]:
    """The typed scalars' texts of documents that `read_documents` parsed; none for other mappings."""
    return getattr(documents, "texts", {})


class Documents(dict[str, Any]):
    """Parsed spec files by display name, with the source text of their typed scalars (`texts[file][loc]`)."""

    texts: dict[str, dict[Loc, str]]

    def __init__(self) -> None:
        super().__init__()
        self.texts = {}
