"""A new project for `agentkube init`: the files of `project_template/`, named for the project, that use the
installed agentkube (its components, its command, its version)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..project import PROJECT_FILE, STATE_DIR, stack_file
from ..render.schema import SCHEMA_FILE, schema_text
from ..spec.problems import problems_from
from ..spec.stack import StackSettings
from ..version import version

TEMPLATE_DIR = Path(__file__).with_name("project_template")
EXAMPLE_AGENT = "agents/assistant.yaml"
# path in the new project -> its template (stored under other names: no tool of this repo reads them as its own)
FILES: dict[str, str] = {
    PROJECT_FILE: "Pulumi.yaml.tmpl",
    stack_file(Path("."), "dev").name: "Pulumi.dev.yaml.tmpl",
    stack_file(Path("."), "prod").name: "Pulumi.prod.yaml.tmpl",
    "__main__.py": "__main__.py.tmpl",
    EXAMPLE_AGENT: "assistant.yaml.tmpl",
    "requirements.txt": "requirements.txt.tmpl",
    ".gitignore": "gitignore.tmpl",
    ".github/workflows/agentkube.yaml": "workflow.yaml.tmpl",
    "README.md": "README.md.tmpl",
}
NAME, VERSION = "@NAME@", "@VERSION@"  # the templates' placeholders


class InitRefused(Exception):
    """The directory or the name cannot hold a new project; nothing was written."""


@dataclass(frozen=True)
class NewProject:
    name: str
    directory: Path
    files: list[str]  # relative to `directory`, in the order written


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a project, or None. The name is the Pulumi project's and each stack's namespace
    prefix (`agentkube:namespace`), so it is held to that setting's rule: a DNS label of at most 40 characters,
    which Pulumi's project name grammar (letters, digits, '-', '_', '.') also accepts."""
    try:
        StackSettings.model_validate({"namespace": name})
    except ValidationError as err:
        message = problems_from(err, PROJECT_FILE, StackSettings)[0].message
        return message if name.isprintable() else message.replace(f"'{name}'", repr(name))  # one line
    return None


def new_project(directory: Path, name: str | None = None) -> NewProject:
    """Write a new project into `directory` (created if missing; refused unless empty), named `name` or the
    directory's own name; agent.schema.json is the installed agentkube's, for editors."""
    project_name = name if name is not None else directory.resolve().name
    problem = name_problem(project_name)
    if problem is not None:
        how = "" if name is not None else f"; it is the name of {directory}: give one with --name"
        raise InitRefused(f"project name {problem}{how}")
    if directory.exists() and not directory.is_dir():
        raise InitRefused(f"{directory} is a file: init writes a new project into a new or empty directory")
    if directory.is_dir() and any(directory.iterdir()):
        raise InitRefused(f"{directory} is not empty: init writes a new project into a new or empty directory")
    texts = {path: fill(template, project_name) for path, template in FILES.items()}
    texts[SCHEMA_FILE] = schema_text()
    for path, text in texts.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (directory / STATE_DIR).mkdir()  # the local file backend's directory (pulumi needs it to exist)
    return NewProject(project_name, directory, list(texts))


def fill(template: str, name: str) -> str:
    """A template's text with the project's name and this agentkube's version in place of the placeholders."""
    text = (TEMPLATE_DIR / template).read_text(encoding="utf-8")
    return text.replace(NAME, name).replace(VERSION, version())
