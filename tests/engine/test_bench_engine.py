"""The engine benchmark still runs (smallest size, one repetition); the numbers come from bench/run."""

from __future__ import annotations

import pytest

from bench import engine


def test_engine_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert engine.main(["--sizes", "2", "--repeat", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("summary: real engine at 2 agents")
