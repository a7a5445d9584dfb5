"""Container resources: Kubernetes quantities, with a hint for the near miss, and limits not below requests."""

from __future__ import annotations

from tests.helpers import GOOD, spec_problems


def test_bad_quantity_names_the_fix() -> None:
    assert spec_problems({**GOOD, "resources": {"requests": {"memory": "500mb"}}}) == [
        "agents/worker.yaml: resources.requests.memory: '500mb' is not a Kubernetes quantity, expected a number "
        "with an optional suffix such as 250m, 1, 512Mi or 2Gi (did you mean '500Mi'?)"
    ]


def test_milli_bytes_of_memory_are_refused() -> None:
    assert "did you mean '512Mi'?" in spec_problems({**GOOD, "resources": {"limits": {"memory": "512m"}}})[0]


def test_limits_below_requests() -> None:
    assert spec_problems({**GOOD, "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}}}) == [
        "agents/worker.yaml: resources: limits.cpu (500m) is below requests.cpu (2), expected a limit of at least 2"
    ]
