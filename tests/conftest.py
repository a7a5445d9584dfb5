"""Fixtures for every tier, and the `engine` marker for tests that drive the real pulumi CLI."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import ROOT, TESTS, orphans, reap

TIER_MARKERS = {"engine": "engine", "live": "live"}  # tests/<tier>/ -> marker


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
