"""The shared annotated types: env names are env names, text has no control characters."""

from __future__ import annotations

import pytest

from tests.helpers import SERVING, fleet_of, spec_problems


@pytest.mark.parametrize("name", ["", "MY VAR", "1ST", "A=B"])
def test_env_names_must_be_env_names(name: str) -> None:
    (problem,) = spec_problems({**SERVING, "env": {name: "x"}})
    assert problem.startswith("agents/worker.yaml: env.") and "letters, digits and '_'" in problem


@pytest.mark.parametrize("field", ["env", "config"])
def test_control_characters_in_text_are_refused(field: str) -> None:
    change = {"env": {"MODE": "a\x01b"}} if field == "env" else {"config": {"data": {"agent.yaml": "a\x1bb"}}}
    (problem,) = spec_problems({**SERVING, **change})
    assert "contains the control character U+00" in problem and "expected printable text" in problem
    assert fleet_of({**SERVING, "env": {"MODE": "tabs\tand\nnewlines are fine"}}).agents
