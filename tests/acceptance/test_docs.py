"""The generated documents are what regenerating gives."""

from __future__ import annotations

import pytest

from agentkube.cli.reference import GENERATED
from tests.helpers import ROOT


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_document_is_current(name: str) -> None:
    path = ROOT / name
    assert path.is_file(), f"{name} is missing: run scripts/refresh-docs"
    assert path.read_text() == GENERATED[name](), f"{name} is not what its generator writes: run scripts/refresh-docs"
