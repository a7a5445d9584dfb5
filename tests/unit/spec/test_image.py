"""Image references: what a registry accepts is accepted, anything else is refused in words."""

from __future__ import annotations

import pytest

from tests.helpers import SERVING, fleet_of, spec_problems


@pytest.mark.parametrize(
    "image",
    [
        "registry.local:5000/acme/agent:1.2.0",
        "localhost:5000/agent@sha256:" + "0" * 64,
        "[::1]:5000/agent:1",
        "acme/agent__x.y-z:v1_2",
        "agent",
    ],
)
def test_valid_image_references_are_accepted(image: str) -> None:
    assert fleet_of({**SERVING, "image": image}).agents[0].image == image


@pytest.mark.parametrize(
    ("image", "says"),
    [
        ("ghcr.io/Acme/agent:1", "path component 'Acme' should be lowercase"),
        ("ghcr.io/acme/agent:-1", "tag '-1' should be at most 128"),
        ("ghcr.io/acme/agent@sha256:abc", "digest 'sha256:abc' should be sha256: and 64"),
        ("ghcr.io/acme/agent:1 ", "spaces around it"),
        ("ghcr.io//agent:1", "path component '' should be"),
    ],
)
def test_invalid_image_references_say_why_in_words(image: str, says: str) -> None:
    (problem,) = spec_problems({**SERVING, "image": image})
    assert problem.startswith(f"agents/worker.yaml: image: '{image}' is not an image reference: ")
    assert says in problem and "e.g. ghcr.io/acme/agent:1.2.0" in problem
    assert "^" not in problem and "]*" not in problem
