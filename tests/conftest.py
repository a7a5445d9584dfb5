"""Fixtures for every tier (`run_line` runs the agentkube command, `update_golden` says whether to rewrite
tests/golden/), and the `engine` and `live` markers for the tiers that need the Go tools."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentkube.cli.main import main

from .helpers import ROOT, TESTS, CliRun, RunLine, orphans, reap

TIER_MARKERS = {"engine": "engine", "live": "live"}  # tests/<tier>/ -> marker


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/<stack>.yaml from the current render instead of comparing; review the diff",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/engine/ `engine`, so `pytest -m "not engine"` needs no Go build."""
    for item in items:
        tier = Path(str(item.path)).relative_to(TESTS).parts[0]
        if tier in TIER_MARKERS:
            item.add_marker(TIER_MARKERS[tier])


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --update-golden`: a golden test writes its file and passes."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def run_line(capsys: pytest.CaptureFixture[str]) -> RunLine:
    """Run `agentkube ARGS...` in this process: `run_line(["agentkube", "validate"])` gives the exit code and
    the stdout and stderr of that run alone, kept apart."""

    def run(argv: list[str]) -> CliRun:
        assert argv[:1] == ["agentkube"], f"a command line starts with agentkube, not {argv[:1]}"
        capsys.readouterr()  # what came before this run is not its output
        code = main(argv[1:])
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("PULUMI_CONFIG"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def tools() -> str:
    """The directory of the pulumi CLI built from Go modules (a no-op once cached)."""
    out = subprocess.run([str(ROOT / "scripts" / "install-pulumi")], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session", autouse=True)
def _no_orphans() -> Iterator[None]:
    """Pulumi starts its language host and providers in process groups of their own, so a test that kills
    the CLI's group orphans them: reap every such orphan this session made."""
    before = orphans()
    yield
    reap(orphans() - before)
