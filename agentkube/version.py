"""agentkube's version: one source, `version` in pyproject.toml, as the installed distribution's metadata
carries it, or read from pyproject.toml itself in a source checkout that was never installed."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path

DISTRIBUTION = "agentkube"
SOURCE_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@cache
def version() -> str:
    """The version of this agentkube (`agentkube --version`): the distribution's, or the checkout's."""
    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:
        return source_version(SOURCE_PYPROJECT)


def source_version(pyproject: Path) -> str:
    """`project.version` of a checkout's pyproject.toml; `0+unknown` when there is none to read."""
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return "0+unknown"
    found = project.get("version") if project.get("name") == DISTRIBUTION else None
    return found if isinstance(found, str) else "0+unknown"
