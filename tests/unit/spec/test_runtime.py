"""Egress entries: host names with an optional port in range."""

from __future__ import annotations

from typing import Any

import pytest

from agentkube.spec.problems import SpecError
from tests.helpers import BASE, fleet_of


def problems(*specs: dict[str, Any], **settings: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        fleet_of(*specs, **settings)
    return [str(p) for p in caught.value.problems]


def test_bad_egress_entries_name_the_field() -> None:
    found = problems({**BASE, "egress": ["https://api.openai.com", "api.openai.com:99999"]})
    assert found[0].startswith("agents/worker.yaml: egress[0]: ")
    assert "api.openai.com:443" in found[0]  # the example of the expected form
    assert (
        found[1]
        == "agents/worker.yaml: egress[1]: port 99999 of 'api.openai.com:99999' is out of range, expected 1-65535"
    )
