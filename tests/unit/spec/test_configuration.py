"""Secrets by reference: a key, and exactly one target and one source."""

from __future__ import annotations

from tests.helpers import GOOD, spec_problems


def test_secret_without_key() -> None:
    assert spec_problems({**GOOD, "secrets": [{"env": "TOKEN", "secretRef": {"name": "creds"}}]}) == [
        "agents/worker.yaml: secrets[0].secretRef.key: required field is missing"
    ]


def test_secret_needs_one_source_and_one_target() -> None:
    assert spec_problems({**GOOD, "secrets": [{"env": "T", "path": "/x/t", "config": "searchApiKey"}]}) == [
        "agents/worker.yaml: secrets[0]: a secret needs exactly one of env or path"
    ]
