"""Stack settings: one target per stack, labels that are labels."""

from __future__ import annotations

import json

import pytest

from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError


def test_a_stack_has_one_target() -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:renderDir": "out", "agentkube:localCluster": "true"}, "Pulumi.x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "Pulumi.x.yaml: config.agentkube:localCluster: true while renderDir is set too, "
        "expected one target for the stack"
    ]


@pytest.mark.parametrize(
    ("labels", "says"),
    [
        ({"team name": "x"}, "'team name' is not a label key"),
        ({"Acme.io/team": "x"}, "invalid prefix 'Acme.io'"),
        ({"team": "-x"}, "value '-x' of 'team' is not valid"),
        ({"team": "x" * 64}, "is not valid, expected at most 63"),
    ],
)
def test_stack_labels_must_be_labels(labels: dict[str, str], says: str) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:labels": json.dumps(labels)}, "Pulumi.test.yaml")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("Pulumi.test.yaml: config.agentkube:labels: ") and says in problem
