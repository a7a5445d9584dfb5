"""Fixtures for every tier, and the `engine` marker for tests that drive the real pulumi CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import ROOT, TESTS

TIER_MARKERS = {"engine": "engine"}  # tests/<tier>/ -> marker


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
