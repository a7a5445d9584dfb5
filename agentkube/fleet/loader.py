"""Reading agent specs and stack files from disk: the only I/O before the core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..project import config_key, secret_names, spec_files, stack_file, stack_names
from ..spec.problems import Problem, SpecError
from ..spec.stack import StackSettings
from .model import Fleet
from .resolve import deep_merge, resolve, spec_problems
from .settings import settings_from_config

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe YAML with one change: a key given twice in a mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice, expected each key once", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; SpecError naming the line on malformed input."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError([Problem(display(path), "", f"cannot be read: {err.strerror}")]) from None
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise SpecError(
            [
                Problem(
                    display(path),
                    f"line {line}",
                    f"byte 0x{err.object[err.start]:02x} is not UTF-8, save the file as UTF-8",
                )
            ]
        ) from None
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError([Problem(display(path), where, f"malformed YAML: {err.problem}")]) from None
    except yaml.YAMLError as err:
        raise SpecError([Problem(display(path), "", f"malformed YAML: {err}")]) from None


def read_documents(agents_dir: Path) -> dict[str, Any]:
    """Every `*.yaml`/`*.yml` file of the directory, parsed; all malformed files reported together."""
    if not agents_dir.is_dir():
        raise SpecError(
            [Problem(display(agents_dir), "", "is not a directory of agent specs; pass --agents DIR or create agents/")]
        )
    documents: dict[str, Any] = {}
    problems: list[Problem] = []
    for path in spec_files(agents_dir):
        try:
            documents[display(path)] = read_yaml(path)
        except SpecError as err:
            problems += err.problems
    if problems:
        raise SpecError(problems)
    if not documents:
        raise SpecError(
            [
                Problem(
                    display(agents_dir),
                    "",
                    "no agent specs found, expected at least one *.yaml file with `name` and `image`",
                )
            ]
        )
    return documents


def read_stack(project_dir: Path, stack: str) -> tuple[StackSettings, frozenset[str]]:
    """Settings and config-secret names of `Pulumi.<stack>.yaml`."""
    path = stack_file(project_dir, stack)
    if not path.is_file():
        known = stack_names(project_dir)
        raise SpecError([Problem(display(path), "", f"no such stack file; stacks here: {', '.join(known) or 'none'}")])
    doc = read_yaml(path) or {}
    config = doc.get("config") or {} if isinstance(doc, dict) else {}
    secrets = secret_names(config)
    return settings_from_config(config, display(path), secrets), secrets


def load_fleet(
    agents_dir: Path, stack: str | None = None, project_dir: Path = Path("."), check_secrets: bool = True
) -> Fleet:
    """Specs of `agents_dir`, resolved under `stack`'s settings (defaults when None).

    `check_secrets` False skips checking that config secrets are set: rendering never needs their values.
    """
    problems: list[Problem] = []
    settings, secrets, source = StackSettings(), None, "stack"
    if stack is not None:
        try:
            settings, secrets = read_stack(project_dir, stack)
            source = display(stack_file(project_dir, stack))
        except SpecError as err:
            problems += err.problems
    try:
        documents = read_documents(agents_dir)
    except SpecError as err:
        raise SpecError(problems + err.problems) from None
    if problems:  # the stack is broken: still report what is wrong in the spec files themselves
        raise SpecError(problems + spec_problems(documents))
    return resolve(documents, settings, source, secrets if check_secrets else None)


def write_override(project_dir: Path, stack: str, agent: str, change: dict[str, Any]) -> Path:
    """Merge `change` into `agentkube:overrides.<agent>` of `Pulumi.<stack>.yaml`, keeping the rest
    of the file (comments, layout) as it is; atomic."""
    from ruamel.yaml import YAML

    path = stack_file(project_dir, stack)
    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096  # keep long flow mappings on one line
    doc = yaml_rt.load(path.read_text(encoding="utf-8"))
    overrides = doc.setdefault("config", {}).setdefault(config_key("overrides"), {})
    overrides[agent] = deep_merge(overrides.get(agent, {}), change)
    staging = path.with_name(f".{path.name}.tmp")
    with staging.open("w", encoding="utf-8") as out:
        yaml_rt.dump(doc, out)
    staging.replace(path)
    return path
