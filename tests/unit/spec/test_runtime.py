"""Egress entries: host names with an optional port in range."""

from __future__ import annotations

from tests.helpers import BASE, spec_problems


def test_bad_egress_entries_name_the_field() -> None:
    found = spec_problems({**BASE, "egress": ["https://api.openai.com", "api.openai.com:99999"]})
    assert found[0].startswith("agents/worker.yaml: egress[0]: ")
    assert "api.openai.com:443" in found[0]  # the example of the expected form
    assert (
        found[1]
        == "agents/worker.yaml: egress[1]: port 99999 of 'api.openai.com:99999' is out of range, expected 1-65535"
    )
