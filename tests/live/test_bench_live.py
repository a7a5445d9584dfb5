"""The live benchmark still runs (two agents, one repetition, no helm); the numbers come from bench/run."""

from __future__ import annotations

from typing import Any

import pytest

from bench import live


def test_live_benchmark_runs(live_cluster: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert live.main(["--sizes", "2", "--repeat", "1", "--no-helm"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[2:-1]] == ["kubectl", "agentkube", "agentkube,"]
    assert out[-1].startswith("summary: live at 2 agents")
