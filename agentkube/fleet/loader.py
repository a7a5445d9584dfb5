"""Reading agent specs and stack files from disk: the only I/O before the core."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..project import (
    CONFIG_NAMESPACE,
    PROJECT_FILE,
    config_key,
    secret_names,
    spec_files,
    stack_file,
    stack_names,
)
from ..spec.problems import Problem, SpecError
from ..spec.stack import StackSettings
from .model import Fleet
from .overlay import deep_merge
from .resolve import resolve, spec_problems
from .settings import settings_from_config
from .yaml_files import Documents, Loader, display, parse, read_yaml

__all__ = [
    "Loader",
    "agents_dir_of",
    "display",
    "load_fleet",
    "read_documents",
    "read_stack",
    "read_stack_file",
    "read_yaml",
    "stack_agents_dir",
]


def agents_dir_of(project_dir: Path, settings: StackSettings) -> Path:
    """The directory of agent specs that `pulumi up` of a stack with these settings reads:
    `agentkube:agentsDir`, relative to the project."""
    return project_dir / settings.agents_dir


def stack_agents_dir(project_dir: Path, stack: str | None) -> Path:
    """The stack's `agentkube:agentsDir` within the project (the default `agents` without a stack, a stack
    file or a readable one: `load_fleet` then reports what is wrong with the stack file)."""
    if stack is None:
        return agents_dir_of(project_dir, StackSettings())
    try:
        settings, _ = read_stack_file(stack_file(project_dir, stack))
    except SpecError:
        settings = StackSettings()
    return agents_dir_of(project_dir, settings)


def read_documents(agents_dir: Path) -> Documents:
    """Every `*.yaml`/`*.yml` file of the directory and its subdirectories (`project.spec_files`), parsed;
    all malformed files reported together."""
    if not agents_dir.is_dir():
        raise SpecError(
            [Problem(display(agents_dir), "", "is not a directory of agent specs; pass --agents DIR or create agents/")]
        )
    documents = Documents()
    problems: list[Problem] = []
    for path in spec_files(agents_dir):
        try:
            documents[display(path)], documents.texts[display(path)] = parse(path)
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
    """Settings and config-secret names of `Pulumi.<stack>.yaml`; SpecError when the stack has no file."""
    path = stack_file(project_dir, stack)
    if not path.is_file():
        known = stack_names(project_dir)
        raise SpecError([Problem(display(path), "", f"no such stack file; stacks here: {', '.join(known) or 'none'}")])
    return read_stack_file(path, project_dir=project_dir)


def read_stack_file(
    path: Path, source: str | None = None, project_dir: Path | None = None
) -> tuple[StackSettings, frozenset[str]]:
    """Settings and config-secret names of a stack file: the one reader of stack files, for the CLI and for
    the Pulumi program alike (`source` names the file in messages; default: its path). A missing file is a
    stack that sets nothing, as Pulumi reads it. With `project_dir`, a setting given project-wide in its
    `Pulumi.yaml` is refused: Pulumi would apply it, agentkube reads stack files only."""
    source = source or display(path)
    if project_dir is not None:
        _no_project_settings(project_dir)
    doc = read_yaml(path) if path.is_file() else None
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        raise SpecError([Problem(source, "", "expected a map with a `config:` map of settings")])
    config = doc.get("config")
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise SpecError(
            [Problem(source, "config", "expected a map of settings, one `agentkube:<setting>: value` per line")]
        )
    secrets = secret_names(config)
    return settings_from_config(config, source, secrets), secrets


def _no_project_settings(project_dir: Path) -> None:
    path = project_dir / PROJECT_FILE
    doc = read_yaml(path) if path.is_file() else None
    config = doc.get("config") if isinstance(doc, Mapping) else None
    if not isinstance(config, Mapping):
        return
    given = [
        str(key)
        for key, value in config.items()
        if str(key).partition(":")[0] in (CONFIG_NAMESPACE, str(key))  # ours, or bare (the project's namespace)
        and not (isinstance(value, Mapping) and "default" not in value and "value" not in value)  # a declaration
    ]
    if given:
        raise SpecError(
            [
                Problem(
                    display(path),
                    f"config.{key}",
                    "agentkube reads settings from stack files only: set it in each Pulumi.<stack>.yaml as "
                    f"{config_key(key.rpartition(':')[2])}",
                )
                for key in given
            ]
        )


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
