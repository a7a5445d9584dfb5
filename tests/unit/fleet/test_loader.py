"""What `write_override` writes is what validation merges (one overlay rule, `overlay.deep_merge`), and an edit
of a team's file keeps every line it does not change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agentkube.fleet.loader import read_stack
from agentkube.fleet.overlay import deep_merge
from agentkube.fleet.source_edits import write_override, write_spec
from tests.helpers import ROOT

CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("researcher", {"rollout": {"canary": {"weight": 50, "sticky": None}}, "scaling": {"autoscale": {"max": 30}}}),
    ("orchestrator", {"image": "ghcr.io/acme/orchestrator:2.4.0"}),
    ("coder", {"rollout": {"strategy": "rolling"}}),  # no override yet
]


@pytest.mark.parametrize(("agent", "change"), CHANGES)
def test_written_override_is_the_validated_merge(tmp_path: Path, agent: str, change: dict[str, Any]) -> None:
    shutil.copy(ROOT / "Pulumi.prod.yaml", tmp_path)
    before = read_stack(tmp_path, "prod")[0].overrides
    write_override(tmp_path, "prod", agent, change)
    after = read_stack(tmp_path, "prod")[0].overrides
    assert after[agent] == deep_merge(before.get(agent, {}), change)
    assert {n: o for n, o in after.items() if n != agent} == {n: o for n, o in before.items() if n != agent}


def test_writing_an_override_keeps_the_files_comments_and_layout(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Pulumi.prod.yaml", tmp_path)
    write_override(tmp_path, "prod", "researcher", {"rollout": {"canary": {"weight": 50}}})
    line = "      rollout: {canary: {traffic: gateway, sticky: {header: X-Session-Id, idleTimeout: 30m}}}\n"
    original = (ROOT / "Pulumi.prod.yaml").read_text()
    assert line in original
    expected = original.replace(line, line.replace("30m}}}", "30m}, weight: 50}}"))
    assert (tmp_path / "Pulumi.prod.yaml").read_text() == expected


def test_merging_never_mutates_its_inputs() -> None:
    base = {"a": {"b": 1, "c": {"d": 2}}, "e": [1]}
    over = {"a": {"c": {"d": 3}}, "e": [2]}
    merged = deep_merge(base, over)
    assert merged == {"a": {"b": 1, "c": {"d": 3}}, "e": [2]}
    assert base == {"a": {"b": 1, "c": {"d": 2}}, "e": [1]}
    assert over == {"a": {"c": {"d": 3}}, "e": [2]}


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "agents").glob("*.yaml")), ROOT / "Pulumi.dev.yaml", ROOT / "Pulumi.prod.yaml"]
)
def test_an_edit_keeps_every_line_it_does_not_change(tmp_path: Path, path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    write_spec(copy, {})
    assert copy.read_text() == path.read_text()


@pytest.mark.parametrize("dash", ["- ", "  - ", "    - "])
def test_an_edit_keeps_the_files_own_list_indentation(tmp_path: Path, dash: str) -> None:
    spec = tmp_path / "a.yaml"
    text = f"name: a\nimage: x:1  # pinned\negress:\n{dash}api.example.com\n{dash}b.example.com\n"
    spec.write_text(text)
    write_spec(spec, {"image": "x:2", "version": None})
    assert spec.read_text() == text.replace("x:1", "x:2")
